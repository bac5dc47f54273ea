//! Replicas as one store, in process: two stores on the same database, Redis prefix and queue
//! tell each other their orders and load runs over the replica channel, list each other, and
//! say so honestly when the channel is down. (The real binaries behind haproxy, through a
//! SIGKILL and a rolling restart, are `replicas.rs`.)

use crate::events::EventReader;
use crate::helpers::{eventually, spawn_with, TestApp};
use crate::services::RealEnv;
use carstore::config::AdminToken;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "replica-admin-token-0123456789";

pub async fn replica(env: &RealEnv, dir: &std::path::Path, name: &str, worker: bool) -> TestApp {
    let mut settings = env.settings(dir);
    settings.instance = name.to_owned();
    settings.run_worker = worker;
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    app
}

async fn roster(app: &TestApp) -> Value {
    app.json("/api/replicas").await
}

fn names(roster: &Value) -> Vec<String> {
    let list = roster["replicas"].as_array().unwrap();
    list.iter()
        .map(|r| r["instance"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_list_each_other_and_share_their_order_events() {
    let env = RealEnv::shared().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = replica(&env, dir_a.path(), "store-a", true).await;
    let b = replica(&env, dir_b.path(), "store-b", false).await;

    let cars = a.get("/api/cars").await;
    assert_eq!(cars.headers()["x-carstore-instance"], "store-a");
    assert_eq!(
        b.get("/healthz").await.headers()["x-carstore-instance"],
        "store-b"
    );
    eventually(
        "each replica lists the other",
        Duration::from_secs(5),
        async || {
            names(&roster(&a).await) == ["store-a", "store-b"]
                && names(&roster(&b).await) == ["store-b", "store-a"]
        },
    )
    .await;
    let seen = roster(&a).await;
    assert_eq!(seen["channel"], "up");
    let other = &seen["replicas"][1];
    assert_eq!(other["role"], "serve");
    assert_eq!(other["ready"], true);
    assert_eq!(other["version"], env!("CARGO_PKG_VERSION"));
    let metrics = a.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"carstore_replica_info{replica="store-a",role="serve"} 1"#),
        "{metrics}"
    );

    // An order placed through B: A's feed hears it created, then processed by A's worker.
    let mut feed = EventReader::open(&a.url("/api/events")).await;
    let placed = Instant::now();
    let order_id = b.buy(&[(1, 1)]).await;
    let created = feed
        .until(Duration::from_secs(2), |event, data| {
            event == "order" && data["order_id"] == order_id && data["instance"] == "store-b"
        })
        .await;
    let delay = placed.elapsed();
    assert!(delay < Duration::from_secs(1), "relayed after {delay:?}");
    assert!(created.get("customer_email").is_none(), "{created}");
    // Processed by A's worker (the only one), as the shopper who placed it reads it. A's own
    // feed tells it too, but in the whole test command, on 2 cores, that feed has been seen to
    // end or miss it (a feed that falls behind gets a snapshot instead), which is not what this
    // test is about.
    let path = format!("/api/orders/{order_id}");
    eventually("the order processed", Duration::from_secs(30), async || {
        b.json(&path).await["order"]["status"] == "processed"
    })
    .await;
    drop(feed);

    // B stops: it says goodbye, and A's roster drops it at once rather than after 3.5 s.
    b.stop().await;
    eventually(
        "the stopped replica leaves the roster",
        Duration::from_secs(2),
        async || names(&roster(&a).await) == ["store-a"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_run_started_on_one_replica_shows_on_the_other_and_stops_from_there() {
    let env = RealEnv::shared().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = replica(&env, dir_a.path(), "store-a", true).await;
    let b = replica(&env, dir_b.path(), "store-b", false).await;
    let admin = |app: &TestApp, method: Method, body: Option<Value>| {
        let request = app
            .client
            .request(method, app.url("/api/load"))
            .bearer_auth(TOKEN);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
    };
    eventually(
        "the replicas hear each other",
        Duration::from_secs(5),
        async || names(&roster(&a).await).len() == 2,
    )
    .await;
    let mut feed_a = EventReader::open(&a.url("/api/events")).await;
    let started = admin(
        &b,
        Method::POST,
        Some(json!({"rate": 5, "mix": "browse=1", "duration_secs": 60})),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(started.status(), 202);
    // A's chart moves with B's run, and A knows a run is going.
    let progress = feed_a
        .until(Duration::from_secs(4), |event, data| {
            event == "load" && data["instance"] == "store-b" && !data["progress"].is_null()
        })
        .await;
    assert!(progress["progress"]["requests"].as_u64().unwrap() > 0);
    let running = a.json("/api/load").await;
    assert_eq!(running["running"], "5/s browse=1 for 60s", "{running}");
    // One run at a time across the store.
    let second = admin(&a, Method::POST, Some(json!({"rate": 5})))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 409);
    // Stopped from A, the run on B ends and both say nothing runs.
    let stop = admin(&a, Method::DELETE, None).send().await.unwrap();
    assert_eq!(stop.json::<Value>().await.unwrap()["stopping"], true);
    feed_a
        .until(Duration::from_secs(4), |event, data| {
            event == "load" && data["instance"] == "store-b" && !data["summary"].is_null()
        })
        .await;
    eventually("no run left anywhere", Duration::from_secs(2), async || {
        a.json("/api/load").await["running"].is_null()
            && b.json("/api/load").await["running"].is_null()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_channel_down_a_replica_serves_its_own_events_and_says_so() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.instance = "store-alone".into();
    // A Redis that is not there: carts refuse, the channel is down, the catalog still serves.
    let closed = crate::private::free_port();
    settings.redis_url = Some(
        carstore::config::ServiceUrl::parse(
            &format!("redis://127.0.0.1:{closed}"),
            &["redis"],
            "r",
        )
        .unwrap(),
    );
    let app = spawn_with(settings).await;
    eventually(
        "the channel is reported down",
        Duration::from_secs(5),
        async || roster(&app).await["channel"] == "down",
    )
    .await;
    let seen = roster(&app).await;
    assert_eq!(names(&seen), ["store-alone"]);
    assert!(
        seen["note"]
            .as_str()
            .unwrap()
            .contains("this replica's events only"),
        "{seen}"
    );
    // Nothing waits on the channel: the catalog answers at once (a 503 only while the new
    // database is still being migrated, which this test does not wait out twice).
    let asked = Instant::now();
    let cars = app.get("/api/cars").await;
    // A figure; the shopper's client gives up after 10 s, which is the bound.
    println!(
        "replica channel down: the catalog answered in {} ms",
        asked.elapsed().as_millis()
    );
    assert!(
        [200, 503].contains(&cars.status().as_u16()),
        "{}",
        cars.status()
    );
}
