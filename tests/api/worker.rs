//! `carstore worker` as a real process beside `carstore serve --no-worker`, on the shared
//! services: it processes what serve takes, counts it on its own `/metrics`, and stops cleanly.

use crate::cli::{assert_one_clear_line, serve_with, start, Served};
use crate::helpers::BIN;
use crate::helpers::{eventually, get_json, nothing_more_for, shopper};
use crate::metrics::{promtool, value};
use crate::services::{RealEnv, AMQP, REDIS};
use reqwest::Client;
use std::process::Command;
use std::time::Duration;

/// How the test's serve and worker find its own database, Redis prefix and queue.
fn shared_vars(env: &RealEnv) -> Vec<(String, String)> {
    [
        ("CARSTORE_DATABASE_URL", env.db.url()),
        ("REDIS_URL", REDIS.to_owned()),
        ("AMQP_URL", AMQP.to_owned()),
        ("CARSTORE_REDIS_PREFIX", env.redis.prefix.clone()),
        ("CARSTORE_ORDERS_QUEUE", env.queues.orders.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `carstore serve --no-worker`, once its order store answers.
async fn serve_without_worker(dir: &std::path::Path, vars: &[(String, String)]) -> Served {
    let served = serve_with(dir, &["--no-worker"], vars);
    let readyz = format!("{}/readyz", served.url);
    eventually(
        "the store getting ready",
        Duration::from_secs(15),
        async || reqwest::get(&readyz).await.unwrap().status() == 200,
    )
    .await;
    served
}

/// `carstore worker` on a free port; its URL is where it serves `/metrics`.
fn worker(vars: &[(String, String)]) -> Served {
    let mut command = Command::new(BIN);
    command
        .args(["worker", "--metrics-bind", "127.0.0.1:0"])
        .envs(vars.iter().cloned());
    start(command, "/healthz at ")
}

/// One car into the shopper's cart, then checkout; the new order's id.
async fn place_order(shopper: &Client, store: &str) -> i64 {
    let added = shopper
        .post(format!("{store}/api/cart"))
        .json(&serde_json::json!({ "car_id": 15 }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let body = serde_json::json!({ "customer_name": "Ada", "customer_email": "ada@example.com" });
    let placed = shopper
        .post(format!("{store}/api/checkout"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), 201);
    placed.json::<serde_json::Value>().await.unwrap()["order_id"]
        .as_i64()
        .expect("order id")
}

async fn wait_until_processed(shopper: &Client, store: &str, order_id: i64) {
    let order_url = format!("{store}/api/orders/{order_id}");
    let what = format!("the worker processing order {order_id}");
    eventually(&what, Duration::from_secs(15), async || {
        get_json(shopper, &order_url).await["order"]["status"] == "processed"
    })
    .await;
}

async fn scrape(url: &str) -> String {
    let resp = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    resp.text().await.unwrap()
}

/// SIGTERM, and the process must exit 0.
fn stops_cleanly(process: Served, what: &str) {
    let (status, said) = process.terminate();
    assert!(status.success(), "{what} exited {status}: {said:?}");
}

#[tokio::test]
async fn a_separate_worker_process_publishes_and_processes_what_serve_takes() {
    let env = RealEnv::shared().await;
    let vars = shared_vars(&env);
    let dir = tempfile::tempdir().unwrap();
    let served = serve_without_worker(dir.path(), &vars).await;
    let shopper = shopper();
    let order_id = place_order(&shopper, &served.url).await;
    let order_url = format!("{}/api/orders/{order_id}", served.url);
    nothing_more_for(Duration::from_millis(500)).await;
    assert_eq!(
        get_json(&shopper, &order_url).await["order"]["status"],
        "pending",
        "no worker yet"
    );
    let worker = worker(&vars);
    wait_until_processed(&shopper, &served.url, order_id).await;
    stops_cleanly(worker, "the worker");
    stops_cleanly(served, "serve");
}

#[tokio::test]
async fn the_worker_serves_metrics_that_count_the_orders_it_processed() {
    const ORDERS: f64 = 3.0;
    let env = RealEnv::shared().await;
    let vars = shared_vars(&env);
    let dir = tempfile::tempdir().unwrap();
    let served = serve_without_worker(dir.path(), &vars).await;
    let worker = worker(&vars);
    let healthz = get_json(&Client::new(), &format!("{}/healthz", worker.url)).await;
    assert_eq!(healthz["status"], "ok");
    let before = value(
        &scrape(&worker.url).await,
        "carstore_orders_processed_total",
    );

    let shopper = shopper();
    for _ in 0..ORDERS as usize {
        let order_id = place_order(&shopper, &served.url).await;
        wait_until_processed(&shopper, &served.url, order_id).await;
    }
    // Counted as the order turns processed, a moment before the acknowledgement: allow for it.
    eventually(
        "the worker's count rising",
        Duration::from_secs(5),
        async || {
            value(
                &scrape(&worker.url).await,
                "carstore_orders_processed_total",
            ) >= before + ORDERS
        },
    )
    .await;
    // And no more: a redelivery or a second count would show a little later.
    nothing_more_for(Duration::from_millis(500)).await;
    let text = scrape(&worker.url).await;
    assert_eq!(
        value(&text, "carstore_orders_processed_total"),
        before + ORDERS
    );
    assert_eq!(value(&text, "carstore_orders_failed_total"), 0.0);
    let (ok, said) = promtool(&["check", "metrics"], Some(&text));
    assert!(
        ok,
        "promtool check metrics on the worker's scrape:\n{said}\n{text}"
    );
    assert_worker_families(&text, &env.queues.orders);

    // The store took the orders and processed none: the worker's scrape is where they show.
    let store = scrape(&served.url).await;
    assert_eq!(value(&store, "carstore_orders_created_total"), ORDERS);
    assert_eq!(value(&store, "carstore_orders_processed_total"), 0.0);
    stops_cleanly(worker, "the worker");
    stops_cleanly(served, "serve");
}

/// What a worker shows: the services it uses, the outbox and queue it drains, its process and
/// build; nothing of the shop it does not serve.
fn assert_worker_families(text: &str, queue: &str) {
    for service in ["postgres", "rabbit"] {
        let up = format!(r#"carstore_service_up{{service="{service}"}}"#);
        assert_eq!(value(text, &up), 1.0, "{text}");
    }
    assert_eq!(value(text, "carstore_outbox_backlog"), 0.0);
    let consumers = format!(r#"carstore_queue_consumers{{queue="{queue}"}}"#);
    assert_eq!(value(text, &consumers), 1.0);
    assert!(value(text, "carstore_process_open_fds") > 3.0);
    assert_eq!(value(text, r#"carstore_build_info{version="0.1.0"}"#), 1.0);
    // Its janitor prunes the order tables (nothing yet: the outbox keeps an hour).
    assert_eq!(
        value(text, r#"carstore_rows_pruned_total{table="outbox"}"#),
        0.0
    );
    let keys = r#"carstore_rows_pruned_total{table="idempotency_keys"}"#;
    assert_eq!(value(text, keys), 0.0);
    for store_only in [
        "carstore_http_requests",
        "carstore_orders_created",
        "redis",
        "cart_items",
    ] {
        assert!(!text.contains(store_only), "{store_only} in:\n{text}");
    }
}

#[test]
fn a_taken_metrics_port_stops_the_worker_with_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // From the environment, so an unknown-variable warning would show as a second line.
    let out = Command::new(BIN)
        .arg("worker")
        .env("CARSTORE_METRICS_BIND", &addr)
        .env(
            "CARSTORE_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/unused",
        )
        .env("CARSTORE_AMQP_URL", AMQP)
        .output()
        .expect("carstore runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_one_clear_line(out.status.code().unwrap_or(-1), &stderr, "cannot listen on");
    assert!(stderr.contains(&addr), "{stderr}");
}
