//! The dashboard of a store run as several replicas, in headless Chromium: one Store panel per
//! live replica with its health, version and uptime, orders placed through another replica in
//! the feed, a replica that stops leaving the page; and an embedded store saying it is one
//! process.

use crate::browser::{browser, save_screenshot, start_chromedriver, text_until};
use crate::helpers::{eventually, spawn_app};
use crate::replica_channel::replica;
use crate::services::RealEnv;
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_a_store_panel_per_replica_and_their_orders() {
    let env = RealEnv::shared().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = replica(&env, dir_a.path(), "store-a", true).await;
    let b = replica(&env, dir_b.path(), "store-b", false).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&a.url("/#/dashboard")).await.unwrap();
    text_until(&c, "#service-carstore-title", |t| t == "Store · store-a").await;
    let other = text_until(&c, "[data-testid=replica-store-b]", |t| {
        t.contains("Ready: taking requests")
    })
    .await;
    assert!(other.contains("Store · store-b"), "{other}");
    assert!(other.contains(env!("CARGO_PKG_VERSION")), "{other}");
    assert!(other.contains("Up for"), "{other}");
    text_until(&c, "[data-testid=replicas-note]", |t| {
        t.starts_with("One store, 2 processes (2 serving)")
    })
    .await;

    let order_id = b.buy(&[(2, 1)]).await;
    let row = text_until(&c, "[data-testid=order-feed]", |t| {
        t.contains(&format!("Order #{order_id}")) && t.contains("on store-b")
    })
    .await;
    assert!(!row.contains('@'), "no email in the feed: {row}");
    save_screenshot(&c.screenshot().await.unwrap(), "replicas-dashboard.png");

    b.stop().await;
    eventually(
        "store-b's panel leaves the page",
        Duration::from_secs(5),
        async || {
            c.find_all(Locator::Css("[data-testid=replica-store-b]"))
                .await
                .unwrap()
                .is_empty()
        },
    )
    .await;
    text_until(&c, "[data-testid=replicas-note]", |t| {
        t.starts_with("One store, 1 process (1 serving)")
    })
    .await;

    let embedded = spawn_app().await;
    c.goto(&embedded.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=replicas-note]", |t| {
        t.starts_with("embedded mode: one process")
    })
    .await;
    c.close().await.unwrap();
}
