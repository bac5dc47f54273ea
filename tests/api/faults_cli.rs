//! `carstore fault` against a running store: sets, lists and clears what the API holds, and
//! exits non-zero with the store's own message when it is refused.

use crate::faults::{active_faults, spawn_embedded, TOKEN};
use crate::helpers::TestApp;
use crate::helpers::BIN;
use serde_json::json;

/// Runs `carstore fault ARGS --url <app>` with these variables; exit success, stdout, stderr.
async fn fault(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = tokio::process::Command::new(BIN)
        .arg("fault")
        .args(args)
        .args(["--url", &app.address])
        .env_remove("CARSTORE_ADMIN_TOKEN")
        .envs(env.iter().copied())
        .output()
        .await
        .expect("the binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

#[tokio::test]
async fn the_fault_command_sets_lists_and_clears_faults_on_a_running_store() {
    let app = spawn_embedded().await;
    let with_token = ["--token", TOKEN];
    let set = [
        &["set", "database", "latency", "--value", "150"][..],
        &["--jitter-ms", "20", "--expires-in", "600"],
        &with_token,
    ]
    .concat();
    let (ok, out, err) = fault(&app, &set, &[]).await;
    assert!(ok, "{err}");
    assert!(
        out.starts_with("database latency 150 (jitter 20 ms) until "),
        "{out}"
    );
    let stored = active_faults(&app).await;
    assert_eq!(stored[0]["value"], 150);
    assert_eq!(stored[0]["jitter_ms"], 20);
    let route = [
        "set",
        "store",
        "errors",
        "--value",
        "5",
        "--route",
        "/api/cart",
    ];
    let (ok, _, err) = fault(&app, &route, &[("CARSTORE_ADMIN_TOKEN", TOKEN)]).await;
    assert!(ok, "the token from the environment: {err}");
    let (ok, out, _) = fault(&app, &["list", "--token", TOKEN], &[]).await;
    assert!(ok);
    assert!(
        out.contains("store errors 5 on /api/cart until cleared"),
        "{out}"
    );
    let (ok, out, _) = fault(
        &app,
        &["clear", "database", "latency", "--token", TOKEN],
        &[],
    )
    .await;
    assert!(ok);
    assert_eq!(out.trim(), "cleared 1");
    let (ok, out, _) = fault(&app, &["clear", "--token", TOKEN], &[]).await;
    assert!(ok);
    assert_eq!(out.trim(), "cleared 1");
    assert_eq!(active_faults(&app).await, json!([]));
}

#[tokio::test]
async fn the_fault_command_fails_with_the_stores_message_when_refused() {
    let app = spawn_embedded().await;
    let (ok, _, err) = fault(&app, &["list", "--token", "not-the-admin-token"], &[]).await;
    assert!(!ok);
    assert!(
        err.contains("401") && err.contains("admin_required"),
        "{err}"
    );
    let out_of_range = ["set", "cache", "errors", "--value", "101", "--token", TOKEN];
    let (ok, _, err) = fault(&app, &out_of_range, &[]).await;
    assert!(!ok);
    assert!(
        err.contains("422") && err.contains("errors takes 1 to 100 %"),
        "{err}"
    );
    let (ok, _, err) = fault(&app, &["set", "disk", "outage", "--token", TOKEN], &[]).await;
    assert!(!ok);
    assert!(
        err.contains("404") && err.contains("unknown_target"),
        "{err}"
    );
    let (ok, _, err) = fault(&app, &["list"], &[]).await;
    assert!(!ok);
    assert!(err.contains("CARSTORE_ADMIN_TOKEN"), "{err}");
    assert_eq!(active_faults(&app).await, json!([]));
}
