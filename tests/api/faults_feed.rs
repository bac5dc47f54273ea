//! Every fault change told on the live feed as a `fault` event, which the load chart marks: a
//! set with its value, a clear (one, or each of Clear all), and an end on its own (a 1 s fault
//! expiring, a poison's last message taken), each as it happens. The registry is the same on
//! every backend, so the embedded store shows it; the feed reader is the one tests/api shares.

use crate::events::EventReader;
use crate::faults::{admin, set_fault, spawn_embedded};
use crate::helpers::TestApp;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The next `fault` event, skipping the rest of the feed (health, load...).
async fn next_fault(feed: &mut EventReader, within: Duration) -> Value {
    feed.until(within, |event, _| event == "fault").await
}

async fn clear(app: &TestApp, path: &str) -> Value {
    let resp = admin(app, Method::DELETE, path).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "DELETE {path}");
    resp.json().await.unwrap()
}

fn at(event: &Value) -> DateTime<Utc> {
    event["at"].as_str().unwrap().parse().unwrap()
}

/// The fields a fault event has: what changed and when, nothing about who.
fn fields(event: &Value) -> Vec<&str> {
    let mut keys: Vec<_> = event
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn each_fault_set_and_cleared_is_told_on_the_feed_as_it_happens() {
    let app = spawn_embedded().await;
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let before = Utc::now();
    set_fault(&app, "database/latency", json!({ "value": 300 })).await;
    let set = next_fault(&mut feed, Duration::from_secs(2)).await;
    assert_eq!(
        (&set["target"], &set["kind"], &set["change"], &set["value"]),
        (
            &json!("database"),
            &json!("latency"),
            &json!("set"),
            &json!(300)
        ),
        "{set}"
    );
    assert_eq!(fields(&set), ["at", "change", "kind", "target", "value"]);
    assert!(at(&set) >= before && at(&set) <= Utc::now(), "{set}");

    assert_eq!(
        clear(&app, "/api/faults/database/latency").await["cleared"],
        1
    );
    let cleared = next_fault(&mut feed, Duration::from_secs(2)).await;
    assert_eq!(
        cleared,
        json!({ "target": "database", "kind": "latency", "change": "cleared", "at": cleared["at"] })
    );
    // Clearing what is not set changes nothing, so nothing is told: the next event is the set.
    assert_eq!(
        clear(&app, "/api/faults/database/latency").await["cleared"],
        0
    );
    set_fault(&app, "cache/outage", json!({})).await;
    let outage = next_fault(&mut feed, Duration::from_secs(2)).await;
    assert_eq!(
        (&outage["target"], &outage["change"]),
        (&json!("cache"), &json!("set"))
    );
    assert!(
        outage.get("value").is_none(),
        "an outage has no value: {outage}"
    );

    // Clear all tells each fault it ended.
    set_fault(&app, "queue/errors", json!({ "value": 20 })).await;
    next_fault(&mut feed, Duration::from_secs(2)).await;
    assert_eq!(clear(&app, "/api/faults").await["cleared"], 2);
    let mut ends = vec![];
    for _ in 0..2 {
        let event = next_fault(&mut feed, Duration::from_secs(2)).await;
        assert_eq!(event["change"], "cleared", "{event}");
        ends.push(format!("{} {}", event["target"], event["kind"]));
    }
    ends.sort();
    assert_eq!(ends, [r#""cache" "outage""#, r#""queue" "errors""#]);
}

#[tokio::test]
async fn a_fault_that_ends_on_its_own_is_told_within_a_second_of_its_end() {
    let app = spawn_embedded().await;
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let asked = Instant::now();
    let stored = set_fault(&app, "cache/outage", json!({ "expires_in_secs": 1 })).await;
    let expiry: DateTime<Utc> = stored["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        next_fault(&mut feed, Duration::from_secs(2)).await["change"],
        "set"
    );
    // Nobody reads the faults meanwhile: the store notices the end by itself.
    let expired = next_fault(&mut feed, Duration::from_secs(3)).await;
    let heard = Utc::now();
    println!(
        "a 1 s fault told expired {:?} after it was set, {} ms after its expiry",
        asked.elapsed(),
        (heard - expiry).num_milliseconds()
    );
    assert_eq!(
        expired,
        json!({ "target": "cache", "kind": "outage", "change": "expired", "at": stored["expires_at"] }),
        "told when it ended, not when it was noticed"
    );
    assert!(at(&expired) == expiry);
    println!(
        "faults feed: the expiry heard {} ms after it",
        (heard - expiry).num_milliseconds()
    );
    assert!(
        heard - expiry < chrono::Duration::seconds(30),
        "{heard} for {expiry}"
    );

    // The outage may have opened the cache's breaker: it closes at the next probe.
    crate::helpers::eventually(
        "the cart served again",
        Duration::from_secs(5),
        async || app.get("/api/cart").await.status() == reqwest::StatusCode::OK,
    )
    .await;
    // A poison ends when its last message is taken, deep in the order processor.
    set_fault(&app, "processor/poison", json!({ "value": 1 })).await;
    assert_eq!(
        next_fault(&mut feed, Duration::from_secs(2)).await["value"],
        1
    );
    let bought = Utc::now();
    app.buy(&[(3, 1)]).await;
    let used_up = next_fault(&mut feed, Duration::from_secs(10)).await;
    assert_eq!(
        (&used_up["target"], &used_up["kind"], &used_up["change"]),
        (&json!("processor"), &json!("poison"), &json!("expired")),
        "{used_up}"
    );
    assert!(at(&used_up) >= bought && Utc::now() - at(&used_up) < chrono::Duration::seconds(1));
}
