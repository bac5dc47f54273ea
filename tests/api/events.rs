//! The live feed: a health snapshot on connect, `order` events without personal data, health
//! changes as a service stops and returns, and a stalled client that delays nobody.

use crate::helpers::{spawn_app, spawn_with};
use crate::private::PrivateRedis;
use crate::services::OwnRedisEnv;
pub use crate::sse::EventReader;
use serde_json::Value;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_feed_opens_with_every_service_and_follows_orders_without_personal_data() {
    let app = spawn_app().await;
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let mut services = Vec::new();
    for _ in 0..3 {
        let (event, data) = feed
            .next(Duration::from_secs(5))
            .await
            .expect("a snapshot event");
        assert_eq!(event, "health");
        assert_eq!(data["health"], "embedded");
        assert!(data["since"].as_str().unwrap().ends_with('Z'));
        services.push(data["service"].as_str().unwrap().to_owned());
    }
    services.sort();
    assert_eq!(services, ["postgres", "rabbit", "redis"]);
    let id = app.buy(&[(2, 1)]).await;
    // The order's two events, in whichever order the relay lets them arrive.
    let mut seen = Vec::new();
    let mut processed = Value::Null;
    while seen.len() < 2 {
        let event = feed
            .until(Duration::from_secs(5), |e, d| {
                e == "order" && d["order_id"] == id
            })
            .await;
        seen.push(event["status"].as_str().unwrap().to_owned());
        if event["status"] == "processed" {
            processed = event;
        }
    }
    seen.sort();
    assert_eq!(seen, ["pending", "processed"]);
    let keys: Vec<_> = processed.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        ["instance", "order_id", "status"],
        "no personal data in the feed, only the replica it happened on"
    );
    assert_eq!(processed["instance"], "test");
}

#[tokio::test]
async fn services_and_their_status_are_listed() {
    let app = spawn_app().await;
    let services = app.json("/api/services").await;
    let names: Vec<_> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["postgres", "redis", "rabbit"]);
    assert_eq!(services[0]["kind"], "database");
    assert_eq!(services[1]["health"], "embedded");
    assert_eq!(services[2]["control"], "none");
    let status = app.json("/api/service/redis/status").await;
    assert_eq!(status["service"], "redis");
    assert!(status["log"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l.as_str().is_some()));
    let posted = app
        .client
        .post(app.url("/api/service/rabbit/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200, "the compat POST form answers too");
    for name in ["nope", "redis;rm%20-rf%20", "..", &"x".repeat(5000)] {
        assert_eq!(
            app.get(&format!("/api/service/{name}/status"))
                .await
                .status(),
            404,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_service_turns_down_in_the_feed_and_up_when_it_returns() {
    let (env, mut redis) = (OwnRedisEnv::new().await, PrivateRedis::start());
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(env.settings(dir.path(), &redis.url())).await;
    app.wait_until_ready().await;
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let is_redis = |health: &'static str| {
        move |e: &str, d: &Value| e == "health" && d["service"] == "redis" && d["health"] == health
    };
    feed.until(Duration::from_secs(5), is_redis("up")).await;

    tokio::task::block_in_place(|| redis.down());
    let stopped = Instant::now();
    feed.until(Duration::from_secs(3), is_redis("down")).await;
    println!(
        "feed: redis down after {} ms",
        stopped.elapsed().as_millis()
    );
    tokio::task::block_in_place(|| redis.up());
    let started = Instant::now();
    feed.until(Duration::from_secs(3), is_redis("up")).await;
    println!("feed: redis up after {} ms", started.elapsed().as_millis());
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_delays_nobody() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    // A browser that connects and never reads another byte, with a tiny receive window so the
    // server's writes to it back up at once.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(1024).unwrap();
    let mut stalled = socket
        .connect(([127, 0, 0, 1], app.port).into())
        .await
        .unwrap();
    let request = "GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n";
    stalled.write_all(request.as_bytes()).await.unwrap();
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let started = Instant::now();
    let mut last = 0;
    for _ in 0..400 {
        last = app.buy(&[(9, 1)]).await;
    }
    feed.until(Duration::from_secs(10), |e, d| {
        e == "order" && d["order_id"] == last && d["status"] == "processed"
    })
    .await;
    println!(
        "feed: 400 orders followed in {} ms beside a stalled client",
        started.elapsed().as_millis()
    );
    drop(stalled);
}
