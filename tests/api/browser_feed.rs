//! The tab's one live feed, in headless Chromium: however many panels and log windows a page
//! follows, a tab holds one streaming connection; a page left before its admin check answers
//! leaves none open; and a cart line redrawn after + keeps the focus on its button.

use crate::browser::{
    browser, click, save_screenshot, start_chromedriver, store_with_admin, text_until, type_into,
};
use crate::helpers::{nothing_more_for, pace, wait_for, TestApp};
use fantoccini::Client;
use std::time::Duration;

const TOKEN: &str = "browser-feed-token-0123456789";

/// The store's open streams, from its own metrics: (event feeds, log streams).
async fn streams(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics").await.text().await.unwrap();
    let open = |stream: &str| {
        let series = format!("carstore_sse_clients{{stream=\"{stream}\"}} ");
        let line = text.lines().find(|l| l.starts_with(&series));
        line.map_or(0, |l| {
            l[series.len()..].trim().parse::<f64>().unwrap() as u64
        })
    };
    (open("events"), open("logs"))
}

/// Waits until the store counts `want` open streams. A stream the browser closed is counted until
/// the store next writes to it and fails (two keep-alives, 10 s at most): the wait allows that.
async fn streams_become(app: &TestApp, want: (u64, u64)) {
    let what = format!("{want:?} open streams (event feeds, log streams)");
    wait_for(&what, Duration::from_secs(30), async || {
        let now = streams(app).await;
        if now == want {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    })
    .await;
}

async fn sign_in_on_the_dashboard(c: &Client) {
    type_into(c, "#admin-token", TOKEN).await;
    click(c, "#admin-signin-button").await;
    text_until(c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_hold_one_stream_each_through_every_log_window_and_a_scenario_run() {
    let store = crate::browser::store_with_redis_control(TOKEN).await;
    let app = &store.app;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/dashboard")).await.unwrap();
    sign_in_on_the_dashboard(&c).await;
    // Every window that has a log follows it: the store's own and Redis's.
    text_until(&c, "[data-testid=log-redis]", |t| !t.is_empty()).await;
    text_until(&c, "#service-redis .log-status", |t| t == "Live").await;
    text_until(&c, "#service-carstore .log-status", |t| t == "Live").await;
    // The feed it opened before sign-in, closed since, is counted until the store notices.
    streams_become(app, (1, 0)).await;

    let tab = c.new_window(true).await.unwrap();
    c.switch_to_window(tab.handle).await.unwrap();
    c.goto(&app.url("/#/scenarios")).await.unwrap();
    click(
        &c,
        "[data-testid=scenario-auto-rabbitmq-outage]:not([disabled])",
    )
    .await;
    let mut seen = Vec::new();
    let summary = wait_for("the run's summary", Duration::from_secs(120), async || {
        seen.push(streams(app).await);
        text_until(&c, "[data-testid=scenario-run]", |_| true).await;
        match c
            .find(fantoccini::Locator::Css("[data-testid=scenario-summary]"))
            .await
        {
            Ok(el) => Ok(el.text().await.unwrap()),
            Err(e) => {
                pace(Duration::from_millis(250)).await;
                Err(e.to_string())
            }
        }
    })
    .await;
    assert!(summary.contains("Orders lost\n0"), "{summary}");
    println!("open streams (feeds, logs) sampled during the run: {seen:?}");
    assert!(
        seen.iter().all(|&s| s == (2, 0)),
        "one stream per tab: {seen:?}"
    );
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-feed-two-tabs.png");
    c.close().await.unwrap();
    streams_become(app, (0, 0)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_left_before_its_admin_check_answers_leaves_no_feed_open() {
    let app = store_with_admin(TOKEN).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    sign_in_on_the_dashboard(&c).await;
    text_until(&c, "#service-carstore .log-status", |t| t == "Live").await;
    streams_become(&app, (1, 0)).await;
    c.execute("location.hash = '#/catalog'", vec![])
        .await
        .unwrap();
    streams_become(&app, (0, 0)).await;

    // Every request now takes 1.5 s to leave the browser: the dashboard is left after 0.3 s,
    // long before its admin check (or anything else it asked) can answer.
    driver.slow_network(&c, 1500).await;
    c.execute("location.hash = '#/dashboard'", vec![])
        .await
        .unwrap();
    pace(Duration::from_millis(300)).await;
    c.execute("location.hash = '#/catalog'", vec![])
        .await
        .unwrap();
    // Whatever the dashboard asked answers 1.5 s on, to a page that is gone: nothing may open
    // then. A feed it opened and closed is counted until the store notices (10 s at most).
    nothing_more_for(Duration::from_secs(4)).await;
    streams_become(&app, (0, 0)).await;
    nothing_more_for(Duration::from_secs(3)).await;
    assert_eq!(
        streams(&app).await,
        (0, 0),
        "nothing follows a page that was left"
    );
    driver.slow_network(&c, 0).await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_line_redrawn_after_a_press_keeps_the_focus_on_its_button() {
    let app = store_with_admin(TOKEN).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/catalog")).await.unwrap();
    click(&c, "[data-testid=add-1]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    c.goto(&app.url("/#/cart")).await.unwrap();
    click(&c, "[data-testid=more-1]").await;
    text_until(&c, "[data-testid=cart-lines] .qty", |t| t == "2").await;
    let on = "return document.activeElement?.dataset.testid ?? ''";
    assert_eq!(
        c.execute(on, vec![]).await.unwrap(),
        "more-1",
        "focus stays on +"
    );
    click(&c, "[data-testid=more-1]").await;
    text_until(&c, "[data-testid=cart-lines] .qty", |t| t == "3").await;
    assert_eq!(c.execute(on, vec![]).await.unwrap(), "more-1", "and again");
    c.close().await.unwrap();
}
