//! One scenario, two backends: every story here runs against the embedded adapters and against
//! real Postgres, Redis and RabbitMQ, through the same HTTP API.

use crate::helpers::{get_json, shopper, TestApp};
use crate::services::on_both_backends;
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    a_cart_takes_adds_changes_and_removals,
    parallel_adds_on_one_session_lose_no_update,
    an_order_is_processed_once_and_only_its_session_sees_it,
    a_retried_checkout_returns_the_same_order,
    racing_checkouts_buy_one_cart_once,
    hostile_text_is_stored_and_returned_byte_for_byte,
    status_probes_answer_with_counts,
);

async fn a_cart_takes_adds_changes_and_removals(app: &TestApp) {
    assert_eq!(app.add_to_cart(5, 2).await.status(), 201);
    assert_eq!(app.add_to_cart(5, 1).await.status(), 201);
    assert_eq!(app.add_to_cart(30, 1).await.status(), 201);
    let cart = app.cart().await;
    assert_eq!(cart["items"][0]["car_id"], 5);
    assert_eq!(cart["items"][0]["quantity"], 3);
    assert_eq!(cart["total"], 3.0 * 36000.0 + 19000.0);
    assert_eq!(app.add_to_cart(5, 8).await.status(), 422, "a line above 10");
    app.send_json(Method::PUT, "/api/cart/5", json!({ "quantity": 10 }))
        .await;
    assert_eq!(app.cart().await["items"][0]["quantity"], 10);
    app.send_json(Method::PUT, "/api/cart/5", json!({ "quantity": 0 }))
        .await;
    assert_eq!(app.cart().await["items"].as_array().unwrap().len(), 1);
    app.client
        .delete(app.url("/api/cart/30"))
        .send()
        .await
        .unwrap();
    assert_eq!(app.cart().await["items"], json!([]));
    app.add_to_cart(31, 1).await;
    app.client
        .delete(app.url("/api/cart"))
        .send()
        .await
        .unwrap();
    assert_eq!(app.cart().await["items"], json!([]));
}

async fn parallel_adds_on_one_session_lose_no_update(app: &TestApp) {
    app.get("/api/cart").await;
    let adds = (0..10).map(|_| app.add_to_cart(12, 1));
    let statuses: Vec<u16> = join_all(adds)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|&s| s == 201), "{statuses:?}");
    assert_eq!(app.cart().await["items"][0]["quantity"], 10);
    assert_eq!(app.add_to_cart(12, 1).await.status(), 422);
}

async fn an_order_is_processed_once_and_only_its_session_sees_it(app: &TestApp) {
    let id = app.buy(&[(1, 2), (23, 1)]).await;
    let order = app.wait_for_status(id, "processed").await;
    assert_eq!(order["order"]["total"], 2.0 * 18000.0 + 112000.0);
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.cart().await["items"], json!([]));
    let stranger = shopper();
    stranger.get(app.url("/api/cart")).send().await.unwrap();
    let resp = stranger
        .get(app.url(&format!("/api/orders/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let mine = app.json("/api/orders").await;
    assert_eq!(mine[0]["id"], id);
}

async fn a_retried_checkout_returns_the_same_order(app: &TestApp) {
    app.add_to_cart(9, 1).await;
    let body = json!({ "customer_name": "Grace Hopper", "customer_email": "grace@example.com" });
    let send = || {
        app.client
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", "k-1")
            .json(&body)
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.json::<Value>().await.unwrap()["order_id"],
        first["order_id"]
    );
    assert_eq!(app.order_count().await, 1);
    // A new key is a new checkout, and the cart it would buy is already bought.
    let other = app
        .client
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", "k-2");
    assert_eq!(other.json(&body).send().await.unwrap().status(), 400);
}

async fn racing_checkouts_buy_one_cart_once(app: &TestApp) {
    app.add_to_cart(2, 3).await;
    let attempts = (0..8).map(|_| app.checkout("Ada", "ada@example.com"));
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    // The others find the cart bought (400 cart_empty) or still being bought (409).
    assert!(
        statuses.iter().all(|&s| [201, 400, 409].contains(&s)),
        "{statuses:?}"
    );
    assert_eq!(app.order_count().await, 1);
}

async fn hostile_text_is_stored_and_returned_byte_for_byte(app: &TestApp) {
    let names = [
        "'; DROP TABLE orders; --",
        "Robert\"); DELETE FROM cars WHERE (\"1\"=\"1",
        "Zoë Ångström-Łukasiewicz 山田太郎 🚗",
        "\\x00 %s %n {} $1 ' \" ` ; --",
        &"長".repeat(200),
    ];
    for name in names {
        app.add_to_cart(7, 1).await;
        let resp = app.checkout(name, "o'brien+test@example.com").await;
        assert_eq!(resp.status(), 201, "{name}");
        let id = resp.json::<Value>().await.unwrap()["order_id"].clone();
        let order = app.json(&format!("/api/orders/{id}")).await;
        assert_eq!(order["order"]["customer_name"], name);
        assert_eq!(order["order"]["customer_email"], "o'brien+test@example.com");
    }
    assert_eq!(app.order_count().await, names.len() as i64);
    let cars = get_json(&app.client, &app.url("/api/cars")).await;
    assert_eq!(
        cars.as_array().unwrap().len(),
        39,
        "the catalog is untouched"
    );
}

async fn status_probes_answer_with_counts(app: &TestApp) {
    let id = app.buy(&[(3, 1)]).await;
    app.wait_for_status(id, "processed").await;
    let orders = app.json("/api/status/orders").await;
    assert_eq!(
        (orders["count"].as_i64(), orders["pending"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(["OK", "EMBEDDED"].contains(&orders["orders"].as_str().unwrap()));
    let redis = app.json("/api/status/redis").await;
    assert_eq!(redis["ping"], true);
    let rabbit = app.json("/api/status/rabbit").await;
    assert_eq!(rabbit["consumers"], 1);
    assert_eq!(rabbit["messages"], 0);
}
