//! Fault markers on the Dashboard's load chart in headless Chromium, on the embedded store: an
//! admin runs load, a fault set through the API is marked on the chart with its label within
//! 2 s and moves left with the figures, its clear is marked `cleared`; with no run going a 1 s
//! fault is marked set and then `expired`, and the markers keep moving; however many changes
//! come, the chart keeps a bounded number of markers. The Faults panel follows each change
//! within a second, on the feed's event rather than its 2 s poll.

use crate::browser::{browser, click, save_screenshot, start_chromedriver, text_until, type_into};
use crate::helpers::{pace, wait_for};
use carstore::config::AdminToken;
use fantoccini::Client;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "browser-markers-token-0123456789";
/// What the chart may take to show a change, as the issue asks.
const WITHIN: Duration = Duration::from_secs(2);
/// The most markers the chart keeps (web/js/markers.js).
const MOST: usize = 20;

/// The chart's markers, oldest first: label, change and how far along the chart (%).
const MARKERS: &str =
    "return [...document.querySelectorAll('[data-testid=load-marker]')].map((g) => ({
    label: g.querySelector('text').textContent,
    change: g.dataset.change,
    x: parseFloat(g.querySelector('line').getAttribute('x1')),
}))";

async fn markers(c: &Client) -> Vec<Value> {
    let found = c.execute(MARKERS, vec![]).await.unwrap();
    found.as_array().unwrap().clone()
}

/// Waits for a marker labelled `label` that is not among the first `seen` markers; returns it
/// and how long it took from `since`, failing past `WITHIN`.
async fn marked(c: &Client, label: &str, seen: usize, since: Instant) -> (Value, Duration) {
    let what = format!("a new {label:?} marker within {WITHIN:?}");
    let left = (since + WITHIN).saturating_duration_since(Instant::now());
    let marker = wait_for(&what, left, async || {
        let all = markers(c).await;
        let new = all.iter().skip(seen).find(|m| m["label"] == label);
        new.cloned().ok_or_else(|| format!("{all:?}"))
    })
    .await;
    (marker, since.elapsed())
}

/// Waits until the Faults panel lists the fault `row` names (or no longer does), failing past
/// a second from `since`: it is asked at once on the feed's event, well before its 2 s poll.
async fn panel_shows(c: &Client, row: &str, listed: bool, since: Instant) {
    let script = format!("return document.querySelector('[data-testid={row}]') !== null");
    let what = format!("the panel showing {row} listed: {listed}");
    let left = (since + Duration::from_secs(1)).saturating_duration_since(Instant::now());
    wait_for(&what, left, async || {
        match c.execute(&script, vec![]).await.unwrap() == listed {
            true => Ok(()),
            false => Err(format!("listed: {}", !listed)),
        }
    })
    .await;
}

async fn fault(app: &crate::helpers::TestApp, method: Method, path: &str, body: Value) {
    let request = reqwest::Client::new().request(method, app.url(path));
    let resp = request.bearer_auth(TOKEN).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
}

/// The dashboard, signed in as admin, with a load run of 20 shoppers a second going.
async fn dashboard_with_load(c: &Client, app: &crate::helpers::TestApp) {
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    type_into(c, "#admin-token", TOKEN).await;
    click(c, "#admin-signin-button").await;
    text_until(c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    let rate = c
        .find(fantoccini::Locator::Css("#load-rate"))
        .await
        .unwrap();
    rate.clear().await.unwrap();
    rate.send_keys("20").await.unwrap();
    click(c, "[data-testid=load-start]").await;
    text_until(c, "[data-testid=load-figures]", |t| {
        t.starts_with("Running 20/s")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_change_is_marked_on_the_load_chart_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = crate::helpers::spawn_in_dir(dir, settings).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    dashboard_with_load(&c, &app).await;

    let asked = Instant::now();
    let body = json!({ "value": 300 });
    fault(&app, Method::PUT, "/api/faults/database/latency", body).await;
    let (set, took) = marked(&c, "database latency 300 ms", 0, asked).await;
    println!("set marked {took:?} after it was asked");
    assert_eq!(set["change"], "set", "{set}");
    panel_shows(&c, "fault-database-latency", true, asked).await;
    assert!(
        set["x"].as_f64().unwrap() > 90.0,
        "marked at now, the right edge: {set}"
    );
    // It moves left with the figures, a minute across the chart: 1.7% a second.
    let moved = Instant::now();
    pace(Duration::from_millis(2500)).await;
    let later = markers(&c).await[0]["x"].as_f64().unwrap();
    let shift = set["x"].as_f64().unwrap() - later;
    let expected = moved.elapsed().as_secs_f64() * 100.0 / 60.0;
    assert!(
        shift > 1.0 && shift < expected + 2.0,
        "moved {shift}% in {:?}",
        moved.elapsed()
    );

    let asked = Instant::now();
    fault(
        &app,
        Method::DELETE,
        "/api/faults/database/latency",
        json!({}),
    )
    .await;
    let (cleared, took) = marked(&c, "cleared", 1, asked).await;
    println!("clear marked {took:?} after it was asked");
    panel_shows(&c, "fault-database-latency", false, asked).await;
    assert!(
        cleared["x"].as_f64() > Some(later),
        "after the set: {cleared}"
    );
    let into_view = "document.getElementById('load-chart').scrollIntoView({ block: 'center' })";
    c.execute(into_view, vec![]).await.unwrap();
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-fault-markers.png");

    // No run going: the chart keeps its minute, and a fault that runs out is marked as it ends.
    click(&c, "[data-testid=load-stop]").await;
    text_until(&c, "[data-testid=load-figures]", |t| {
        t.starts_with("Stopped.")
    })
    .await;
    let asked = Instant::now();
    let body = json!({ "expires_in_secs": 1 });
    fault(&app, Method::PUT, "/api/faults/cache/outage", body).await;
    marked(&c, "cache outage", 2, asked).await;
    panel_shows(&c, "fault-cache-outage", true, asked).await;
    let (expired, took) = marked(&c, "expired", 2, asked + Duration::from_secs(1)).await;
    println!("expiry marked {took:?} after the fault's second");
    assert_eq!(expired["change"], "expired", "{expired}");
    let ended = asked + Duration::from_secs(1);
    panel_shows(&c, "fault-cache-outage", false, ended).await;
    // Still moving left with nothing arriving: the chart keeps its time axis (redrawn each
    // second, so two seconds move it at least one second's worth, 1.7%).
    let at = |all: Vec<Value>| all.last().unwrap()["x"].as_f64().unwrap();
    let before = at(markers(&c).await);
    pace(Duration::from_millis(2000)).await;
    let idle_shift = before - at(markers(&c).await);
    assert!(idle_shift > 1.0, "with no run, moved {idle_shift}%");

    // A flood of changes: the newest marked, the chart's markers bounded.
    for ms in 1..=25 {
        let body = json!({ "value": ms });
        fault(&app, Method::PUT, "/api/faults/database/latency", body).await;
    }
    marked(&c, "database latency 25 ms", 0, Instant::now()).await;
    assert_eq!(markers(&c).await.len(), MOST);
    c.close().await.unwrap();
}
