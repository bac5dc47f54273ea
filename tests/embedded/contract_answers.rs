//! Real answers of a live store against the contract: one walk through every documented
//! operation, each answer's status, content type, required headers and body checked against the
//! document. A field the code adds, renames or retypes without the document fails here.

use crate::contract::operations;
use crate::contract_accounts::accounts_side;
use crate::contract_ops::ops_side;
use crate::helpers::{spawn_in_dir, TestApp};
use crate::schema;
use carstore::config::{AdminToken, ControlSpec};
use carstore::Settings;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub const TOKEN: &str = "contract-test-admin-token";

pub struct Walk {
    pub app: TestApp,
    pub doc: Value,
    admin: reqwest::Client,
    seen: BTreeSet<(String, String)>,
}

impl Walk {
    pub async fn start() -> Walk {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_tests(dir.path());
        settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
        // Redis runs embedded; a control whose commands do nothing lets a control action
        // succeed, so the audit log holds one. The others keep no control (409).
        settings.control.redis = Some(ControlSpec::Command {
            start: "true".into(),
            stop: "true".into(),
            restart: None,
            log_file: None,
        });
        let app = spawn_in_dir(dir, settings).await;
        let doc = app.json("/api/openapi.json").await;
        let mut auth = reqwest::header::HeaderMap::new();
        auth.insert("Authorization", format!("Bearer {TOKEN}").parse().unwrap());
        let admin = reqwest::Client::builder()
            .default_headers(auth)
            .build()
            .unwrap();
        Walk {
            app,
            doc,
            admin,
            seen: BTreeSet::new(),
        }
    }

    /// As the shopper (who keeps a cookie), or as the admin: sends, checks, returns the body.
    pub async fn call(
        &mut self,
        m: Method,
        pattern: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let req = self.app.client.request(m.clone(), self.app.url(path));
        self.send(req, m, pattern, body, status).await
    }

    pub async fn admin(
        &mut self,
        m: Method,
        pattern: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let req = self.admin.request(m.clone(), self.app.url(path));
        self.send(req, m, pattern, body, status).await
    }

    /// Any request, checked the same way.
    pub async fn send(
        &mut self,
        req: RequestBuilder,
        method: Method,
        pattern: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let resp = req.send().await.unwrap();
        let what = format!("{method} {pattern} -> {}", resp.status().as_u16());
        assert_eq!(resp.status().as_u16(), status, "{what}: expected {status}");
        let op = &self.doc["paths"][pattern][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{what}: not in the document");
        self.seen.insert((method.to_string(), pattern.to_owned()));
        let mut documented = &op["responses"][resp.status().as_str()];
        assert!(!documented.is_null(), "{what}: status not documented");
        if let Some(r) = documented.get("$ref") {
            documented = schema::resolve(&self.doc, r);
        }
        for (name, header) in documented["headers"].as_object().into_iter().flatten() {
            if header["required"] == true {
                assert!(
                    resp.headers().contains_key(name.as_str()),
                    "{what}: no {name}"
                );
            }
        }
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        let (media, spec) = documented["content"]
            .as_object()
            .unwrap()
            .iter()
            .next()
            .unwrap();
        assert!(
            content_type.starts_with(media.as_str()),
            "{what}: {content_type}"
        );
        if media != "application/json" {
            return Value::Null; // streams never end, and the metrics are text
        }
        let body: Value = resp.json().await.unwrap();
        let errors = schema::errors(&self.doc, &spec["schema"], &body);
        assert!(errors.is_empty(), "{what}: {errors:#?}\n{body}");
        body
    }
}

#[tokio::test]
async fn every_operation_answers_as_the_document_says() {
    let mut w = Walk::start().await;
    use Method as M;
    w.call(M::GET, "/api/openapi.json", "/api/openapi.json", None, 200)
        .await;
    w.call(
        M::GET,
        "/api/cars",
        "/api/cars?category=suv&sort=price_desc&q=a",
        None,
        200,
    )
    .await;
    w.call(M::GET, "/api/cars", "/api/cars?category=boats", None, 422)
        .await;
    w.call(M::GET, "/api/cars/{id}", "/api/cars/1", None, 200)
        .await;
    w.call(M::GET, "/api/cars/{id}", "/api/cars/999999", None, 404)
        .await;
    w.call(M::GET, "/api/categories", "/api/categories", None, 200)
        .await;

    let cart = "/api/cart";
    w.call(M::GET, cart, cart, None, 200).await;
    w.call(
        M::POST,
        cart,
        cart,
        Some(json!({ "car_id": 1, "quantity": 2 })),
        201,
    )
    .await;
    w.call(M::POST, cart, cart, Some(json!({ "car_id": 2 })), 201)
        .await;
    w.call(
        M::POST,
        cart,
        cart,
        Some(json!({ "car_id": 1, "quantity": 10 })),
        422,
    )
    .await;
    w.call(M::POST, cart, cart, Some(json!({ "car_id": 999999 })), 404)
        .await;
    w.call(M::POST, cart, cart, Some(json!({ "quantity": 1 })), 400)
        .await;
    let line = "/api/cart/{car_id}";
    w.call(
        M::PUT,
        line,
        "/api/cart/1",
        Some(json!({ "quantity": 3 })),
        200,
    )
    .await;
    w.call(
        M::PUT,
        line,
        "/api/cart/1",
        Some(json!({ "quantity": 11 })),
        422,
    )
    .await;
    w.call(M::DELETE, line, "/api/cart/2", None, 200).await;
    w.call(M::DELETE, line, "/api/cart/x", None, 404).await;

    let checkout = "/api/checkout";
    let ada = json!({ "customer_name": "Ada Lovelace", "customer_email": "ada@example.com" });
    w.call(
        M::POST,
        checkout,
        checkout,
        Some(json!({ "customer_name": "Ada", "customer_email": "no" })),
        422,
    )
    .await;
    let placed = w
        .call(M::POST, checkout, checkout, Some(ada.clone()), 201)
        .await;
    w.call(M::POST, checkout, checkout, Some(ada), 400).await; // the cart is empty now
    w.call(M::GET, "/api/orders", "/api/orders", None, 200)
        .await;
    let order = format!("/api/orders/{}", placed["order_id"]);
    w.call(M::GET, "/api/orders/{id}", &order, None, 200).await;
    w.call(M::GET, "/api/orders/{id}", "/api/orders/999999", None, 404)
        .await;
    w.call(M::DELETE, cart, cart, None, 200).await;

    for probe in ["redis", "rabbit", "orders"] {
        let path = format!("/api/status/{probe}");
        w.call(M::GET, &path, &path, None, 200).await;
    }
    ops_side(&mut w).await;
    accounts_side(&mut w).await;

    let missed: Vec<_> = operations(&w.doc).difference(&w.seen).cloned().collect();
    assert!(
        missed.is_empty(),
        "operations this walk never called: {missed:?}"
    );
}
