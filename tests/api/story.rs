//! The whole demo in one run, on private Postgres, Redis and RabbitMQ: shoppers keep buying while
//! the broker is down for 10 s, then Redis goes away, then Postgres; each comes back. At the end
//! every 201 is one row in `orders`, one processed order and one consumed message.

use crate::helpers::{eventually, pace, shopper, spawn_with, TestApp};
use crate::outages::time_to_recover;
use crate::private::{PrivatePostgres, PrivateRabbit, PrivateRedis};
use crate::services::{real_settings, TestDb};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Shoppers buying one car each, over and over, until told to stop. Returns (201s, others).
async fn shoppers_buy_until(app: &TestApp, stop: Arc<AtomicBool>, shoppers: usize) -> (u64, u64) {
    let (created, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let tasks: Vec<_> = (0..shoppers)
        .map(|n| {
            let (stop, created, refused, base) = (
                stop.clone(),
                created.clone(),
                refused.clone(),
                app.address.clone(),
            );
            tokio::spawn(async move {
                let mut car = 1 + n as i64;
                while !stop.load(Ordering::Relaxed) {
                    let client = shopper();
                    let add = client
                        .post(format!("{base}/api/cart"))
                        .json(&json!({ "car_id": car, "quantity": 1 }));
                    assert_eq!(
                        add.send().await.unwrap().status(),
                        201,
                        "adding to the cart works without the broker"
                    );
                    let body =
                        json!({ "customer_name": "Ada", "customer_email": "ada@example.com" });
                    let status = client
                        .post(format!("{base}/api/checkout"))
                        .json(&body)
                        .send()
                        .await
                        .unwrap()
                        .status();
                    let counter = if status == 201 { &created } else { &refused };
                    counter.fetch_add(1, Ordering::Relaxed);
                    car = car % 39 + 1;
                    pace(Duration::from_millis(10)).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    (
        created.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_story_loses_nothing_and_doubles_nothing() {
    let (pg, mut redis, rabbit) = (
        PrivatePostgres::start(),
        PrivateRedis::start(),
        PrivateRabbit::start(),
    );
    let db = TestDb::create(&pg.admin_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(real_settings(
        dir.path(),
        &db.url(),
        &redis.url(),
        &rabbit.url(),
        "carstore:",
        "orders",
    ))
    .await;
    app.wait_until_ready().await;

    // 1. The broker goes away for 10 s while checkouts keep coming.
    let stop = Arc::new(AtomicBool::new(false));
    let buying = {
        let (app_ref, stop) = (&app, stop.clone());
        async move { shoppers_buy_until(app_ref, stop, 3).await }
    };
    let outage = async {
        eventually("the first order", Duration::from_secs(10), async || {
            app.order_count().await > 0
        })
        .await;
        tokio::task::block_in_place(|| rabbit.down());
        // The outage itself lasts a set time, as a real one would: nothing to wait for.
        pace(Duration::from_secs(10)).await;
        let backlog = app.json("/api/status/orders").await["outbox_backlog"]
            .as_i64()
            .unwrap();
        tokio::task::block_in_place(|| rabbit.up());
        stop.store(true, Ordering::Relaxed);
        backlog
    };
    let ((created, refused), backlog) = tokio::join!(buying, outage);
    assert_eq!(
        refused, 0,
        "every checkout got 201 while the broker was down"
    );
    assert!(backlog > 0, "the outbox grew during the outage");
    println!("story: {created} checkouts, outbox backlog {backlog} at the broker's return");
    time_to_recover("the broker's return", || async {
        app.get("/api/status/rabbit").await.status() == 200
    })
    .await;
    let draining = std::time::Instant::now();
    eventually("the outbox drained", Duration::from_secs(120), async || {
        app.json("/api/status/orders").await["pending"] == 0
    })
    .await;
    println!(
        "story: {backlog} waiting events drained in {} ms",
        draining.elapsed().as_millis()
    );

    // 2. Redis goes away: the catalog answers, the cart does not.
    redis.down();
    assert_eq!(app.get("/api/cars").await.status(), 200);
    assert_eq!(app.get("/api/cart").await.status(), 503);
    redis.up();
    time_to_recover("Redis' return", || async {
        app.get("/api/cart").await.status() == 200
    })
    .await;

    // 3. Postgres goes away: checkout is refused and the cart kept; back, the same checkout works.
    app.add_to_cart(14, 1).await;
    tokio::task::block_in_place(|| pg.down());
    let checkout = || {
        app.client
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", "story-final")
            .json(&json!({ "customer_name": "Ada", "customer_email": "ada@example.com" }))
            .send()
    };
    assert_eq!(checkout().await.unwrap().status(), 503);
    assert_eq!(app.cart().await["count"], 1, "the cart is still there");
    tokio::task::block_in_place(|| pg.up());
    time_to_recover("Postgres' return (the same checkout succeeds)", || async {
        checkout().await.unwrap().status() == 201
    })
    .await;
    let created = created + 1;

    // 4. The count: nothing lost, nothing doubled.
    time_to_recover("the last order's processing", || async {
        app.json("/api/status/orders").await["pending"] == 0
    })
    .await;
    let rows = db.query_i64("SELECT COUNT(*) FROM orders").await as u64;
    let processed = db
        .query_i64("SELECT COUNT(*) FROM orders WHERE status = 'processed'")
        .await as u64;
    let rabbit_status: Value = app.json("/api/status/rabbit").await;
    let processor = &rabbit_status["processor"];
    println!("story: 201s {created}, rows {rows}, processed {processed}, processor {processor}");
    assert_eq!(rows, created, "one row per 201");
    assert_eq!(processed, created, "every order processed");
    assert_eq!(
        processor["processed"].as_u64(),
        Some(created),
        "each order processed once"
    );
    // Delivery is at least once: a broker restart may bring back a message whose
    // acknowledgement it lost; such duplicates are acknowledged without effect and counted.
    let consumed = processor["consumed"].as_u64().unwrap();
    let duplicates = processor["duplicates"].as_u64().unwrap();
    assert!(
        consumed >= created,
        "every order's event was consumed: {processor}"
    );
    assert!(
        consumed - duplicates <= created,
        "no event consumed for an order twice unless flagged: {processor}"
    );
    assert_eq!(processor["dead_lettered"], 0);
    app.stop().await;
    drop(db);
}
