//! A guided run as the Scenarios page drives it: nothing happens until a step's button is
//! pressed, the checks tick, and the run ends with its summary; abandoned, it clears its faults
//! and stops its shoppers; and `carstore scenario` exits non-zero when a run does not pass.

use crate::faults::{active_faults, admin, spawn_embedded};
use crate::helpers::{eventually, nothing_more_for, TestApp};
use crate::scenarios_headless::scenario;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

async fn send(app: &TestApp, method: Method, path: &str) -> (StatusCode, Value) {
    let resp = admin(app, method, path).send().await.unwrap();
    (resp.status(), resp.json().await.unwrap())
}

async fn run(app: &TestApp) -> Value {
    send(app, Method::GET, "/api/scenarios/run").await.1
}

/// Waits until the guided run waits for the button of step `at`.
async fn waits_at(app: &TestApp, at: u64) {
    eventually(
        &format!("waiting at step {at}"),
        Duration::from_secs(30),
        async || {
            let view = run(app).await;
            view["waiting_for_press"] == true && view["step"] == at
        },
    )
    .await;
}

async fn press(app: &TestApp) -> Value {
    let (status, view) = send(app, Method::POST, "/api/scenarios/run/next").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

#[tokio::test]
async fn a_guided_run_waits_for_each_button_and_ends_with_its_summary() {
    let app = spawn_embedded().await;
    let (status, started) = send(&app, Method::POST, "/api/scenarios/redis-outage/run").await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["waiting_for_press"], true);
    nothing_more_for(Duration::from_millis(600)).await;
    assert!(
        app.json("/api/load").await["running"].is_null(),
        "nothing before the press"
    );
    press(&app).await;
    waits_at(&app, 1).await;
    assert!(
        app.json("/api/load").await["running"].is_string(),
        "shoppers on"
    );
    assert_eq!(
        active_faults(&app).await,
        serde_json::json!([]),
        "no break before its button"
    );
    press(&app).await;
    // The run's task sets the fault just after the press is answered.
    eventually("the cache outage set", Duration::from_secs(5), async || {
        let set = active_faults(&app).await;
        (&set[0]["target"], &set[0]["kind"]) == (&"cache".into(), &"outage".into())
    })
    .await;
    waits_at(&app, 2).await;
    let broken = run(&app).await;
    let seen = &broken["steps"][1]["checks"][1]["seen"];
    assert!(
        seen.as_str()
            .unwrap()
            .starts_with("503 cart_unavailable in "),
        "{seen}"
    );
    press(&app).await;
    waits_at(&app, 3).await;
    press(&app).await;
    eventually("the run passed", Duration::from_secs(30), async || {
        run(&app).await["summary"].is_object()
    })
    .await;
    let done = run(&app).await;
    assert_eq!(done["status"], "passed", "{done}");
    let summary = &done["summary"];
    assert!(summary["detect_ms"].as_u64().unwrap() < 5_000, "{summary}");
    assert!(summary["recover_ms"].is_u64(), "{summary}");
    assert_eq!(summary["orders_lost"], 0);
    assert_eq!(active_faults(&app).await, serde_json::json!([]));
    let audit = send(&app, Method::GET, "/api/audit").await.1;
    let by_scenario = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["who"] == "scenario redis-outage")
        .count();
    assert_eq!(by_scenario, 2, "the set and the clear, audited: {audit}");
}

#[tokio::test]
async fn abandoning_a_run_clears_its_faults_and_stops_its_shoppers() {
    let app = spawn_embedded().await;
    send(&app, Method::POST, "/api/scenarios/postgres-outage/run").await;
    press(&app).await;
    waits_at(&app, 1).await;
    press(&app).await;
    eventually(
        "the database outage set",
        Duration::from_secs(5),
        async || active_faults(&app).await[0]["kind"] == "outage",
    )
    .await;
    let (status, view) = send(&app, Method::DELETE, "/api/scenarios/run").await;
    assert_eq!(
        (status, &view["status"]),
        (StatusCode::OK, &"abandoned".into())
    );
    eventually(
        "faults cleared, shoppers stopped",
        Duration::from_secs(5),
        async || {
            active_faults(&app).await == serde_json::json!([])
                && app.json("/api/load").await["running"].is_null()
        },
    )
    .await;
    eventually("ready again", Duration::from_secs(5), async || {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
}

#[tokio::test]
async fn the_scenario_command_lists_and_exits_non_zero_when_a_run_does_not_pass() {
    let app = spawn_embedded().await;
    let (ok, out, _) = scenario(&app, &["list"]).await;
    assert!(ok);
    assert_eq!(out.lines().count(), 6, "{out}");
    assert!(out.starts_with("redis-outage "), "{out}");
    let (ok, _, err) = scenario(&app, &["run", "no-such-drill"]).await;
    assert!(!ok);
    assert!(err.contains("404: no scenario called that"), "{err}");
    let running = scenario(&app, &["run", "slow-database"]);
    let abandon = async {
        eventually("the run started", Duration::from_secs(10), async || {
            run(&app).await["status"] == "running"
        })
        .await;
        send(&app, Method::DELETE, "/api/scenarios/run").await
    };
    let ((ok, out, err), _) = tokio::join!(running, abandon);
    assert!(!ok, "{out}");
    assert!(err.contains("scenario slow-database abandoned"), "{err}");
}

/// With the order processor in a `carstore worker`, this process's faults cannot reach it: the
/// scenarios that drill it are refused up front, not left to time out.
#[tokio::test]
async fn scenarios_that_drill_the_processor_are_refused_where_it_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let settings = carstore::Settings {
        run_worker: false,
        ..crate::faults::with_token(carstore::Settings::for_tests(dir.path()))
    };
    let app = crate::helpers::spawn_in_dir(dir, settings).await;
    for name in ["poison-message", "rabbitmq-outage"] {
        let (status, body) = send(&app, Method::POST, &format!("/api/scenarios/{name}/run")).await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::CONFLICT, &"scenario_needs_worker".into())
        );
    }
    let listed = app.json("/api/scenarios").await;
    let needing: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["needs_worker"] == true)
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(needing, ["rabbitmq-outage", "poison-message"]);
    let (status, _) = send(&app, Method::POST, "/api/scenarios/flaky-client/run").await;
    assert_eq!(status, StatusCode::CREATED, "the others run");
    send(&app, Method::DELETE, "/api/scenarios/run").await;
}
