//! Accounts through outages: signing up or in needs the order database (the accounts) and Redis
//! (the sessions). Either down answers 503 at once and changes nothing; guests shop on; the
//! accounts are there when the service is back. Private services only.

use crate::helpers::{spawn_with, TestApp};
use crate::outages::time_to_recover;
use crate::private::{PrivatePostgres, PrivateRedis};
use crate::services::{spawn_real, OwnRedisEnv, RealEnv};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Below a Redis command's timeout (1.5 s) and a pool wait (2 s): a 503 that took this long was
/// a wait for a timeout, not a refusal.
const AT_ONCE: Duration = Duration::from_millis(1000);

const PASSWORD: &str = "outage-proof password";

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> u16 {
    let req = app.client.request(method, app.url(path));
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap().status().as_u16()
}

/// The answer's status, code and how long it took.
async fn refused(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String, Duration) {
    let started = Instant::now();
    let req = app.client.request(method, app.url(path));
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let took = started.elapsed();
    let status = resp.status().as_u16();
    assert!(resp.headers().contains_key("retry-after") || status != 503);
    let body: Value = resp.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or("").to_owned(),
        took,
    )
}

fn sign_in_body(email: &str) -> Value {
    json!({ "email": email, "password": PASSWORD })
}

async fn sign_up(app: &TestApp, email: &str) {
    let account = json!({ "name": "Grace", "email": email, "password": PASSWORD });
    assert_eq!(
        send(app, reqwest::Method::POST, "/api/account", Some(account)).await,
        201
    );
}

#[tokio::test]
async fn a_redis_outage_refuses_sign_ins_at_once_and_the_account_outlives_it() {
    use reqwest::Method as M;
    let (env, mut redis) = (OwnRedisEnv::new().await, PrivateRedis::start());
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(env.settings(dir.path(), &redis.url())).await;
    app.wait_until_ready().await;
    let email = format!("grace-{:x}@example.com", rand::random::<u64>());
    sign_up(&app, &email).await;
    assert_eq!(app.add_to_cart(4, 1).await.status(), 201);

    redis.down();
    for (method, path, body, code) in [
        (M::GET, "/api/account", None, "session_unavailable"),
        (M::GET, "/api/cart", None, "session_unavailable"),
        (
            M::POST,
            "/api/session",
            Some(sign_in_body(&email)),
            "session_unavailable",
        ),
    ] {
        let (status, error, took) = refused(&app, method.clone(), path, body).await;
        println!(
            "Redis down: {method} {path} -> {status} {error} in {} ms",
            took.as_millis()
        );
        assert_eq!((status, error.as_str()), (503, code), "{method} {path}");
        assert!(took < AT_ONCE, "{method} {path} waited {took:?}");
    }
    assert_eq!(
        app.get("/api/cars").await.status(),
        200,
        "the catalog stays"
    );
    // A browser that was never signed in is refused by the sign-in itself.
    let fresh = crate::helpers::shopper();
    let started = Instant::now();
    let resp = fresh
        .post(app.url("/api/session"))
        .json(&sign_in_body(&email))
        .send()
        .await;
    let (resp, took) = (resp.unwrap(), started.elapsed());
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "accounts_unavailable", "{body}");
    assert!(took < AT_ONCE, "a fresh sign-in waited {took:?}");

    redis.up();
    // A Redis that keeps nothing on disk comes back empty: every session (and cart) is gone, the
    // account is not.
    time_to_recover("Redis restart, for a sign-in", || async {
        send(&app, M::POST, "/api/session", Some(sign_in_body(&email))).await == 200
    })
    .await;
    assert_eq!(app.json("/api/account").await["email"], email);
    app.stop().await;
}

#[tokio::test]
async fn a_postgres_outage_refuses_sign_ins_at_once_and_keeps_the_signed_in_cart() {
    use reqwest::Method as M;
    let pg = PrivatePostgres::start();
    let env = RealEnv::on_postgres(&pg.admin_url()).await;
    let app = spawn_real(&env).await;
    let email = format!("grace-{:x}@example.com", rand::random::<u64>());
    sign_up(&app, &email).await;
    assert_eq!(app.add_to_cart(4, 1).await.status(), 201);

    pg.down();
    let other = json!({ "name": "Ada", "email": "ada-outage@example.com", "password": PASSWORD });
    for (method, path, body) in [
        (M::GET, "/api/account", None),
        (M::POST, "/api/session", Some(sign_in_body(&email))),
        (M::POST, "/api/account", Some(other)),
    ] {
        let (status, error, took) = refused(&app, method.clone(), path, body).await;
        println!(
            "Postgres down: {method} {path} -> {status} {error} in {} ms",
            took.as_millis()
        );
        assert_eq!(
            (status, error.as_str()),
            (503, "accounts_unavailable"),
            "{method} {path}"
        );
        assert!(took < AT_ONCE, "{method} {path} waited {took:?}");
    }
    // The session lives in Redis: the signed-in shopper's cart is still theirs.
    assert_eq!(app.add_to_cart(5, 1).await.status(), 201);
    assert_eq!(app.cart().await["count"], 2);

    pg.up();
    time_to_recover("Postgres restart, for the account", || async {
        app.get("/api/account").await.status() == 200
    })
    .await;
    assert_eq!(
        env.db.query_i64("SELECT COUNT(*) FROM accounts").await,
        1,
        "the refused sign-up stored nothing"
    );
    app.stop().await;
}
