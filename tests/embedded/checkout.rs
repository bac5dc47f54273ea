use crate::helpers::{assert_error, shopper, spawn_app};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn checkout_creates_an_order_that_the_processor_settles() {
    let app = spawn_app().await;
    app.add_to_cart(1, 2).await;
    app.add_to_cart(23, 1).await;
    let resp = app.checkout("  Ada Lovelace ", "ada@example.com").await;
    assert_eq!(resp.status(), 201);
    let placed: Value = resp.json().await.unwrap();
    assert_eq!(placed["status"], "created");
    let id = placed["order_id"].as_i64().unwrap();
    assert_eq!(app.cart().await["items"], json!([]), "the cart is emptied");
    let order = app.wait_for_status(id, "processed").await;
    assert_eq!(order["order"]["id"], id);
    assert_eq!(order["order"]["total"], 2.0 * 18000.0 + 112000.0);
    assert_eq!(order["order"]["customer_name"], "Ada Lovelace");
    assert_eq!(order["order"]["customer_email"], "ada@example.com");
    assert!(order["order"]["created_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    assert_eq!(
        order["items"],
        json!([
            { "car_id": 1, "quantity": 2, "price": 18000.0, "price_cents": 1_800_000 },
            { "car_id": 23, "quantity": 1, "price": 112000.0, "price_cents": 11_200_000 },
        ])
    );
}

#[tokio::test]
async fn older_clients_may_send_the_session_in_the_body() {
    let app = spawn_app().await;
    let cart = {
        app.add_to_cart(4, 1).await;
        app.cart().await
    };
    let session = cart["session_id"].as_str().unwrap().to_owned();
    // A client without the cookie, naming the session in the body, as the old SPA did.
    let bare = reqwest::Client::new();
    let body = json!({ "customer_name": "Ada", "customer_email": "ada@example.com", "session_id": session });
    let resp = bare
        .post(app.url("/api/checkout"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    // `session_id: null` falls back to the cookie.
    app.add_to_cart(5, 1).await;
    let body =
        json!({ "customer_name": "Ada", "customer_email": "ada@example.com", "session_id": null });
    assert_eq!(
        app.send_json(Method::POST, "/api/checkout", body)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn checkout_without_any_session_returns_400_no_session() {
    let app = spawn_app().await;
    let resp = shopper()
        .post(app.url("/api/checkout"))
        .json(&json!({ "customer_name": "Ada", "customer_email": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    assert_error(resp, 400, "no_session").await;
}

#[tokio::test]
async fn a_malformed_idempotency_key_is_refused_and_nothing_is_bought() {
    let app = spawn_app().await;
    app.add_to_cart(8, 1).await;
    let resp = app
        .client
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", "x".repeat(300))
        .json(&json!({ "customer_name": "Ada", "customer_email": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    assert_error(resp, 400, "invalid_idempotency_key").await;
    assert_eq!(app.cart().await["items"][0]["car_id"], 8);
    assert_eq!(app.order_count().await, 0);
}
