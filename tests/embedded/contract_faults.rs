//! The faults side of the contract walk (`contract_answers`): every fault operation, with the
//! refusals it documents, and the audit entries the changes left, all checked against the
//! document by the walk.

use crate::contract_answers::Walk;
use reqwest::Method as M;
use serde_json::json;

const ONE: &str = "/api/faults/{target}/{kind}";

pub async fn faults_side(w: &mut Walk) {
    let all = "/api/faults";
    w.call(M::GET, all, all, None, 401).await;
    let none = w.admin(M::GET, all, all, None, 200).await;
    assert_eq!(none, json!([]));
    let slow = json!({ "value": 5, "jitter_ms": 1, "expires_in_secs": 60 });
    let set = w
        .admin(M::PUT, ONE, "/api/faults/cache/latency", Some(slow), 200)
        .await;
    assert_eq!(
        (set["value"].clone(), set["jitter_ms"].clone()),
        (json!(5), json!(1))
    );
    assert!(set["expires_at"].is_string(), "{set}");
    // A route nobody calls: set and shown, failing nothing the walk still needs.
    let quiet = json!({ "value": 1, "route": "/api/nothing-here" });
    w.admin(M::PUT, ONE, "/api/faults/store/errors", Some(quiet), 200)
        .await;
    refusals(w).await;
    let shown = w.admin(M::GET, all, all, None, 200).await;
    assert_eq!(shown.as_array().unwrap().len(), 2, "{shown}");
    w.call(M::DELETE, ONE, "/api/faults/cache/latency", None, 401)
        .await;
    let cleared = w
        .admin(M::DELETE, ONE, "/api/faults/cache/latency", None, 200)
        .await;
    assert_eq!(cleared, json!({ "cleared": 1 }));
    w.admin(M::DELETE, ONE, "/api/faults/disk/latency", None, 404)
        .await;
    w.call(M::DELETE, all, all, None, 401).await;
    let cleared = w.admin(M::DELETE, all, all, None, 200).await;
    assert_eq!(cleared, json!({ "cleared": 1 }));
    audited(w).await;
}

async fn refusals(w: &mut Walk) {
    let value = |v| Some(json!({ "value": v }));
    w.call(M::PUT, ONE, "/api/faults/cache/outage", None, 401)
        .await;
    w.admin(M::PUT, ONE, "/api/faults/disk/latency", value(5), 404)
        .await;
    w.admin(M::PUT, ONE, "/api/faults/cache/poison", value(5), 404)
        .await;
    w.admin(M::PUT, ONE, "/api/faults/cache/errors", value(0), 422)
        .await;
    w.admin(M::PUT, ONE, "/api/faults/cache/errors", None, 422)
        .await;
    let mistyped = Some(json!({ "value": "lots" }));
    w.admin(M::PUT, ONE, "/api/faults/cache/errors", mistyped, 400)
        .await;
}

/// Each change left its entry, newest first.
async fn audited(w: &mut Walk) {
    let entries = w.admin(M::GET, "/api/audit", "/api/audit", None, 200).await;
    let changes: Vec<String> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "fault")
        .map(|e| format!("{} {}", e["target"], e["change"]))
        .collect();
    assert_eq!(
        changes,
        [
            r#"null "clear all""#,
            r#""cache" "clear latency""#,
            r#""store" "set errors""#,
            r#""cache" "set latency""#,
        ]
    );
}
