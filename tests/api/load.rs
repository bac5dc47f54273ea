//! `carstore load` against a real store, its report checked against the store's own /metrics.

use crate::helpers::BIN;
use crate::helpers::{spawn_app, TestApp};
use carstore::load::{run, LoadPlan, LoadSummary, Mix, Pace};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// `carstore_http_requests_total` by (`METHOD /route`, status), leaving out the scrape itself.
async fn served(app: &TestApp) -> BTreeMap<(String, u16), u64> {
    let text = app.get("/metrics").await.text().await.unwrap();
    let mut counts = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("carstore_http_requests_total{"))
    {
        let label = |name: &str| {
            let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[start..].split('"').next().unwrap().to_owned()
        };
        let (method, route) = (label("method"), label("route"));
        if route == "/metrics" {
            continue;
        }
        let status: u16 = label("status").parse().unwrap();
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        counts.insert((format!("{method} {route}"), status), count as u64);
    }
    counts
}

fn sent(summary: &LoadSummary) -> BTreeMap<(String, u16), u64> {
    summary
        .by_route
        .iter()
        .map(|r| {
            (
                (
                    r.route.to_owned(),
                    r.status.expect("every request was answered"),
                ),
                r.count,
            )
        })
        .collect()
}

fn metric(text: &str, name: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '));
    line.map_or(0.0, |l| l.rsplit(' ').next().unwrap().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_model_run_counts_exactly_what_the_store_served() {
    let app = spawn_app().await;
    let plan = LoadPlan {
        base: app.address.clone(),
        duration: Duration::from_secs(3),
        pace: Pace::Concurrency(8),
        mix: "browse=10,view=5,add_to_cart=3,checkout=2"
            .parse::<Mix>()
            .unwrap(),
    };
    let mut seconds = 0;
    let summary = run(plan, Arc::new(AtomicBool::new(false)), |_| seconds += 1).await;
    assert!(summary.requests > 100, "{summary:?}");
    assert_eq!(summary.errors, 0, "{}", summary.to_text());
    assert!(seconds >= 2, "a progress report each second, got {seconds}");
    assert_eq!(
        sent(&summary),
        served(&app).await,
        "the report and the store's counters agree"
    );
    let checkouts = sent(&summary)
        .get(&("POST /api/checkout".into(), 201))
        .copied()
        .unwrap_or(0);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(checkouts > 0);
    assert_eq!(
        metric(&text, "carstore_orders_created_total"),
        checkouts as f64
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sends_at_the_asked_rate_and_reports_json() {
    let app = spawn_app().await;
    let out = tokio::process::Command::new(BIN)
        .args([
            "load",
            "--url",
            &app.address,
            "--duration",
            "2s",
            "--rate",
            "100",
        ])
        .args(["--mix", "browse=1,view=1", "--json"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Open model: 100 a second for 2 s is exactly 200 requests, answered or not.
    assert_eq!(report["requests"], 200, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    for key in ["p50_ms", "p90_ms", "p99_ms", "max_ms"] {
        assert!(
            report["latency"][key].as_f64().unwrap() > 0.0,
            "{key}: {report}"
        );
    }
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("req/s"),
        "a progress line each second: {progress}"
    );
    let served: u64 = served(&app).await.values().sum();
    assert_eq!(served, 200, "the store served what the report counted");
    let bad = std::process::Command::new(BIN)
        .args(["load", "--url", &app.address, "--mix", "browse=0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1), "a bad mix is refused");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at least one scenario"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_starts_and_stops_a_run_and_the_feed_carries_its_figures() {
    use crate::events::EventReader;
    use carstore::config::AdminToken;
    use serde_json::json;
    const TOKEN: &str = "load-admin-token-0123456789";
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = crate::helpers::spawn_with(settings).await;
    let post = |body: Value, token: Option<&str>| {
        let request = app.client.post(app.url("/api/load")).json(&body);
        let request = match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    assert_eq!(post(json!({ "rate": 50 }), None).await.status(), 401);
    for bad in [
        json!({ "rate": 0 }),
        json!({ "rate": 1e9 }),
        json!({ "rate": 10, "mix": "fly=1" }),
        json!({ "rate": 10, "duration_secs": 0 }),
    ] {
        assert_eq!(post(bad.clone(), Some(TOKEN)).await.status(), 422, "{bad}");
    }
    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let started = post(
        json!({ "rate": 40, "mix": "browse=3,view=1", "duration_secs": 30 }),
        Some(TOKEN),
    )
    .await;
    assert_eq!(started.status(), 202);
    let again = post(json!({ "rate": 40 }), Some(TOKEN)).await;
    assert_eq!(again.status(), 409, "one run at a time");
    let progress = feed
        .until(Duration::from_secs(5), |e, d| {
            e == "load" && d["progress"]["requests_per_sec"].as_f64() > Some(0.0)
        })
        .await;
    assert_eq!(progress["running"], true);
    assert!(app.json("/api/load").await["running"]
        .as_str()
        .unwrap()
        .starts_with("40/s"));
    let stopped = app
        .client
        .delete(app.url("/api/load"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    let ended = feed
        .until(Duration::from_secs(5), |e, d| {
            e == "load" && d["running"] == false
        })
        .await;
    let summary = &ended["summary"];
    assert!(summary["requests"].as_u64().unwrap() >= 40, "{summary}");
    assert_eq!(summary["errors"], 0, "{summary}");
    assert!(app.json("/api/load").await["running"].is_null());
    app.stop().await;
}
