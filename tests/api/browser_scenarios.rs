//! The Scenarios page in headless Chromium, on `carstore serve` alone (the embedded store): the
//! list is there signed out with its buttons disabled; signed in, a person starts the RabbitMQ
//! outage, presses each step's button as it appears, watches every check tick, and reads the
//! summary — the orders held while the queue was down all processed, none lost.

use crate::browser::{browser, click, save_screenshot, start_chromedriver, text_until, type_into};
use fantoccini::{Client, Locator};

const START: &str = "[data-testid=scenario-start-rabbitmq-outage]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_runs_the_rabbitmq_outage_from_the_page_to_its_summary() {
    use carstore::config::AdminToken;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    let token = "browser-scenarios-token-0123456789";
    settings.admin_token = Some(AdminToken::new(token.into()).unwrap());
    let app = crate::helpers::spawn_with(settings).await;
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
