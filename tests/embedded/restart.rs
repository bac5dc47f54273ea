use crate::helpers::{eventually, spawn_app_in, TestApp};
use serde_json::Value;
use std::time::Duration;

/// Moves the shopper's cookies to a client of the restarted store (same session id).
async fn same_shopper(app: &TestApp, session: &str) -> reqwest::Client {
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(
        &format!("session_id={session}; Path=/"),
        &app.address.parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .build()
        .unwrap()
}

#[tokio::test]
async fn outbox_rows_left_unsent_are_delivered_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // First run: no worker, so the order's event stays in the outbox.
    let first = spawn_app_in(dir.path().to_owned(), false).await;
    let order_id = first.buy(&[(18, 1)]).await;
    let session = first.cart().await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stats: Value = first.json("/api/status/orders").await;
    assert_eq!(
        (stats["pending"].as_i64(), stats["outbox_backlog"].as_i64()),
        (Some(1), Some(1))
    );
    first.stop().await;

    let second = spawn_app_in(dir.path().to_owned(), true).await;
    let mut second = second;
    second.client = same_shopper(&second, &session).await;
    let order = second.wait_for_status(order_id, "processed").await;
    assert_eq!(order["order"]["customer_name"], "Ada Lovelace");
    let stats: Value = second.json("/api/status/orders").await;
    assert_eq!(stats["outbox_backlog"], 0);
}

#[tokio::test]
async fn a_restart_keeps_every_order_and_cart() {
    let dir = tempfile::tempdir().unwrap();
    let first = spawn_app_in(dir.path().to_owned(), true).await;
    let order_id = first.buy(&[(20, 1)]).await;
    first.wait_for_status(order_id, "processed").await;
    first.add_to_cart(21, 2).await;
    let cart_before = first.cart().await;
    let session = cart_before["session_id"].as_str().unwrap().to_owned();
    first.stop().await;

    let mut second = spawn_app_in(dir.path().to_owned(), true).await;
    second.client = same_shopper(&second, &session).await;
    assert_eq!(second.cart().await, cart_before);
    second.wait_for_status(order_id, "processed").await;
    let orders: Value = second.json("/api/orders").await;
    assert_eq!(orders.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn orders_taken_while_the_worker_was_away_are_each_processed_once() {
    const ORDERS: i64 = 25;
    let dir = tempfile::tempdir().unwrap();
    let first = spawn_app_in(dir.path().to_owned(), false).await;
    for i in 0..ORDERS {
        first.buy(&[(1 + i % 39, 1)]).await;
    }
    first.stop().await;

    // The relay finds them all at once and the processor settles them in batches.
    let second = spawn_app_in(dir.path().to_owned(), true).await;
    eventually(
        "every order processed",
        Duration::from_secs(10),
        async || {
            let processor = &second.json("/api/status/rabbit").await["processor"];
            processor["consumed"] == ORDERS
        },
    )
    .await;
    let status = second.json("/api/status/rabbit").await;
    let processor = &status["processor"];
    assert_eq!(
        (
            processor["processed"].as_i64(),
            processor["duplicates"].as_i64()
        ),
        (Some(ORDERS), Some(0)),
        "{status}"
    );
    let orders = second.json("/api/status/orders").await;
    assert_eq!(
        (
            orders["pending"].as_i64(),
            orders["outbox_backlog"].as_i64()
        ),
        (Some(0), Some(0)),
        "{orders}"
    );
}
