//! The Scenarios page in headless Chromium, on `carstore serve` alone (the embedded store): the
//! list is there signed out with its buttons disabled; signed in, a person starts the RabbitMQ
//! outage, presses each step's button as it appears, watches every check tick, and reads the
//! summary — the orders held while the queue was down all processed, none lost.

use crate::browser::{
    browser, click, save_screenshot, start_chromedriver, store_with_admin, text_until, type_into,
};
use crate::helpers::{pace, try_wait_for, wait_for};
use fantoccini::{Client, Locator};
use std::time::Duration;

const START: &str = "[data-testid=scenario-start-rabbitmq-outage]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_runs_the_rabbitmq_outage_from_the_page_to_its_summary() {
    let token = "browser-scenarios-token-0123456789";
    let app = store_with_admin(token).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/scenarios")).await.unwrap();

    let card = text_until(&c, "[data-testid=scenario-rabbitmq-outage]", |t| {
        !t.is_empty()
    })
    .await;
    assert!(card.contains("RabbitMQ goes away"), "{card}");
    let cards = c.find_all(Locator::Css(".scenario-card")).await.unwrap();
    assert_eq!(cards.len(), 6, "every scenario listed");
    let start = c.find(Locator::Css(START)).await.unwrap();
    assert!(
        start.attr("disabled").await.unwrap().is_some(),
        "signed out, none can be run"
    );

    type_into(&c, "#scenario-token", token).await;
    click(&c, "#scenario-signin-button").await;
    click(&c, &format!("{START}:not([disabled])")).await;
    for step in 0..4 {
        let button = format!("[data-testid=scenario-step-{step}] [data-testid=scenario-press]");
        click(&c, &button).await;
        if step == 2 {
            // The queue is down and the orders are taken: the outbox holds their events.
            let held = "[data-testid=scenario-step-2] li[data-passed=true]";
            let seen = text_until(&c, &format!("{held}:nth-child(2)"), |t| {
                t.contains("backlog")
            })
            .await;
            assert!(seen.contains("outbox backlog "), "{seen}");
            save_screenshot(&c.screenshot().await.unwrap(), "e2e-scenario-outage.png");
        }
    }
    let summary = text_until(&c, "[data-testid=scenario-summary]", |t| {
        t.contains("Orders lost")
    })
    .await;
    assert!(
        summary.contains("Orders placed by the drill\n3"),
        "{summary}"
    );
    assert!(summary.contains("Orders lost\n0"), "{summary}");
    assert!(summary.contains("Time to detect\n"), "{summary}");
    text_until(&c, "[data-testid=scenario-status]", |t| t == "passed").await;
    let run = c
        .find(Locator::Css("[data-testid=scenario-run]"))
        .await
        .unwrap();
    let shown = run.text().await.unwrap();
    assert!(
        !shown.contains("null") && !shown.contains("undefined"),
        "{shown}"
    );
    let (ticked, all) = (checks(&c, "[data-passed=true]").await, checks(&c, "").await);
    assert_eq!((ticked, all), (8, 8), "every check ticked");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-scenario-summary.png");
    c.close().await.unwrap();
}

async fn checks(c: &Client, which: &str) -> usize {
    let css = format!(".scenario-checks li{which}");
    c.find_all(Locator::Css(&css)).await.unwrap().len()
}

/// Done when "on `carstore serve` alone a person can run every scenario from the Scenarios
/// page": each of the six, guided, its buttons pressed as they appear, to a passed summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_to_its_summary_from_the_page_on_the_embedded_store() {
    let token = "browser-scenarios-token-0123456789";
    let app = store_with_admin(token).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    // The link `carstore serve` prints puts the token in the form; one press signs in.
    c.goto(&app.url(&format!("/#/scenarios?token={token}")))
        .await
        .unwrap();
    click(&c, "#scenario-signin-button").await;
    let names = app.json("/api/scenarios").await;
    for name in names
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
    {
        click(
            &c,
            &format!("[data-testid=scenario-start-{name}]:not([disabled])"),
        )
        .await;
        started(&c, name).await;
        press_until_summary(&c, name).await;
        let status = text_until(&c, "[data-testid=scenario-status]", |t| t != "running").await;
        assert_eq!(status, "passed", "{name}");
        let (ticked, all) = (checks(&c, "[data-passed=true]").await, checks(&c, "").await);
        assert_eq!(ticked, all, "{name}: every check ticked");
        let summary = text_until(&c, "[data-testid=scenario-summary]", |t| !t.is_empty()).await;
        assert!(summary.contains("Orders lost\n0"), "{name}: {summary}");
    }
    c.close().await.unwrap();
}

/// Waits until the run panel shows a run of `name` that has no summary yet: the one just started,
/// not the one before it.
async fn started(c: &Client, name: &str) {
    let script = format!(
        "const p = document.querySelector('[data-testid=scenario-run]');
         return p.dataset.run?.startsWith('{name} ') && !p.querySelector('[data-testid=scenario-summary]');"
    );
    let what = format!("a run of {name} shown without a summary");
    wait_for(&what, Duration::from_secs(10), async || {
        match c.execute(&script, vec![]).await.unwrap() {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other),
        }
    })
    .await;
}

/// Presses each step's button as it appears until the run's summary shows.
async fn press_until_summary(c: &Client, name: &str) {
    let summary = Locator::Css("[data-testid=scenario-summary]");
    let press = Locator::Css("[data-testid=scenario-press]");
    let ended = try_wait_for(Duration::from_secs(120), async || {
        if c.find(summary).await.is_ok() {
            return Ok(());
        }
        // Scrolled to the middle first, as a person would: under the sticky header the click
        // would land on the header. The page redraws as checks tick, so a button gone stale is
        // found again next time round.
        let into_view = "document.querySelector('[data-testid=scenario-press]')\
                         ?.scrollIntoView({block: 'center'})";
        c.execute(into_view, vec![]).await.unwrap();
        if let Ok(button) = c.find(press).await {
            let _ = button.click().await;
            pace(Duration::from_millis(100)).await; // the page's answer, before a second press
        }
        Err(())
    })
    .await;
    if ended.is_err() {
        save_screenshot(&c.screenshot().await.unwrap(), "e2e-scenario-stuck.png");
        let run = c.find(Locator::Css("[data-testid=scenario-run]")).await;
        panic!("{name} never ended: {:?}", run.unwrap().text().await);
    }
}
