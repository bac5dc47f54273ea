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

/// What a bad request sends: a JSON value, or bytes that may not be JSON at all.
enum Body {
    Json(Value),
    Raw(&'static str),
}

/// One bad request and the answer it must get.
struct Case {
    method: Method,
    path: &'static str,
    body: Body,
    status: u16,
    code: &'static str,
}

fn case(method: Method, path: &'static str, body: Body, status: u16, code: &'static str) -> Case {
    Case {
        method,
        path,
        body,
        status,
        code,
    }
}

fn add(body: Value, status: u16, code: &'static str) -> Case {
    case(Method::POST, "/api/cart", Body::Json(body), status, code)
}

fn checkout(body: Value, status: u16, code: &'static str) -> Case {
    case(
        Method::POST,
        "/api/checkout",
        Body::Json(body),
        status,
        code,
    )
}

fn customer(name: &str, email: &str) -> Value {
    json!({ "customer_name": name, "customer_email": email })
}

/// Every bad input the contract names, by the part of the request that is wrong.
fn cases() -> Vec<Case> {
    let padding = "x".repeat(70 * 1024);
    let mut cases = vec![
        // Not JSON at all.
        case(
            Method::POST,
            "/api/cart",
            Body::Raw("car_id=3"),
            400,
            "invalid_json",
        ),
        case(
            Method::POST,
            "/api/checkout",
            Body::Raw("{\"customer_name\":"),
            400,
            "invalid_json",
        ),
        case(
            Method::POST,
            "/api/cart",
            Body::Raw(""),
            400,
            "invalid_json",
        ),
        // JSON of the wrong shape.
        add(json!({ "car_id": "3" }), 400, "invalid_request"),
        add(json!({ "quantity": 1 }), 400, "invalid_request"),
        add(json!({ "car_id": 3.5 }), 400, "invalid_request"),
        add(json!([3]), 400, "invalid_request"),
        add(json!(null), 400, "invalid_request"),
        checkout(json!({ "customer_name": "Ada" }), 400, "invalid_request"),
        checkout(
            json!({ "customer_name": 7, "customer_email": "a@b.co" }),
            400,
            "invalid_request",
        ),
        // Unknown cars.
        add(
            json!({ "car_id": 999, "quantity": 1 }),
            404,
            "car_not_found",
        ),
        add(json!({ "car_id": -1, "quantity": 1 }), 404, "car_not_found"),
        case(
            Method::PUT,
            "/api/cart/999",
            Body::Json(json!({ "quantity": 1 })),
            404,
            "car_not_found",
        ),
        // Too large.
        add(
            json!({ "car_id": 3, "quantity": 1, "padding": padding }),
            413,
            "payload_too_large",
        ),
        checkout(
            customer(&padding, "ada@example.com"),
            413,
            "payload_too_large",
        ),
        case(
            Method::PUT,
            "/api/cart/1",
            Body::Json(json!({ "quantity": -1 })),
            422,
            "invalid_quantity",
        ),
    ];
    for q in [
        json!(-1),
        json!(0),
        json!(1e9),
        json!(11),
        json!(9_223_372_036_854_775_807i64),
    ] {
        cases.push(add(
            json!({ "car_id": 3, "quantity": q }),
            422,
            "invalid_quantity",
        ));
    }
    // The contract says an integer: null is not "leave it out".
    cases.push(add(
        json!({ "car_id": 2, "quantity": null }),
        422,
        "invalid_quantity",
    ));
    for q in [json!("2"), json!(1.5), json!(true)] {
        cases.push(add(
            json!({ "car_id": 3, "quantity": q }),
            400,
            "invalid_request",
        ));
    }
    let long_name = "a".repeat(10_000);
    for name in [
        "",
        "   ",
        &long_name,
        "Ada\u{0}Lovelace",
        "Ada\u{1b}[31m",
        "Ada\nLovelace",
    ] {
        cases.push(checkout(
            customer(name, "ada@example.com"),
            422,
            "invalid_customer_name",
        ));
    }
    for email in [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada @example.com",
        "a@b@example.com",
    ] {
        cases.push(checkout(
            customer("Ada", email),
            422,
            "invalid_customer_email",
        ));
    }
    cases
}

#[tokio::test]
async fn every_bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let (app, before) = app_with_a_cart().await;
    for case in cases() {
        let resp = match case.body {
            Body::Json(body) => app.send_json(case.method, case.path, body).await,
            Body::Raw(body) => app.send_raw_body(case.method, case.path, body).await,
        };
        assert_error(resp, case.status, case.code).await;
        assert_unchanged(&app, &before).await;
    }
}

#[tokio::test]
async fn an_absent_quantity_adds_one() {
    let app = spawn_app().await;
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
    // Routes registered one method at a time answer 405 too, not the 404 of an unknown path.
    for (method, path) in [
        (Method::PATCH, "/api/cart"),
        (Method::PUT, "/api/orders"),
        (Method::DELETE, "/api/cars/1"),
        (Method::POST, "/api/status/redis"),
        (Method::POST, "/healthz"),
    ] {
        let resp = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_error(resp, 405, "method_not_allowed").await;
    }
    // The web page's routes take GET and HEAD, and say so.
    let resp = app.client.post(app.url("/")).send().await.unwrap();
    assert_eq!(resp.headers()["allow"], "GET, HEAD");
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
        // Well formed, but not issued by this store: a planted id, an older client's UUID.
        "session_id=0123456789abcdef0123456789abcdef",
        "session_id=0b6f3e0c-6c1e-4f5a-9d84-2a7c1f0e9b11",
        "session_id=4f1d2c3b4a5968778695a4b3c2d1e0f04f1d2c3b4a5968778695a4b3c2d1e0f0",
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
        let issued = body["session_id"].as_str().unwrap();
        assert_eq!(issued.len(), 64);
        assert!(!cookie.contains(issued), "a new id, not the one sent");
    }
}
