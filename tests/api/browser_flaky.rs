//! The "Flaky network" switch, in headless Chromium on the embedded store: the page sends one
//! checkout several times under one Idempotency-Key, its dialog says how many tries reached the
//! store and that one order was made, and the store agrees.

use crate::browser::{browser, click, start_chromedriver, text_until, type_into};
use crate::flaky::suppressed;
use serde_json::Value;

/// The page's tries per checkout, as web/js/flaky.js sends them.
const TRIES: u64 = 4;
/// The store's session cookie.
const COOKIE: &str = "session_id";

#[tokio::test]
async fn the_flaky_network_switch_retries_one_checkout_into_one_order() {
    let app = crate::helpers::spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/catalog")).await.unwrap();
    click(&c, "[data-testid=add-1]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    click(&c, "a[data-nav=cart]").await;
    text_until(&c, "[data-testid=cart-total]", |t| t == "$18,000").await;
    // Found by its label, as a person finds it.
    click(&c, "label[for=flaky-network]").await;
    let on = c.execute(
        "return document.getElementById('flaky-network').checked",
        vec![],
    );
    assert_eq!(
        on.await.unwrap(),
        Value::Bool(true),
        "the label turns the switch on"
    );
    type_into(&c, "#customer-name", "Grace Hopper").await;
    type_into(&c, "#customer-email", "grace@example.com").await;
    let before = suppressed(&app).await;
    click(&c, "#place-order").await;

    let number = text_until(&c, "[data-testid=order-number]", |t| t.starts_with('#')).await;
    let tries = text_until(&c, "[data-testid=order-tries]", |t| !t.is_empty()).await;
    assert_eq!(
        tries,
        format!(
            "Flaky network: {TRIES} of {TRIES} tries reached the store, and one order was made."
        )
    );

    // The store saw every try under one key: each was a repeat answered with the order, or held
    // off while another bought the cart; none made a second order.
    let held_off = crate::faults::metric(
        &app,
        "carstore_checkout_failures_total{reason=\"checkout_in_progress\"}",
    )
    .await as u64;
    assert_eq!(suppressed(&app).await - before + held_off, TRIES - 1);

    // Through the API, with the browser's own session: exactly one order, the dialog's.
    let cookie = c
        .get_named_cookie(COOKIE)
        .await
        .expect("the session cookie");
    let mine: Value = reqwest::Client::new()
        .get(app.url("/api/orders"))
        .header("Cookie", format!("{COOKIE}={}", cookie.value()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = mine
        .as_array()
        .expect("a list of orders")
        .iter()
        .map(|o| format!("#{}", o["id"]))
        .collect();
    assert_eq!(ids, [number], "{mine}");
    assert_eq!(app.order_count().await, 1);
    c.close().await.unwrap();
}
