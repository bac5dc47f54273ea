//! The Faults panel in headless Chromium, on the embedded store: an admin slows the database
//! from the page, watches its light turn amber with the drill named on its card, sees the fault
//! listed, clears it and watches the light return; a value the store refuses is answered beside
//! the form in the store's own words. Then a cache outage (the value left in the form must not be
//! sent: an outage takes none) and Clear all.

use crate::browser::{
    browser, click, save_screenshot, start_chromedriver, store_with_admin, text_until, type_into,
};
use crate::helpers::wait_for;
use fantoccini::{Client, Locator};
use std::time::Duration;

const LIGHT: &str = "#service-postgres";
const BADGE: &str = "[data-testid=fault-badge-postgres]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_slows_the_database_from_the_panel_and_watches_the_light() {
    let token = "browser-faults-token-0123456789";
    let app = store_with_admin(token).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/dashboard")).await.unwrap();

    // Before the drill: the embedded database's own light, no badge, and nothing to set signed out.
    health_until(&c, "embedded").await;
    assert!(!visible(&c, BADGE).await, "no badge before any fault");
    let set = c.find(Locator::Css("[data-testid=fault-set]")).await;
    let disabled = set.unwrap().attr("disabled").await.unwrap();
    assert!(disabled.is_some(), "signed out, no faults are set");
    type_into(&c, "#admin-token", token).await;
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;

    // A value out of range: refused, the store's message inline, nothing set.
    choose(&c, "#fault-target", "database").await;
    choose(&c, "#fault-kind", "latency").await;
    fill(&c, "#fault-value", "0").await;
    click(&c, "[data-testid=fault-set]").await;
    let refused = text_until(&c, "[data-testid=fault-error]", |t| !t.is_empty()).await;
    assert!(
        refused.starts_with("latency takes 1 to ") && refused.ends_with(" ms"),
        "{refused}"
    );
    assert_eq!(listed(&app, token).await, serde_json::json!([]));

    fill(&c, "#fault-value", "300").await;
    fill(&c, "#fault-expires", "600").await;
    click(&c, "[data-testid=fault-set]").await;
    text_until(&c, "[data-testid=fault-error]", str::is_empty).await;
    let row = text_until(&c, "[data-testid=fault-database-latency]", |t| {
        t.contains("300 ms")
    })
    .await;
    assert!(row.contains("ends in"), "the expiry is counted down: {row}");
    health_until(&c, "degraded").await;
    text_until(&c, "[data-testid=health-orders]", |t| {
        t.starts_with("Degraded")
    })
    .await;
    text_until(&c, BADGE, |t| t == "fault injected: latency").await;
    // The panel set what the API reports: the store itself took the drill.
    let active = listed(&app, token).await;
    assert_eq!(active[0]["target"], "database", "{active}");
    assert_eq!(active[0]["value"], 300, "{active}");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-faults-panel.png");
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-faults-latency.png");

    click(&c, "[data-testid=clear-database-latency]").await;
    health_until(&c, "embedded").await;
    wait_gone(&c, "[data-testid=fault-database-latency]").await;
    assert!(!visible(&c, BADGE).await, "the badge goes with the fault");
    assert_eq!(listed(&app, token).await, serde_json::json!([]));

    // The kinds offered follow the target; an outage takes no value. Clear all ends every drill.
    choose(&c, "#fault-target", "processor").await;
    let kinds = "return [...document.querySelectorAll('#fault-kind option')].map((o) => o.value)";
    let offered = c.execute(kinds, vec![]).await.unwrap();
    assert_eq!(offered, serde_json::json!(["slow", "poison"]));
    choose(&c, "#fault-target", "cache").await;
    choose(&c, "#fault-kind", "outage").await;
    click(&c, "[data-testid=fault-set]").await;
    text_until(&c, "[data-testid=fault-badge-redis]", |t| {
        t == "fault injected: outage"
    })
    .await;
    let down = "#service-redis[data-health=down]";
    let wait = c.wait().at_most(Duration::from_secs(10));
    wait.for_element(Locator::Css(down)).await.unwrap();
    click(&c, "[data-testid=faults-clear-all]").await;
    wait_gone(&c, "[data-testid=fault-cache-outage]").await;
    let embedded = "#service-redis[data-health=embedded]";
    let wait = c.wait().at_most(Duration::from_secs(10));
    wait.for_element(Locator::Css(embedded)).await.unwrap();
    assert_eq!(listed(&app, token).await, serde_json::json!([]));
    c.close().await.unwrap();
    app.stop().await;
}

/// The faults as the API lists them: what the store took, not what the page shows.
async fn listed(app: &crate::helpers::TestApp, token: &str) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .get(app.url("/api/faults"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    resp.json().await.unwrap()
}

/// Waits for the database card's light to show `health`.
async fn health_until(c: &Client, health: &str) {
    let css = format!("{LIGHT}[data-health={health}] .led.{health}");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn visible(c: &Client, css: &str) -> bool {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.is_displayed().await.unwrap()
}

async fn wait_gone(c: &Client, css: &str) {
    let script = format!("return document.querySelector('{css}') === null");
    wait_for(
        &format!("{css} gone"),
        Duration::from_secs(10),
        async || match c.execute(&script, vec![]).await.unwrap() == true {
            true => Ok(()),
            false => Err("still there"),
        },
    )
    .await;
}

async fn choose(c: &Client, css: &str, value: &str) {
    let select = c.find(Locator::Css(css)).await.unwrap();
    select.select_by_value(value).await.unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let input = c.find(Locator::Css(css)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}
