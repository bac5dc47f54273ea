//! Faults on the order pipeline and on the store itself: a poison event dead-lettered with no
//! order lost or doubled, a slow processor, a queue outage the outbox rides out, failed answers
//! on one route, and the API's refusals.

use crate::faults::{active_faults, admin, metric, set_fault, spawn_embedded};
use crate::helpers::{assert_error, eventually, TestApp};
use crate::services::on_both_backends;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_backends!(
    spawn: crate::faults::spawn_embedded, crate::faults::spawn_real;
    a_poison_event_ends_in_the_dead_letter_queue_and_no_order_is_lost_or_doubled,
    a_slow_processor_takes_its_time_over_each_event,
    a_queue_outage_holds_orders_in_the_outbox_until_it_ends_and_is_audited,
);

async fn rabbit(app: &TestApp) -> Value {
    app.json("/api/status/rabbit").await
}

async fn a_poison_event_ends_in_the_dead_letter_queue_and_no_order_is_lost_or_doubled(
    app: &TestApp,
) {
    set_fault(app, "processor/poison", json!({ "value": 1 })).await;
    let poisoned = app.buy(&[(3, 1)]).await;
    eventually(
        "the poison dead-lettered",
        Duration::from_secs(20),
        async || rabbit(app).await["dead_lettered"] == 1,
    )
    .await;
    app.wait_for_status(poisoned, "failed").await;
    let after = app.buy(&[(4, 1)]).await; // the poison is used up
    app.wait_for_status(after, "processed").await;
    let status = rabbit(app).await;
    assert_eq!(status["dead_lettered"], 1, "{status}");
    assert_eq!(status["processor"]["processed"], 1, "{status}");
    assert_eq!(status["processor"]["duplicates"], 0, "{status}");
    assert_eq!(app.order_count().await, 2, "no order lost, none doubled");
    let orders: Value = app.json("/api/orders").await;
    assert_eq!(orders.as_array().unwrap().len(), 2, "{orders}");
    assert_eq!(
        active_faults(app).await,
        json!([]),
        "a poison fault ends after its last message"
    );
    let taken = r#"carstore_faults_injected_total{target="processor",kind="poison"}"#;
    assert_eq!(metric(app, taken).await, 1.0);
}

async fn a_slow_processor_takes_its_time_over_each_event(app: &TestApp) {
    set_fault(app, "processor/slow", json!({ "value": 700 })).await;
    let started = Instant::now();
    let id = app.buy(&[(2, 1)]).await;
    app.wait_for_status(id, "processed").await;
    let took = started.elapsed();
    println!("an order processed in {took:?} with a 700 ms slow processor");
    assert!(took >= Duration::from_millis(700), "{took:?}");
    let slowed = r#"carstore_faults_injected_total{target="processor",kind="slow"}"#;
    assert!(metric(app, slowed).await >= 1.0);
}

async fn a_queue_outage_holds_orders_in_the_outbox_until_it_ends_and_is_audited(app: &TestApp) {
    set_fault(app, "queue/outage", json!({})).await;
    let id = app.buy(&[(6, 1)]).await; // shoppers are not refused: the order waits
    eventually(
        "the outbox holding it",
        Duration::from_secs(5),
        async || app.json("/api/status/orders").await["outbox_backlog"] == 1,
    )
    .await;
    let light = async || {
        let services = app.json("/api/services").await;
        let rabbit = services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "rabbit");
        rabbit.unwrap().clone()
    };
    eventually("the queue light down", Duration::from_secs(5), async || {
        light().await["health"] == "down"
    })
    .await;
    assert_eq!(light().await["detail"], "fault injected: outage");
    assert_eq!(
        app.json(&format!("/api/orders/{id}")).await["order"]["status"],
        "pending"
    );
    let cleared = admin(app, Method::DELETE, "/api/faults")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cleared.json::<Value>().await.unwrap(),
        json!({ "cleared": 1 })
    );
    app.wait_for_status(id, "processed").await;
    assert_eq!(app.order_count().await, 1);
    let audit: Value = admin(app, Method::GET, "/api/audit")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let changes: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "fault")
        .collect();
    assert_eq!(changes.len(), 2, "{audit}");
    assert_eq!(
        (&changes[0]["target"], &changes[0]["change"]),
        (&json!(null), &json!("clear all"))
    );
    assert_eq!(
        (&changes[1]["target"], &changes[1]["change"]),
        (&json!("queue"), &json!("set outage"))
    );
    assert!(changes[1]["who"]
        .as_str()
        .unwrap()
        .starts_with("admin from"));
}

#[tokio::test]
async fn store_errors_fail_their_route_only_and_never_the_faults_probes_or_metrics() {
    let app = spawn_embedded().await;
    let on_cart = json!({ "value": 100, "route": "/api/cart" });
    set_fault(&app, "store/errors", on_cart).await;
    assert_error(app.get("/api/cart").await, 503, "fault_injected").await;
    let resp = app.get("/api/cart/items/1").await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(app.get("/api/cars").await.status(), StatusCode::OK);
    // A route pattern as the metrics name it fails the requests it matches.
    let on_one_car = json!({ "value": 100, "route": "/api/cars/{id}" });
    set_fault(&app, "store/errors", on_one_car).await;
    assert_error(app.get("/api/cars/1").await, 503, "fault_injected").await;
    assert_eq!(app.get("/api/cars").await.status(), StatusCode::OK);
    set_fault(&app, "store/errors", json!({ "value": 100 })).await;
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    active_faults(&app).await; // answered 200 through a store failing every request
    set_fault(&app, "store/errors", json!({ "value": 40 })).await;
    let mut refused = 0;
    for _ in 0..300 {
        refused += usize::from(app.get("/api/cars").await.status() == 503);
    }
    // 40% of 300 has a standard deviation of about 8.5: 80..160 is more than four of them.
    println!("a 40% store fault refused {refused} of 300 catalog requests");
    assert!((80..160).contains(&refused), "{refused} of 300 refused");
}

#[tokio::test]
async fn the_faults_api_refuses_strangers_unknown_faults_and_values_out_of_range() {
    let app = spawn_embedded().await;
    let stranger = reqwest::Client::new();
    for (method, path) in [
        (Method::GET, "/api/faults"),
        (Method::PUT, "/api/faults/cache/outage"),
        (Method::DELETE, "/api/faults/cache/outage"),
        (Method::DELETE, "/api/faults"),
    ] {
        let resp = stranger
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_error(resp, 401, "admin_required").await;
    }
    let put = async |path: &str, body: Value| {
        admin(&app, Method::PUT, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let cases = [
        (
            "/api/faults/disk/latency",
            json!({ "value": 5 }),
            404,
            "unknown_target",
        ),
        (
            "/api/faults/cache/lag",
            json!({ "value": 5 }),
            404,
            "unknown_fault",
        ),
        (
            "/api/faults/store/outage",
            json!({}),
            404,
            "fault_not_for_target",
        ),
        (
            "/api/faults/database/poison",
            json!({ "value": 1 }),
            404,
            "fault_not_for_target",
        ),
        (
            "/api/faults/database/latency",
            json!({}),
            422,
            "value_missing",
        ),
        (
            "/api/faults/database/errors",
            json!({ "value": 0 }),
            422,
            "value_out_of_range",
        ),
        (
            "/api/faults/database/errors",
            json!({ "value": 101 }),
            422,
            "value_out_of_range",
        ),
        (
            "/api/faults/queue/outage",
            json!({ "value": 3 }),
            422,
            "value_not_used",
        ),
        (
            "/api/faults/cache/latency",
            json!({ "value": 5, "expires_in_secs": 0 }),
            422,
            "expiry_out_of_range",
        ),
        (
            "/api/faults/store/errors",
            json!({ "value": 5, "route": "/api/faults" }),
            422,
            "route_exempt",
        ),
    ];
    for (path, body, status, code) in cases {
        assert_error(put(path, body).await, status, code).await;
    }
    assert_eq!(
        active_faults(&app).await,
        json!([]),
        "nothing refused was stored"
    );
}
