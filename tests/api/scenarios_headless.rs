//! Every guided scenario run headless, as a workshop or CI runs it: `carstore scenario run NAME`
//! against a store on each backend must print every check as passed, a summary with no order
//! lost, exit 0, and leave the store as it found it (no fault set, no load running). The
//! output is printed, so the test command shows each scenario's time to detect and to recover.

use crate::faults::{active_faults, TOKEN};
use crate::helpers::BIN;
use crate::helpers::{eventually, TestApp};
use crate::services::on_both_backends;
use std::time::Duration;

on_both_backends!(
    spawn: crate::faults::spawn_embedded, crate::faults::spawn_real;
    redis_outage,
    rabbitmq_outage,
    postgres_outage,
    slow_database,
    poison_message,
    flaky_client,
);

async fn redis_outage(app: &TestApp) {
    runs_headless(app, "redis-outage").await;
}

async fn rabbitmq_outage(app: &TestApp) {
    runs_headless(app, "rabbitmq-outage").await;
}

async fn postgres_outage(app: &TestApp) {
    runs_headless(app, "postgres-outage").await;
}

async fn slow_database(app: &TestApp) {
    runs_headless(app, "slow-database").await;
}

async fn poison_message(app: &TestApp) {
    runs_headless(app, "poison-message").await;
}

async fn flaky_client(app: &TestApp) {
    runs_headless(app, "flaky-client").await;
}

/// `carstore scenario ARGS --url <app>`: exit success, stdout, stderr.
pub async fn scenario(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(BIN)
        .arg("scenario")
        .args(args)
        .args(["--url", &app.address, "--token", TOKEN])
        .output()
        .await
        .expect("the binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

async fn runs_headless(app: &TestApp, name: &str) {
    let (ok, out, err) = scenario(app, &["run", name]).await;
    println!("{} backend:\n{out}", app_backend(app).await);
    assert!(ok, "{name} failed: {err}\n{out}");
    let listed = app.json("/api/scenarios").await;
    let written = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .expect("the scenario is listed");
    let checks: usize = written["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["checks"].as_array().unwrap().len())
        .sum();
    assert_eq!(out.matches("\n  passed: ").count(), checks, "{out}");
    let summary = out.lines().last().unwrap();
    assert!(summary.starts_with("summary: detected in "), "{out}");
    // One line per run for the test command's output.
    println!("figures: {} {name}: {summary}", app_backend(app).await);
    assert!(summary.contains(" 0 lost,"), "{summary}");
    assert!(!summary.contains("recovered in -"), "{summary}");
    left_as_found(app).await;
}

/// No fault left set, no shoppers left running.
async fn left_as_found(app: &TestApp) {
    assert_eq!(
        active_faults(app).await,
        serde_json::json!([]),
        "the run clears what it set"
    );
    eventually(
        "the run's shoppers stopped",
        Duration::from_secs(3),
        async || app.json("/api/load").await["running"].is_null(),
    )
    .await;
}

async fn app_backend(app: &TestApp) -> &'static str {
    let services = app.json("/api/services").await;
    match services[0]["target"].as_str() {
        Some("embedded in carstore") => "embedded",
        _ => "real",
    }
}
