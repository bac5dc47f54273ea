//! Start, stop and restart from the dashboard's API: only with the admin token, only the
//! configured commands, every action audited, and the health feed following along.

use crate::events::EventReader;
use crate::helpers::{spawn_app, spawn_with};
use crate::private::CommandRedis;
use crate::services::OwnRedisEnv;
use carstore::config::{AdminToken, ControlSpec};
use serde_json::{json, Value};
use std::time::Duration;

const TOKEN: &str = "test-admin-token-0123456789";
/// What redis-server logs as it stops and as it starts, lower-cased.
pub const STOPPED: &str = "ready to exit";
pub const STARTED: &str = "ready to accept connections";

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
    let env = OwnRedisEnv::new().await;
    let redis = CommandRedis::start();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path(), &redis.url());
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
    let mut logs = EventReader::send(app.client.get(app.url("/api/service/redis/logs"))).await;
    let says = |text: &'static str| {
        move |e: &str, d: &Value| {
            e == "log" && d["line"].as_str().unwrap().to_lowercase().contains(text)
        }
    };
    logs.until(Duration::from_secs(5), says(STARTED)).await;
    let stopped = app
        .client
        .post(app.url("/api/service/redis/stop"))
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    assert_eq!(stopped.json::<Value>().await.unwrap()["action"], "stop");
    feed.until(Duration::from_secs(3), redis("down")).await;
    logs.until(Duration::from_secs(2), says(STOPPED)).await;
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
    logs.until(Duration::from_secs(2), says(STARTED)).await;
    assert_eq!(app.get("/api/cart").await.status(), 200);

    // A restart: the window shows the old run ending and the new one starting.
    let restarted = app
        .client
        .post(app.url("/api/service/redis/restart"))
        .send()
        .await
        .unwrap();
    assert_eq!(restarted.status(), 200);
    feed.until(Duration::from_secs(3), redis("starting")).await;
    feed.until(Duration::from_secs(5), redis("up")).await;
    logs.until(Duration::from_secs(2), says(STOPPED)).await;
    logs.until(Duration::from_secs(2), says(STARTED)).await;

    let audit = app
        .client
        .get(app.url("/api/audit"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let entries = audit.as_array().unwrap();
    let actions: Vec<_> = entries
        .iter()
        .filter(|a| a["kind"] == "control")
        .map(|a| (a["action"].clone(), a["result"].clone()))
        .collect();
    assert_eq!(
        actions,
        [
            (json!("restart"), json!("ok")),
            (json!("start"), json!("ok")),
            (json!("stop"), json!("ok"))
        ],
        "newest first"
    );
    assert!(audit[0]["who"]
        .as_str()
        .unwrap()
        .starts_with("admin from 127.0.0.1"));
    let sign_in = entries.last().unwrap();
    assert_eq!(
        (&sign_in["kind"], &sign_in["via"], &sign_in["result"]),
        (&json!("sign_in"), &json!("login"), &json!("ok")),
        "the sign-in came first"
    );
    app.stop().await;
}

#[tokio::test]
async fn log_windows_need_the_token_and_a_known_service_with_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = spawn_with(settings).await;
    let get = |path: String, token: Option<&'static str>| {
        let request = app.client.get(app.url(&path));
        let request = match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    for name in ["carstore", "redis", "nope"] {
        let resp = get(format!("/api/service/{name}/logs"), None).await;
        assert_eq!(resp.status(), 401, "{name}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"],
            "admin_required"
        );
    }
    let long = "x".repeat(5000);
    for name in [
        "nope",
        "redis;rm%20-rf%20%2F",
        "..%2F..%2Fetc",
        long.as_str(),
    ] {
        let resp = get(format!("/api/service/{name}/logs"), Some(TOKEN)).await;
        assert_eq!(resp.status(), 404, "{name}");
    }
    let embedded = get("/api/service/redis/logs".into(), Some(TOKEN)).await;
    assert_eq!(embedded.status(), 409, "an embedded service has no log");
    assert_eq!(embedded.json::<Value>().await.unwrap()["error"], "no_logs");
    for query in ["tail=1001", "tail=-1", "tail=abc", "follow=1"] {
        let resp = get(format!("/api/service/carstore/logs?{query}"), Some(TOKEN)).await;
        assert_eq!(resp.status(), 400, "{query}");
    }
    let own = get("/api/service/carstore/logs?tail=10".into(), Some(TOKEN)).await;
    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["content-type"], "text/event-stream");
    let services = app.json("/api/services").await;
    assert_eq!(services[1]["logs"], false);
}
