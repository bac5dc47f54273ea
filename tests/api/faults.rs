//! Faults on purpose, measured on both backends: added latency within a tolerance, an error
//! ratio within statistical bounds, an outage refused like a real one (and its light `down`,
//! marked as a drill), expiry honoured, and the API's own refusals, audit and metrics.

use crate::helpers::{eventually, spawn_in_dir, TestApp};
use crate::services::{on_both_backends, RealEnv};
use carstore::config::AdminToken;
use carstore::Settings;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "faults-test-admin-token";

on_both_backends!(
    spawn: crate::faults::spawn_embedded, crate::faults::spawn_real;
    database_latency_slows_each_call_by_its_value_within_its_jitter,
    an_error_ratio_fails_its_share_of_calls_as_the_service_would,
    a_cache_outage_is_refused_like_a_real_one_and_its_light_says_drill,
    a_fault_that_expires_is_gone_after_its_time,
    latency_turns_the_light_amber_with_the_drill_named,
);

pub async fn spawn_embedded() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = with_token(Settings::for_tests(dir.path()));
    spawn_in_dir(dir, settings).await
}

#[cfg_attr(not(feature = "services"), allow(dead_code))]
pub async fn spawn_real(env: &RealEnv) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = with_token(env.settings(dir.path()));
    let app = spawn_in_dir(dir, settings).await;
    app.wait_until_ready().await;
    // Every light up first: a drill must be seen to take a service down, not the start.
    eventually("every light up", Duration::from_secs(10), async || {
        let services = app.json("/api/services").await;
        services
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["health"] == "up")
    })
    .await;
    app
}

pub fn with_token(settings: Settings) -> Settings {
    Settings {
        admin_token: Some(AdminToken::new(TOKEN.into()).unwrap()),
        ..settings
    }
}

/// Sets a fault as the admin; it must be accepted.
pub async fn set_fault(app: &TestApp, target_kind: &str, body: Value) -> Value {
    let resp = admin(app, Method::PUT, &format!("/api/faults/{target_kind}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "PUT {target_kind} {body}");
    resp.json().await.unwrap()
}

pub fn admin(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(TOKEN)
}

/// The faults in force, as the admin lists them.
pub async fn active_faults(app: &TestApp) -> Value {
    let resp = admin(app, Method::GET, "/api/faults").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// A figure of `/metrics`, by its name and labels as printed: `name{a="b",c="d"}`.
pub async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '));
    line.map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

/// How long one orders call takes: one database call (the session is the cache's).
async fn timed_orders_call(app: &TestApp) -> Duration {
    let started = Instant::now();
    assert_eq!(app.get("/api/orders").await.status(), StatusCode::OK);
    started.elapsed()
}

async fn database_latency_slows_each_call_by_its_value_within_its_jitter(app: &TestApp) {
    // The session first: a new session's orders are known to be none, with no database call.
    assert_eq!(app.get("/api/cart").await.status(), StatusCode::OK);
    let mut quickest = Duration::MAX;
    for _ in 0..5 {
        quickest = quickest.min(timed_orders_call(app).await);
    }
    set_fault(
        app,
        "database/latency",
        json!({ "value": 200, "jitter_ms": 50 }),
    )
    .await;
    let slowed = r#"carstore_faults_injected_total{target="database",kind="latency"}"#;
    let before = metric(app, slowed).await;
    for _ in 0..5 {
        let took = timed_orders_call(app).await;
        println!("orders call: {quickest:?} without the fault, {took:?} with 200 ms + up to 50");
        // At least the fault's 200 ms; how much more (jitter, a busy machine) is the figure
        // above, and the bound only catches a call held up for good.
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(30),
            "{took:?} with a 200+50 ms fault, {quickest:?} without"
        );
    }
    assert!(
        metric(app, slowed).await >= before + 5.0,
        "each slowed call counted"
    );
}

async fn an_error_ratio_fails_its_share_of_calls_as_the_service_would(app: &TestApp) {
    // The session first: a new session's orders are known to be none, with no database call.
    assert_eq!(app.get("/api/cart").await.status(), StatusCode::OK);
    set_fault(app, "database/errors", json!({ "value": 30 })).await;
    let mut refused = 0;
    for _ in 0..400 {
        let resp = app.get("/api/orders").await;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(resp.headers().contains_key("retry-after"));
                let body: Value = resp.json().await.unwrap();
                assert_eq!(
                    body["error"], "orders_unavailable",
                    "the service's usual code"
                );
                refused += 1;
            }
            other => panic!("GET /api/orders answered {other}"),
        }
    }
    // 30% of 400 has a standard deviation of about 9: 80..160 is more than four of them.
    println!("a 30% error fault refused {refused} of 400 orders calls");
    assert!((80..160).contains(&refused), "{refused} of 400 refused");
    let counted = r#"carstore_faults_injected_total{target="database",kind="errors"}"#;
    // The outbox relay and the audit writer call the database too: at least the refusals.
    assert!(metric(app, counted).await >= refused as f64);
    let active = r#"carstore_fault_active{target="database",kind="errors"}"#;
    assert_eq!(metric(app, active).await, 1.0);
}

async fn a_cache_outage_is_refused_like_a_real_one_and_its_light_says_drill(app: &TestApp) {
    assert_eq!(app.get("/api/cart").await.status(), StatusCode::OK);
    set_fault(app, "cache/outage", json!({})).await;
    let resp = app.get("/api/cart").await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"], "cart_unavailable",
        "what a real Redis outage answers"
    );
    let redis = async || {
        let services = app.json("/api/services").await;
        services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "redis")
            .unwrap()
            .clone()
    };
    eventually("the cache light down", Duration::from_secs(5), async || {
        redis().await["health"] == "down"
    })
    .await;
    assert_eq!(redis().await["detail"], "fault injected: outage");
    assert_eq!(
        redis().await["breaker"],
        "open",
        "the breaker sees a drill as an outage"
    );
    // The catalog still answers from the store, as in a real cache outage.
    assert_eq!(app.get("/api/cars").await.status(), StatusCode::OK);
    let cleared = admin(app, Method::DELETE, "/api/faults/cache/outage")
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    eventually("the cart back", Duration::from_secs(5), async || {
        app.get("/api/cart").await.status() == StatusCode::OK
    })
    .await;
    eventually("the cache light back", Duration::from_secs(5), async || {
        let health = redis().await["health"].clone();
        health == "up" || health == "embedded"
    })
    .await;
    assert!(redis().await.get("detail").is_none());
}

async fn a_fault_that_expires_is_gone_after_its_time(app: &TestApp) {
    let set = set_fault(app, "cache/outage", json!({ "expires_in_secs": 1 })).await;
    assert!(set["expires_at"].is_string(), "{set}");
    assert_eq!(
        app.get("/api/cart").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let started = Instant::now();
    eventually("the fault gone", Duration::from_secs(30), async || {
        active_faults(app).await == json!([])
    })
    .await;
    println!(
        "faults: a 1 s fault gone {} ms after it was set",
        started.elapsed().as_millis()
    );
    eventually(
        "the cart served again",
        Duration::from_secs(5),
        async || app.get("/api/cart").await.status() == StatusCode::OK,
    )
    .await;
    let active = r#"carstore_fault_active{target="cache",kind="outage"}"#;
    assert_eq!(metric(app, active).await, 0.0);
}

async fn latency_turns_the_light_amber_with_the_drill_named(app: &TestApp) {
    set_fault(app, "database/latency", json!({ "value": 30 })).await;
    let postgres = async || {
        let services = app.json("/api/services").await;
        let row = services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "postgres");
        row.unwrap().clone()
    };
    eventually(
        "the database light amber",
        Duration::from_secs(5),
        async || postgres().await["health"] == "degraded",
    )
    .await;
    assert_eq!(postgres().await["detail"], "fault injected: latency");
    assert_eq!(postgres().await["breaker"], "closed", "slow is not away");
}
