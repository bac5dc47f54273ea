//! The Service Dashboard in headless Chromium: an admin stops and starts Redis and watches the
//! light and the log window, and puts load on the store and watches the chart.

use crate::browser::{
    browser, click, save_screenshot, start_chromedriver, store_with_admin, text_until, type_into,
};
use crate::helpers::wait_for;
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_stops_and_starts_redis_from_the_page_and_watches_the_light() {
    use crate::control::{STARTED, STOPPED};
    let token = "browser-admin-token-0123456789";
    let store = crate::browser::store_with_redis_control(token).await;
    let (app, env) = (&store.app, &store.env);
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Up")).await;
    text_until(&c, "[data-testid=breaker-redis]", |t| {
        t.starts_with("Breaker closed")
    })
    .await;
    let disabled = c
        .find(Locator::Css("[data-testid=stop-redis]"))
        .await
        .unwrap()
        .attr("disabled")
        .await
        .unwrap();
    assert!(disabled.is_some(), "signed out, the buttons are disabled");
    type_into(&c, "#admin-token", token).await;
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    // Signed in, the log window opens with the server's recent lines.
    let started_lines = |t: &str| t.to_lowercase().matches(STARTED).count();
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 1).await;
    text_until(&c, "[data-testid=queue-table]", |t| {
        t.contains(&env.queues.orders)
    })
    .await;

    click(&c, "[data-testid=stop-redis]").await;
    let stopped = std::time::Instant::now();
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Down")).await;
    let red = stopped.elapsed();
    // Down means refused at once: the panel says the breaker is open.
    text_until(&c, "[data-testid=breaker-redis]", |t| {
        t.starts_with("Breaker open")
    })
    .await;
    text_until(&c, "[data-testid=log-redis]", |t| {
        t.to_lowercase().contains(STOPPED)
    })
    .await;
    let logged = stopped.elapsed();
    // Figures: each wait above fails on its own after 10 s.
    println!("browser: red after {red:?}, shutdown in the log window after {logged:?}");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-stopped.png");
    click(&c, "[data-testid=start-redis]").await;
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Up")).await;
    text_until(&c, "[data-testid=breaker-redis]", |t| {
        t.starts_with("Breaker closed")
    })
    .await;
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 2).await;
    // The window follows the newest line while at the bottom; scrolled up, it stays put.
    const WINDOW: &str = "const w = document.querySelector('[data-testid=log-redis]');";
    let at_bottom = format!("{WINDOW} return w.scrollTop + w.clientHeight >= w.scrollHeight - 8;");
    assert_eq!(c.execute(&at_bottom, vec![]).await.unwrap(), true);
    let scroll_up = format!("{WINDOW} w.scrollTop = 0; return w.scrollHeight > w.clientHeight;");
    assert_eq!(c.execute(&scroll_up, vec![]).await.unwrap(), true);
    click(&c, "[data-testid=restart-redis]").await;
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 3).await;
    let top = format!("{WINDOW} return w.scrollTop;");
    assert_eq!(
        c.execute(&top, vec![]).await.unwrap(),
        0,
        "reading older lines is not interrupted"
    );
    text_until(&c, "[data-testid=audit-log]", |t| {
        t.contains("start redis") && t.contains("stop redis")
    })
    .await;
    let postgres = c
        .find(Locator::Css("[data-testid=stop-postgres]"))
        .await
        .unwrap();
    assert!(postgres
        .attr("title")
        .await
        .unwrap()
        .unwrap_or_default()
        .starts_with("No control:"));
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-started.png");
    c.execute("window.scrollTo(0, 520)", vec![]).await.unwrap();
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-logs.png");
    c.close().await.unwrap();
    store.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_puts_load_on_the_store_from_the_page_and_watches_the_chart() {
    let token = "browser-load-token-0123456789";
    let app = store_with_admin(token).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    let start = c
        .find(Locator::Css("[data-testid=load-start]"))
        .await
        .unwrap();
    assert!(
        start.attr("disabled").await.unwrap().is_some(),
        "signed out, no load"
    );
    type_into(&c, "#admin-token", token).await;
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    let rate = c.find(Locator::Css("#load-rate")).await.unwrap();
    rate.clear().await.unwrap();
    rate.send_keys("80").await.unwrap();
    click(&c, "[data-testid=load-start]").await;
    text_until(&c, "[data-testid=load-figures]", |t| {
        t.starts_with("Running 80/s")
    })
    .await;
    // Three seconds of figures make three points on each line of the chart.
    let points = "return document.querySelector('[data-testid=load-chart] .rps').getAttribute('points').split(' ').filter(Boolean).length;";
    wait_for(
        "three points on the chart",
        Duration::from_secs(10),
        async || match c.execute(points, vec![]).await.unwrap().as_u64() {
            Some(n) if n >= 3 => Ok(()),
            other => Err(format!("{other:?} points")),
        },
    )
    .await;
    // The service lights are repeated beside the chart.
    for light in [
        "#load-light-carstore[data-health=up]",
        "#load-light-redis[data-health=embedded]",
    ] {
        c.wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(light))
            .await
            .unwrap_or_else(|e| panic!("{light}: {e}"));
    }
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-load-running.png");
    click(&c, "[data-testid=load-stop]").await;
    let stopped = text_until(&c, "[data-testid=load-figures]", |t| {
        t.starts_with("Stopped.")
    })
    .await;
    assert!(stopped.contains(" 0 errors"), "{stopped}");
    c.close().await.unwrap();
    app.stop().await;
}
