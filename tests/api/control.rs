//! Start, stop and restart from the dashboard's API: only with the admin token, only the
//! configured commands, every action audited, and the health feed following along.

use crate::events::EventReader;
use crate::helpers::{spawn_app, spawn_with};
use crate::private::CommandRedis;
use crate::services::{real_settings, require_shared_services, TestDb, TestQueues, AMQP, PG_ADMIN};
use carstore::config::{AdminToken, ControlSpec};
use serde_json::{json, Value};
use std::time::Duration;

const TOKEN: &str = "test-admin-token-0123456789";

#[tokio::test]
async fn control_and_audit_need_the_admin_token() {
    let app = spawn_app().await;
    for path in [
        "/api/service/redis/stop",
        "/api/service/postgres/start",
        "/api/service/rabbit/restart",
    ] {
        let resp = app.client.post(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"],
            "admin_required"
        );
    }
    assert_eq!(app.get("/api/audit").await.status(), 401);
    let wrong = app
        .client
        .post(app.url("/api/service/redis/stop"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let login = app
        .client
        .post(app.url("/api/admin/login"))
        .json(&json!({ "token": "guess" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
}

#[tokio::test]
async fn unknown_services_and_actions_are_404_and_never_reach_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    // The only command that may ever run leaves a marker; nothing below may trigger it.
    settings.control.redis = Some(ControlSpec::Command {
        start: format!("touch {}", marker.display()),
        stop: format!("touch {}", marker.display()),
        restart: None,
        log_file: None,
    });
    let app = spawn_with(settings).await;
    let long = "x".repeat(5000);
    for path in [
        "/api/service/nope/start".to_owned(),
        "/api/service/redis;rm%20-rf%20%2F/stop".to_owned(),
        "/api/service/..%2F..%2Fredis/stop".to_owned(),
        format!("/api/service/{long}/stop"),
        "/api/service/redis/delete".to_owned(),
        "/api/service/redis/start;rm%20-rf%20%2F".to_owned(),
        format!("/api/service/redis/{long}"),
    ] {
        let resp = app
            .client
            .post(app.url(&path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    assert!(!marker.exists(), "a command ran");
    let resp = app
        .client
        .post(app.url("/api/service/postgres/stop"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409, "embedded services have no control");
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "no_control");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_backend_stops_and_starts_redis_and_the_feed_follows() {
    require_shared_services();
    let (db, queues) = (TestDb::create(PG_ADMIN).await, TestQueues::new());
    let redis = CommandRedis::start();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = real_settings(
        dir.path(),
        &db.url(),
        &redis.url(),
        AMQP,
        "carstore:",
        &queues.orders,
    );
    settings.control.redis = Some(redis.control());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    let services = app.json("/api/services").await;
    assert_eq!(services[1]["control"], "command");

    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let redis = |health: &'static str| {
        move |e: &str, d: &Value| e == "health" && d["service"] == "redis" && d["health"] == health
    };
    feed.until(Duration::from_secs(5), redis("up")).await;
    // Signed in by cookie, as the page does.
    let login = app
        .client
        .post(app.url("/api/admin/login"))
        .json(&json!({ "token": TOKEN }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let stopped = app
        .client
        .post(app.url("/api/service/redis/stop"))
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    assert_eq!(stopped.json::<Value>().await.unwrap()["action"], "stop");
    feed.until(Duration::from_secs(3), redis("down")).await;
    assert_eq!(app.get("/api/cart").await.status(), 503);

    let started = app
        .client
        .post(app.url("/api/service/redis/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200);
    feed.until(Duration::from_secs(3), redis("starting")).await;
    feed.until(Duration::from_secs(5), redis("up")).await;
    assert_eq!(app.get("/api/cart").await.status(), 200);

    let audit = app
        .client
        .get(app.url("/api/audit"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let actions: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].clone(), a["result"].clone()))
        .collect();
    assert_eq!(
        actions,
        [(json!("start"), json!("ok")), (json!("stop"), json!("ok"))],
        "newest first"
    );
    assert!(audit[0]["who"]
        .as_str()
        .unwrap()
        .starts_with("admin from 127.0.0.1"));
    app.stop().await;
}
