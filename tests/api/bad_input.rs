//! Every bad input gets a clear 4xx JSON error and changes nothing.

use crate::helpers::{assert_error, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A store with one Toyota in the cart, to check that refused requests leave it alone.
async fn app_with_a_cart() -> (TestApp, Value) {
    let app = spawn_app().await;
    app.add_to_cart(1, 1).await;
    let cart = app.cart().await;
    (app, cart)
}

async fn assert_unchanged(app: &TestApp, before: &Value) {
    assert_eq!(&app.cart().await, before, "the cart changed");
    assert_eq!(app.order_count().await, 0, "an order was created");
}

#[tokio::test]
async fn a_body_that_is_not_json_returns_400() {
    let (app, before) = app_with_a_cart().await;
    assert_error(
        app.send_raw_body(Method::POST, "/api/cart", "car_id=3")
            .await,
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        app.send_raw_body(Method::POST, "/api/checkout", "{\"customer_name\":")
            .await,
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        app.send_raw_body(Method::POST, "/api/cart", "").await,
        400,
        "invalid_json",
    )
    .await;
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn car_id_as_a_string_or_missing_returns_400() {
    let (app, before) = app_with_a_cart().await;
    for body in [
        json!({ "car_id": "3" }),
        json!({ "quantity": 1 }),
        json!({ "car_id": 3.5 }),
        json!([3]),
        json!(null),
    ] {
        assert_error(
            app.send_json(Method::POST, "/api/cart", body).await,
            400,
            "invalid_request",
        )
        .await;
    }
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn a_null_quantity_returns_422_and_an_absent_one_adds_one() {
    let (app, before) = app_with_a_cart().await;
    let resp = app
        .send_json(
            Method::POST,
            "/api/cart",
            json!({ "car_id": 2, "quantity": null }),
        )
        .await;
    assert_error(resp, 422, "invalid_quantity").await;
    assert_unchanged(&app, &before).await;
    let resp = app
        .send_json(Method::POST, "/api/cart", json!({ "car_id": 2 }))
        .await;
    assert_eq!(resp.status(), 201);
    let cart = app.cart().await;
    let line = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["car_id"] == 2);
    assert_eq!(line.expect("car 2 added")["quantity"], 1, "{cart}");
}

#[tokio::test]
async fn negative_zero_and_huge_quantities_return_422() {
    let (app, before) = app_with_a_cart().await;
    for q in [
        json!(-1),
        json!(0),
        json!(1e9),
        json!(11),
        json!(9_223_372_036_854_775_807i64),
    ] {
        let resp = app
            .send_json(
                Method::POST,
                "/api/cart",
                json!({ "car_id": 3, "quantity": q }),
            )
            .await;
        assert_error(resp, 422, "invalid_quantity").await;
    }
    let resp = app
        .send_json(Method::PUT, "/api/cart/1", json!({ "quantity": -1 }))
        .await;
    assert_error(resp, 422, "invalid_quantity").await;
    for q in [json!("2"), json!(1.5), json!(true)] {
        let resp = app
            .send_json(
                Method::POST,
                "/api/cart",
                json!({ "car_id": 3, "quantity": q }),
            )
            .await;
        assert_error(resp, 400, "invalid_request").await;
    }
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn an_unknown_car_returns_404() {
    let (app, before) = app_with_a_cart().await;
    assert_error(app.add_to_cart(999, 1).await, 404, "car_not_found").await;
    assert_error(app.add_to_cart(-1, 1).await, 404, "car_not_found").await;
    assert_error(
        app.send_json(Method::PUT, "/api/cart/999", json!({ "quantity": 1 }))
            .await,
        404,
        "car_not_found",
    )
    .await;
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn a_body_over_64_kib_returns_413() {
    let (app, before) = app_with_a_cart().await;
    let padding = "x".repeat(70 * 1024);
    let body = json!({ "car_id": 3, "quantity": 1, "padding": padding });
    assert_error(
        app.send_json(Method::POST, "/api/cart", body).await,
        413,
        "payload_too_large",
    )
    .await;
    let body = json!({ "customer_name": padding, "customer_email": "ada@example.com" });
    assert_error(
        app.send_json(Method::POST, "/api/checkout", body).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn bad_customer_names_return_422() {
    let (app, before) = app_with_a_cart().await;
    for name in [
        "",
        "   ",
        &"a".repeat(10_000),
        "Ada\u{0}Lovelace",
        "Ada\u{1b}[31m",
        "Ada\nLovelace",
    ] {
        let resp = app.checkout(name, "ada@example.com").await;
        assert_error(resp, 422, "invalid_customer_name").await;
    }
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn invalid_emails_return_422() {
    let (app, before) = app_with_a_cart().await;
    for email in [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada @example.com",
        "a@b@example.com",
    ] {
        assert_error(
            app.checkout("Ada", email).await,
            422,
            "invalid_customer_email",
        )
        .await;
    }
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn checkout_fields_of_the_wrong_type_or_missing_return_400() {
    let (app, before) = app_with_a_cart().await;
    for body in [
        json!({ "customer_name": "Ada" }),
        json!({ "customer_name": 7, "customer_email": "a@b.co" }),
    ] {
        assert_error(
            app.send_json(Method::POST, "/api/checkout", body).await,
            400,
            "invalid_request",
        )
        .await;
    }
    assert_unchanged(&app, &before).await;
}

#[tokio::test]
async fn checkout_with_an_empty_cart_returns_400() {
    let app = spawn_app().await;
    app.get("/api/cart").await;
    assert_error(
        app.checkout("Ada", "ada@example.com").await,
        400,
        "cart_empty",
    )
    .await;
    assert_eq!(app.order_count().await, 0);
}

#[tokio::test]
async fn unknown_api_routes_are_json_404_and_wrong_methods_json_405() {
    let app = spawn_app().await;
    for path in ["/api/nope", "/api/cars/1/extra", "/api/", "/api"] {
        assert_error(app.get(path).await, 404, "not_found").await;
    }
    let resp = app.client.patch(app.url("/api/cart")).send().await.unwrap();
    assert_error(resp, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn path_tricks_on_asset_routes_return_404() {
    let app = spawn_app().await;
    for path in [
        "/../Cargo.toml",
        "/assets/x/../../Cargo.toml",
        "/assets/x/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/x/..%2f..%2fCargo.toml",
        "/assets/x//etc/passwd",
        "/assets/x/js/../../../src/main.rs",
        "/images/cars/../../Cargo.toml",
        "/web/index.html",
        "/Cargo.toml",
    ] {
        let (status, text) = app
            .raw(&format!(
                "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            ))
            .await;
        assert_eq!(status, 404, "{path}");
        assert!(
            !text.contains("[package]") && !text.contains("fn main"),
            "{path} leaked a file"
        );
    }
}

#[tokio::test]
async fn an_invalid_session_cookie_is_a_new_empty_session() {
    let (app, _) = app_with_a_cart().await;
    for cookie in [
        "session_id=short",
        "session_id=../../etc/passwd",
        "session_id=%00%00",
        "session_id=",
    ] {
        let resp = reqwest::Client::new()
            .get(app.url("/api/cart"))
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{cookie}");
        let set = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            set.starts_with("session_id="),
            "a new session is issued for {cookie}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["items"], json!([]));
        assert_eq!(body["session_id"].as_str().unwrap().len(), 32);
    }
}
