//! Each outage takes away only what needs that service, answers 503 with `Retry-After`, loses
//! nothing, and the store serves normally again after the service's return, without a restart
//! (how long it took is printed). The stopped services are private ones; the shared ones are
//! never touched.

use crate::helpers::{spawn_with, wait_for, TestApp};
use crate::private::{PrivatePostgres, PrivateRabbit, PrivateRedis};
use crate::services::spawn_real;
use crate::services::{
    real_settings, require_shared_services, OwnRedisEnv, RealEnv, RedisPrefix, TestDb, PG_ADMIN,
    REDIS,
};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

/// The most a service's return may take to be felt by shoppers before the test calls it a hang;
/// how long it took is printed (the chaos tier holds recovery to 1 s, on a quiet machine).
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);

/// Polls `healthy` until it holds and returns how long that took; prints it, fails past the
/// limit.
pub async fn time_to_recover<F, Fut>(what: &str, healthy: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    let recovered = format!("{what}: recovered");
    wait_for(&recovered, RECOVERY_LIMIT, async || match healthy().await {
        true => Ok(()),
        false => Err("still not healthy"),
    })
    .await;
    let took = started.elapsed();
    println!("outages: recovery after {what}: {} ms", took.as_millis());
    took
}

async fn status(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}

async fn assert_503(resp: reqwest::Response, code: &str) {
    assert_eq!(resp.status(), 503);
    assert!(
        resp.headers().contains_key("retry-after"),
        "503 without Retry-After"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.contains("Connection"),
        "internals leaked: {message}"
    );
}

#[tokio::test]
async fn a_redis_outage_keeps_the_catalog_refuses_carts_and_recovers() {
    let (env, mut redis) = (OwnRedisEnv::new().await, PrivateRedis::start());
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(env.settings(dir.path(), &redis.url())).await;
    app.wait_until_ready().await;
    assert_eq!(app.add_to_cart(4, 1).await.status(), 201);

    redis.down();
    assert_eq!(
        status(&app, "/api/cars").await,
        200,
        "the catalog is served from the store"
    );
    assert_eq!(status(&app, "/api/cars/4").await, 200);
    assert_503(app.get("/api/cart").await, "cart_unavailable").await;
    assert_503(app.add_to_cart(5, 1).await, "cart_unavailable").await;
    assert_503(
        app.checkout("Ada", "ada@example.com").await,
        "cart_unavailable",
    )
    .await;
    assert_eq!(status(&app, "/api/status/redis").await, 503);
    assert_eq!(app.order_count().await, 0, "nothing was bought");

    redis.up();
    time_to_recover("Redis restart", || async {
        status(&app, "/api/cart").await == 200
    })
    .await;
    assert_eq!(app.add_to_cart(5, 1).await.status(), 201);
    let id = app.buy(&[]).await;
    app.wait_for_status(id, "processed").await;
    app.stop().await;
}

#[tokio::test]
async fn a_postgres_outage_refuses_checkout_keeps_the_cart_and_recovers() {
    let pg = PrivatePostgres::start();
    let env = RealEnv::on_postgres(&pg.admin_url()).await;
    let app = spawn_real(&env).await;
    app.add_to_cart(10, 2).await;
    assert_eq!(
        status(&app, "/api/cars").await,
        200,
        "fills the catalog cache"
    );

    pg.down();
    assert_eq!(
        status(&app, "/api/cars").await,
        200,
        "the catalog comes from the cache"
    );
    assert_eq!(
        app.add_to_cart(11, 1).await.status(),
        201,
        "carts still work"
    );
    let key = "retry-after-outage";
    let checkout = || {
        app.client
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", key)
            .json(&json!({ "customer_name": "Ada", "customer_email": "ada@example.com" }))
            .send()
    };
    assert_503(checkout().await.unwrap(), "orders_unavailable").await;
    let cart = app.cart().await;
    assert_eq!(cart["count"], 3, "the cart is kept intact: {cart}");
    assert_eq!(status(&app, "/readyz").await, 503);
    assert_503(app.get("/api/orders").await, "orders_unavailable").await;

    pg.up();
    time_to_recover("Postgres restart", || async {
        checkout().await.unwrap().status() == 201
    })
    .await;
    let again: Value = checkout().await.unwrap().json().await.unwrap();
    assert_eq!(app.cart().await["items"], json!([]));
    app.wait_for_status(again["order_id"].as_i64().unwrap(), "processed")
        .await;
    assert_eq!(
        env.db.query_i64("SELECT COUNT(*) FROM orders").await,
        1,
        "the retried checkout made one order"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rabbitmq_outage_lets_shoppers_buy_and_the_outbox_drains_after() {
    require_shared_services();
    let (db, prefix, rabbit) = (
        TestDb::create(PG_ADMIN).await,
        RedisPrefix::new(6379),
        PrivateRabbit::start(),
    );
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(real_settings(
        dir.path(),
        &db.url(),
        REDIS,
        &rabbit.url(),
        &prefix.prefix,
        "orders",
    ))
    .await;
    app.wait_until_ready().await;

    rabbit.down();
    let mut ids = Vec::new();
    for car in [1, 2, 3] {
        ids.push(app.buy(&[(car, 1)]).await);
    }
    assert_eq!(status(&app, "/api/status/rabbit").await, 503);
    assert_eq!(
        status(&app, "/readyz").await,
        200,
        "the store stays ready without its queue"
    );
    let backlog = app.json("/api/status/orders").await;
    assert_eq!(
        (
            backlog["pending"].as_i64(),
            backlog["outbox_backlog"].as_i64()
        ),
        (Some(3), Some(3))
    );

    rabbit.up();
    time_to_recover("RabbitMQ restart", || async {
        app.json("/api/status/orders").await["pending"] == 0
            && status(&app, "/api/status/rabbit").await == 200
    })
    .await;
    for id in ids {
        app.wait_for_status(id, "processed").await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carstore_starts_with_every_service_down_and_connects_when_they_come_up() {
    let (pg, mut redis, rabbit) = (
        PrivatePostgres::start(),
        PrivateRedis::start(),
        PrivateRabbit::start(),
    );
    let db = TestDb::create(&pg.admin_url()).await;
    tokio::task::block_in_place(|| {
        pg.down();
        redis.down();
        rabbit.down();
    });
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let app = spawn_with(real_settings(
        dir.path(),
        &db.url(),
        &redis.url(),
        &rabbit.url(),
        "carstore:",
        "orders",
    ))
    .await;
    // A figure, not a race on 2 cores; the bound only catches a start that waits for a timeout.
    let start_up = started.elapsed();
    println!(
        "start-up with every service down: {} ms",
        start_up.as_millis()
    );
    assert!(
        start_up < Duration::from_secs(10),
        "start-up must not wait for services ({start_up:?})"
    );
    assert_eq!(status(&app, "/healthz").await, 200);
    assert_eq!(status(&app, "/readyz").await, 503);
    for probe in [
        "/api/status/orders",
        "/api/status/redis",
        "/api/status/rabbit",
    ] {
        assert_eq!(status(&app, probe).await, 503, "{probe}");
    }
    assert_503(app.get("/api/cars").await, "catalog_unavailable").await;

    tokio::task::block_in_place(|| {
        pg.up();
        redis.up();
        rabbit.up();
    });
    time_to_recover("every service's first start", || async {
        let mut ok = true;
        for probe in [
            "/readyz",
            "/api/status/redis",
            "/api/status/rabbit",
            "/api/cars",
        ] {
            ok &= status(&app, probe).await == 200;
        }
        ok
    })
    .await;
    let id = app.buy(&[(20, 1)]).await;
    app.wait_for_status(id, "processed").await;
    app.stop().await;
}
