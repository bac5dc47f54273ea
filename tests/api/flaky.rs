//! A client on a flaky network sends one checkout many times under one Idempotency-Key: the
//! store makes one order, answers every repeat with it, and counts each such repeat in
//! `carstore_checkout_duplicates_suppressed_total`, on both backends.

use crate::helpers::TestApp;
use crate::services::on_both_backends;
use futures::future::join_all;
use reqwest::Response;
use serde_json::{json, Value};

pub const SUPPRESSED: &str = "carstore_checkout_duplicates_suppressed_total";

on_both_backends!(
    sequential_repeats_of_one_key_make_one_order_and_count_each_repeat,
    concurrent_repeats_of_one_key_make_one_order_and_count_each_repeat,
);

/// The counter's value; the line must be there (a missing counter is not a zero).
pub async fn suppressed(app: &TestApp) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(SUPPRESSED) && l[SUPPRESSED.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("{SUPPRESSED} is not in /metrics"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

async fn send(app: &TestApp, key: &str) -> Response {
    let body = json!({ "customer_name": "Ada Lovelace", "customer_email": "ada@example.com" });
    app.client
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// One row in the store, and the one order this session lists.
async fn assert_one_order(app: &TestApp, order_id: i64) {
    assert_eq!(app.order_count().await, 1, "one row in the orders table");
    let listed = app.json("/api/orders").await;
    let ids: Vec<i64> = listed
        .as_array()
        .expect("a list of orders")
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [order_id], "{listed}");
}

async fn sequential_repeats_of_one_key_make_one_order_and_count_each_repeat(app: &TestApp) {
    const TRIES: u64 = 5;
    app.add_to_cart(7, 2).await;
    let before = suppressed(app).await;
    let mut ids = Vec::new();
    for _ in 0..TRIES {
        let answer = send(app, "flaky-sequential-1").await;
        assert_eq!(
            answer.status(),
            201,
            "every repeat is answered with the order"
        );
        ids.push(
            answer.json::<Value>().await.unwrap()["order_id"]
                .as_i64()
                .unwrap(),
        );
    }
    assert!(ids.iter().all(|&id| id == ids[0]), "{ids:?}");
    assert_eq!(
        suppressed(app).await - before,
        TRIES - 1,
        "each repeat, not the first"
    );
    assert_one_order(app, ids[0]).await;
    // A checkout under another key is not a repeat: it is refused (the cart is bought), uncounted.
    assert_eq!(send(app, "flaky-sequential-2").await.status(), 400);
    assert_eq!(suppressed(app).await - before, TRIES - 1);
}

async fn concurrent_repeats_of_one_key_make_one_order_and_count_each_repeat(app: &TestApp) {
    const TRIES: usize = 8;
    app.add_to_cart(3, 1).await;
    let before = suppressed(app).await;
    let answers = join_all((0..TRIES).map(|_| send(app, "flaky-concurrent-1"))).await;
    let mut ids = Vec::new();
    let mut held_off = 0;
    for answer in answers {
        match answer.status().as_u16() {
            201 => ids.push(
                answer.json::<Value>().await.unwrap()["order_id"]
                    .as_i64()
                    .unwrap(),
            ),
            // A try that found the cart held while another was buying it: no order, not a repeat.
            409 => held_off += 1,
            other => panic!(
                "a repeat answered {other}: {}",
                answer.text().await.unwrap()
            ),
        }
    }
    assert!(!ids.is_empty(), "all {TRIES} tries were held off");
    assert!(ids.iter().all(|&id| id == ids[0]), "{ids:?}");
    // Exactly one try made the order; every other one answered with it is a suppressed repeat.
    let repeats = (ids.len() - 1) as u64;
    assert_eq!(
        suppressed(app).await - before,
        repeats,
        "{held_off} held off"
    );
    // A late retry, after all of them were answered, gets the order too and is counted.
    let late = send(app, "flaky-concurrent-1").await;
    assert_eq!(late.status(), 201);
    assert_eq!(late.json::<Value>().await.unwrap()["order_id"], ids[0]);
    assert_eq!(suppressed(app).await - before, repeats + 1);
    assert_one_order(app, ids[0]).await;
}
