use crate::helpers::{assert_error, get_json, shopper, spawn_app};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn first_cart_call_sets_an_httponly_samesite_session_cookie() {
    let app = spawn_app().await;
    let resp = app.get("/api/cart").await;
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("session_id="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    let id = cookie
        .trim_start_matches("session_id=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(id.len(), 64, "128 random bits and a 128-bit tag, in hex");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["session_id"], id);
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["total"], 0.0);
    assert_eq!(
        body["max_line_quantity"], 10,
        "the page reads the rule, never copies it"
    );
    // The cookie is kept: the next call sets none.
    assert!(app
        .get("/api/cart")
        .await
        .headers()
        .get("set-cookie")
        .is_none());
}

#[tokio::test]
async fn adding_a_car_twice_raises_its_quantity_and_totals_follow() {
    let app = spawn_app().await;
    let resp = app.add_to_cart(1, 1).await;
    assert_eq!(resp.status(), 201);
    let resp = app
        .send_json(Method::POST, "/api/cart", json!({ "car_id": 1 }))
        .await;
    assert_eq!(resp.status(), 201, "quantity defaults to 1");
    app.add_to_cart(29, 3).await;
    let cart = app.cart().await;
    assert_eq!(cart["items"][0]["car_id"], 1);
    assert_eq!(cart["items"][0]["quantity"], 2);
    assert_eq!(cart["items"][0]["make"], "Toyota");
    assert_eq!(cart["items"][0]["line_total"], 36000.0);
    assert_eq!(cart["items"][1]["quantity"], 3);
    assert_eq!(cart["total"], 36000.0 + 3.0 * 28000.0);
    assert_eq!(cart["count"], 5);
}

#[tokio::test]
async fn put_sets_a_quantity_zero_removes_and_delete_clears() {
    let app = spawn_app().await;
    app.add_to_cart(5, 1).await;
    app.add_to_cart(6, 1).await;
    let resp = app
        .send_json(Method::PUT, "/api/cart/5", json!({ "quantity": 4 }))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(app.cart().await["items"][0]["quantity"], 4);
    app.send_json(Method::PUT, "/api/cart/5", json!({ "quantity": 0 }))
        .await;
    assert_eq!(app.cart().await["items"].as_array().unwrap().len(), 1);
    // `0.0` is the same JSON number as `0`, as `2.0` is 2.
    app.add_to_cart(5, 1).await;
    let resp = app
        .send_raw_body(Method::PUT, "/api/cart/5", r#"{"quantity": 0.0}"#)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(app.cart().await["items"].as_array().unwrap().len(), 1);
    let resp = app
        .client
        .delete(app.url("/api/cart/6"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(app.cart().await["items"], json!([]));
    app.add_to_cart(7, 2).await;
    let resp = app
        .client
        .delete(app.url("/api/cart"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["total"], 0.0);
}

#[tokio::test]
async fn a_line_above_ten_returns_422_and_keeps_the_cart() {
    let app = spawn_app().await;
    app.add_to_cart(3, 9).await;
    assert_error(app.add_to_cart(3, 2).await, 422, "invalid_quantity").await;
    assert_error(
        app.send_json(Method::PUT, "/api/cart/3", json!({ "quantity": 11 }))
            .await,
        422,
        "invalid_quantity",
    )
    .await;
    assert_eq!(app.cart().await["items"][0]["quantity"], 9);
}

#[tokio::test]
async fn carts_are_private_to_their_session() {
    let app = spawn_app().await;
    app.add_to_cart(14, 1).await;
    let other = shopper();
    let theirs = get_json(&other, &app.url("/api/cart")).await;
    assert_eq!(theirs["items"], json!([]));
}
