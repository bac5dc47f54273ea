use crate::helpers::{spawn_app_in, TestApp};
use serde_json::Value;

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
