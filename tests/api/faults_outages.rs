//! A database drill on both backends: refused exactly as a real Postgres outage is (the orders'
//! 503 with Retry-After, the cart kept, the replica not ready), and over once it is cleared.

use crate::faults::{admin, set_fault};
use crate::helpers::{assert_error, eventually, TestApp};
use crate::services::on_both_backends;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    spawn: crate::faults::spawn_embedded, crate::faults::spawn_real;
    a_database_outage_is_refused_like_a_real_one_and_ends_when_cleared
);

async fn a_database_outage_is_refused_like_a_real_one_and_ends_when_cleared(app: &TestApp) {
    assert_eq!(app.add_to_cart(5, 1).await.status(), StatusCode::CREATED);
    set_fault(app, "database/outage", json!({})).await;
    assert_error(app.get("/api/orders").await, 503, "orders_unavailable").await;
    let refused = app.checkout("Ada Lovelace", "ada@example.com").await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    eventually(
        "the replica not ready",
        Duration::from_secs(5),
        async || app.get("/readyz").await.status() == StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    let lines = app.cart().await["items"].as_array().map_or(0, Vec::len);
    assert_eq!(lines, 1, "the cart is kept through the outage");
    let cleared = admin(app, Method::DELETE, "/api/faults/database/outage")
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    eventually(
        "the replica ready again",
        Duration::from_secs(5),
        async || app.get("/readyz").await.status() == StatusCode::OK,
    )
    .await;
    let placed = app.checkout("Ada Lovelace", "ada@example.com").await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let id = placed.json::<serde_json::Value>().await.unwrap()["order_id"]
        .as_i64()
        .unwrap();
    app.wait_for_status(id, "processed").await;
    assert_eq!(app.order_count().await, 1);
}
