//! One live feed per tab, its log windows: `GET /api/events?logs=...` carries the admin's log
//! windows beside the store's events, each `log` event's id a cursor of every window's last line,
//! which resumes them all when the browser reconnects; a window that falls behind ends the feed
//! rather than drop a line.

use crate::faults::{admin, spawn_embedded};
use crate::helpers::TestApp;
use crate::services::unique;
use crate::sse::EventReader;
use carstore::ops::logs::push_own_line;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use std::time::Duration;

pub const SOON: Duration = Duration::from_secs(5);

/// carstore's own log is one per process: the tests that follow it take turns, so one's flood
/// of lines never ends another's feed.
static OWN_LOG: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The feed with these parameters, as the admin, resuming after `last_id` when given.
pub fn as_admin(app: &TestApp, query: &str, last_id: Option<&str>) -> RequestBuilder {
    let request = admin(app, Method::GET, &format!("/api/events{query}"));
    match last_id {
        Some(id) => request.header("Last-Event-ID", id),
        None => request,
    }
}

/// The snapshot every feed opens with: each service's health, then each breaker.
pub async fn snapshot(feed: &mut EventReader) {
    let mut kinds = Vec::new();
    for _ in 0..6 {
        let (event, _) = feed.next(SOON).await.expect("a snapshot event");
        kinds.push(event);
    }
    assert_eq!(
        kinds,
        ["health", "health", "health", "breaker", "breaker", "breaker"]
    );
}

/// A `log` event's data, checked: its window, and its id the cursor naming its number.
fn log_line(data: &Value, id: Option<&String>) -> (u64, String) {
    assert_eq!(data["window"], "carstore", "{data}");
    assert!(data["ts"].as_str().unwrap().ends_with('Z'), "{data}");
    let seq = data["seq"].as_u64().expect("seq");
    assert_eq!(id, Some(&format!("carstore:{seq}")), "the id is the cursor");
    (seq, data["line"].as_str().unwrap().to_owned())
}

/// Reads `log` events until one says `needle` (others skipped, but checked); every line read.
pub async fn lines_until(feed: &mut EventReader, needle: &str) -> Vec<(u64, String)> {
    let mut lines = Vec::new();
    loop {
        let (event, data) = feed.next(SOON).await.expect("a line saying {needle}");
        if event != "log" {
            continue;
        }
        lines.push(log_line(&data, feed.last_id.as_ref()));
        if lines.last().unwrap().1.contains(needle) {
            return lines;
        }
    }
}

#[tokio::test]
async fn an_admin_feed_carries_the_store_the_scenario_run_and_a_log_window_with_cursor_ids() {
    let _turn = OWN_LOG.lock().await;
    let app = spawn_embedded().await;
    let mark = unique("feed-line-");
    push_own_line(&format!("{mark} before the feed"));
    let mut feed = EventReader::send(as_admin(&app, "?logs=carstore&scenario=true", None)).await;
    snapshot(&mut feed).await;
    let (event, run) = feed.next(SOON).await.expect("the scenario run");
    assert_eq!(
        (event.as_str(), run),
        ("scenario", Value::Null),
        "no run yet"
    );
    let backlog = lines_until(&mut feed, &format!("{mark} before")).await;
    push_own_line(&format!("{mark} live"));
    let live = lines_until(&mut feed, &format!("{mark} live")).await;
    let seqs: Vec<u64> = backlog.iter().chain(&live).map(|l| l.0).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    let seen = feed.last_id.clone().unwrap();
    let last = *seqs.last().unwrap();
    drop(feed);

    // A reconnect resumes after the cursor, which wins over the parameter's own number.
    push_own_line(&format!("{mark} while away"));
    for query in ["?logs=carstore", "?logs=carstore:0"] {
        let mut again = EventReader::send(as_admin(&app, query, Some(&seen))).await;
        let missed = lines_until(&mut again, &format!("{mark} while away")).await;
        assert!(
            missed.iter().all(|l| l.0 > last),
            "{query}: {missed:?} after {last}"
        );
    }
    // A cursor that does not read as one is ignored: the parameter's number decides.
    let query = format!("?logs=carstore:{last}");
    let mut again = EventReader::send(as_admin(&app, &query, Some("not a cursor"))).await;
    let missed = lines_until(&mut again, &format!("{mark} while away")).await;
    assert!(missed.iter().all(|l| l.0 > last), "{missed:?} after {last}");
}

#[tokio::test]
async fn a_window_without_a_log_source_is_refused_and_the_others_go_on() {
    let _turn = OWN_LOG.lock().await;
    let app = spawn_embedded().await;
    let mut feed = EventReader::send(as_admin(&app, "?logs=redis,carstore", None)).await;
    snapshot(&mut feed).await;
    let (event, data) = feed.next(SOON).await.expect("the refusal");
    assert_eq!(event, "refused");
    let said = (&data["topic"], &data["window"], &data["error"]);
    assert_eq!(
        said,
        (&json!("logs"), &json!("redis"), &json!("no_logs")),
        "{data}"
    );
    let mark = unique("beside a refused window ");
    push_own_line(&mark);
    lines_until(&mut feed, &mark).await;
}

#[tokio::test]
async fn a_window_that_falls_behind_ends_the_feed_and_its_cursor_resumes_every_line() {
    let _turn = OWN_LOG.lock().await;
    let app = spawn_embedded().await;
    let mark = unique("flood-");
    push_own_line(&format!("{mark} start"));
    let mut feed = EventReader::send(as_admin(&app, "?logs=carstore", None)).await;
    let start = lines_until(&mut feed, &format!("{mark} start")).await;
    let cursor = feed.last_id.clone().unwrap();
    // More lines than a window may fall behind by, while the store's tasks cannot run.
    for n in 0..900 {
        push_own_line(&format!("{mark} {n}"));
    }
    let ended = std::time::Instant::now();
    while feed.next(SOON).await.is_some() {}
    assert!(ended.elapsed() < Duration::from_secs(2), "the feed ended");
    let mut again = EventReader::send(as_admin(&app, "?logs=carstore", Some(&cursor))).await;
    let resumed = lines_until(&mut again, &format!("{mark} 899")).await;
    let flood: Vec<String> = (0..900).map(|n| format!("{mark} {n}")).collect();
    let got: Vec<&String> = resumed
        .iter()
        .map(|l| &l.1)
        .filter(|l| l.starts_with(&mark))
        .collect();
    assert_eq!(got, flood.iter().collect::<Vec<_>>(), "every line, once");
    assert!(resumed[0].0 > start.last().unwrap().0);
}

#[cfg(feature = "services")]
#[tokio::test]
async fn a_request_the_binary_logs_arrives_on_the_feed_and_a_reconnect_resumes_after_it() {
    const BIN_TOKEN: &str = "events-feed-admin-token-0123456789";
    let dir = tempfile::tempdir().unwrap();
    let token = ("CARSTORE_ADMIN_TOKEN".into(), BIN_TOKEN.into());
    let served = crate::cli::serve_with(
        dir.path(),
        &["--log", "info,carstore::http=debug"],
        &[token],
    );
    let client = reqwest::Client::new();
    let open = |last: Option<String>| {
        let url = format!("{}/api/events?logs=carstore&scenario=true", served.url);
        let request = client.get(url).bearer_auth(BIN_TOKEN);
        EventReader::send(match last {
            Some(id) => request.header("Last-Event-ID", id),
            None => request,
        })
    };
    let get = |path: &'static str| client.get(format!("{}{path}", served.url)).send();
    let mut feed = open(None).await;
    snapshot(&mut feed).await;
    feed.until(SOON, |e, d| e == "scenario" && d.is_null())
        .await;
    assert_eq!(get("/feed-marker-before").await.unwrap().status(), 404);
    let seen = lines_until(&mut feed, "feed-marker-before").await;
    let last = seen.last().unwrap().0;
    let cursor = feed.last_id.clone().unwrap();
    assert_eq!(cursor, format!("carstore:{last}"));
    drop(feed);
    assert_eq!(get("/feed-marker-after").await.unwrap().status(), 404);
    let mut again = open(Some(cursor)).await;
    let missed = lines_until(&mut again, "feed-marker-after").await;
    assert!(missed.iter().all(|l| l.0 > last), "{missed:?} after {last}");
    assert!(missed.iter().all(|l| !l.1.contains("feed-marker-before")));
    served.terminate();
}
