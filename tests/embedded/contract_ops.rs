//! The operations side of the contract walk (`contract_answers`), and what the admin side
//! answers that one walk cannot show in passing: an audit log holding every kind of entry, and
//! the 429 a locked-out client gets from every admin operation, all checked against the
//! document.

use crate::contract::{concrete, operations};
use crate::contract_answers::{Walk, TOKEN};
use crate::contract_faults::faults_side;
use crate::contract_scenarios::scenarios_side;
use crate::helpers::spawn_app;
use crate::schema;
use carstore::http::admin::PER_CLIENT;
use reqwest::Method;
use serde_json::json;

pub async fn ops_side(w: &mut Walk) {
    use Method as M;
    w.call(M::GET, "/api/services", "/api/services", None, 200)
        .await;
    let roster = w
        .call(M::GET, "/api/replicas", "/api/replicas", None, 200)
        .await;
    assert_eq!(roster["channel"], "none", "embedded mode is one process");
    let status = "/api/service/{name}/status";
    w.call(M::GET, status, "/api/service/redis/status", None, 200)
        .await;
    w.call(M::POST, status, "/api/service/postgres/status", None, 200)
        .await;
    w.call(M::GET, status, "/api/service/mysql/status", None, 404)
        .await;
    let act = "/api/service/{name}/{action}";
    w.call(M::POST, act, "/api/service/redis/restart", None, 401)
        .await;
    w.admin(M::POST, act, "/api/service/postgres/restart", None, 409)
        .await; // embedded: no control
    w.admin(M::POST, act, "/api/service/redis/explode", None, 404)
        .await;
    w.admin(M::POST, act, "/api/service/redis/restart", None, 200)
        .await;
    let logs = "/api/service/{name}/logs";
    w.admin(M::GET, logs, "/api/service/carstore/logs?tail=5", None, 200)
        .await;
    w.admin(
        M::GET,
        logs,
        "/api/service/carstore/logs?tail=5000",
        None,
        400,
    )
    .await;
    w.admin(M::GET, logs, "/api/service/redis/logs", None, 409)
        .await; // its control has no log file
    w.call(M::GET, logs, "/api/service/carstore/logs", None, 401)
        .await;
    w.call(M::GET, "/api/events", "/api/events", None, 200)
        .await;
    let feed = "/api/events?logs=carstore,redis&scenario=true";
    w.admin(M::GET, "/api/events", feed, None, 200).await;
    w.call(M::GET, "/api/events", "/api/events?logs=nope", None, 400)
        .await;
    w.call(M::GET, "/api/queues", "/api/queues", None, 200)
        .await;

    sign_ins(w).await;
    audit(w).await;
    faults_side(w).await;
    scenarios_side(w).await;

    let load = "/api/load";
    w.call(M::GET, load, load, None, 200).await;
    w.admin(M::POST, load, load, Some(json!({ "rate": 0 })), 422)
        .await;
    w.admin(
        M::POST,
        load,
        load,
        Some(json!({ "rate": 1, "mix": null })),
        400,
    )
    .await;
    let run = json!({ "rate": 1, "duration_secs": 60, "mix": "browse=1" });
    w.admin(M::POST, load, load, Some(run.clone()), 202).await;
    w.admin(M::POST, load, load, Some(run), 409).await; // one run at a time
    w.call(M::DELETE, load, load, None, 401).await;
    w.admin(M::DELETE, load, load, None, 200).await;

    for path in ["/healthz", "/readyz", "/metrics"] {
        w.call(M::GET, path, path, None, 200).await;
    }
}

/// A wrong token by the form and one with a request (two of the failures a lockout allows),
/// then the right one by the form.
async fn sign_ins(w: &mut Walk) {
    let login = "/api/admin/login";
    let wrong = w
        .app
        .client
        .get(w.app.url("/api/audit"))
        .bearer_auth("not-the-token-at-all");
    w.send(wrong, Method::GET, "/api/audit", None, 401).await;
    w.call(
        Method::POST,
        login,
        login,
        Some(json!({ "token": "not-the-token-at-all" })),
        401,
    )
    .await;
    w.call(
        Method::POST,
        login,
        login,
        Some(json!({ "token": TOKEN })),
        200,
    )
    .await;
    let admin = "/api/admin";
    let signed_in = w.call(Method::GET, admin, admin, None, 200).await;
    assert_eq!(signed_in, json!({ "admin": true }));
    w.call(
        Method::POST,
        "/api/admin/logout",
        "/api/admin/logout",
        None,
        200,
    )
    .await;
    let signed_out = w.call(Method::GET, admin, admin, None, 200).await;
    assert_eq!(signed_out, json!({ "admin": false }));
}

/// The audit log now holds both kinds of entry, each checked against the document by the walk.
async fn audit(w: &mut Walk) {
    w.call(Method::GET, "/api/audit", "/api/audit", None, 401)
        .await; // no token: no guess, not audited
    let entries = w
        .admin(Method::GET, "/api/audit", "/api/audit", None, 200)
        .await;
    let entries = entries.as_array().unwrap();
    let seen: Vec<String> = entries
        .iter()
        .map(|e| match e["kind"].as_str().unwrap() {
            "control" => format!("control {} {}: {}", e["action"], e["service"], e["result"]),
            kind => format!("{kind} {}: {}", e["via"], e["result"]),
        })
        .collect();
    assert_eq!(
        seen,
        [
            r#"sign_in "login": "ok""#,
            r#"sign_in "login": "wrong token""#,
            r#"sign_in "bearer": "wrong token""#,
            r#"control "restart" "redis": "ok""#,
        ],
        "newest first"
    );
}

#[tokio::test]
async fn a_client_past_the_limit_gets_the_documented_429_from_every_admin_operation() {
    let mut w = Walk::start().await;
    let login = "/api/admin/login";
    for _ in 0..PER_CLIENT {
        let guess = json!({ "token": "a-guess-at-the-admin-token" });
        w.call(Method::POST, login, login, Some(guess), 401).await;
    }
    let mut refused = Vec::new();
    for (method, pattern) in operations(&w.doc) {
        let op = &w.doc["paths"][&pattern][method.to_lowercase()];
        let guarded = op.get("security").is_some() || pattern == login;
        // A shopper's sign-in and sign-up have limits of their own (tests/api/accounts*.rs),
        // and so has the public live feed (tests/api/security_store.rs).
        let limited_elsewhere = [
            ("POST", "/api/session"),
            ("POST", "/api/account"),
            ("GET", "/api/events"),
        ]
        .contains(&(method.as_str(), pattern.as_str()));
        assert_eq!(
            op["responses"].get("429").is_some(),
            guarded || limited_elsewhere,
            "{method} {pattern}: a 429 documented exactly where a limit applies"
        );
        if !guarded {
            continue;
        }
        let body = match pattern.as_str() {
            "/api/admin/login" => Some(json!({ "token": "yet-another-guess-abcdef" })),
            "/api/load" if method == "POST" => Some(json!({ "rate": 1 })),
            _ => None,
        };
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        // A wrong token past the limit; the walk checks the body and Retry-After.
        let req = w
            .app
            .client
            .request(m.clone(), w.app.url(&concrete(&pattern)))
            .bearer_auth("yet-another-guess-abcdef");
        w.send(req, m, &pattern, body, 429).await;
        refused.push(format!("{method} {pattern}"));
    }
    assert_eq!(refused.len(), 14, "{refused:?}");
    // The right token is let in all the same.
    w.admin(Method::GET, "/api/audit", "/api/audit", None, 200)
        .await;
}

#[tokio::test]
async fn the_audit_entry_schema_takes_each_kind_with_its_own_fields_only() {
    let doc = spawn_app().await.json("/api/openapi.json").await;
    let entry = &doc["components"]["schemas"]["AuditEntry"];
    let at = "2024-05-01T12:00:00Z";
    let control = json!({ "kind": "control", "at": at, "instance": "store-a",
                          "who": "admin from 127.0.0.1", "service": "redis", "action": "stop",
                          "result": "ok" });
    let sign_in = json!({ "kind": "sign_in", "at": at, "instance": "store-b",
                          "who": "client from 127.0.0.1", "via": "cookie", "result": "wrong token" });
    assert_eq!(schema::errors(&doc, entry, &control), Vec::<String>::new());
    assert_eq!(schema::errors(&doc, entry, &sign_in), Vec::<String>::new());
    let fault = json!({ "kind": "fault", "at": at, "instance": "store-a",
                        "who": "admin from 127.0.0.1", "target": "cache",
                        "change": "set latency", "result": "set: value 200" });
    assert_eq!(schema::errors(&doc, entry, &fault), Vec::<String>::new());
    let mut mixed_fault = fault.clone();
    mixed_fault["via"] = json!("cookie");
    assert!(!schema::errors(&doc, entry, &mixed_fault).is_empty());
    let mut broken = Vec::new();
    let mut mixed = sign_in.clone();
    mixed["service"] = json!("redis");
    broken.push(mixed);
    let mut relabelled = sign_in.clone();
    relabelled["kind"] = json!("control");
    broken.push(relabelled);
    let mut unknown_way = sign_in.clone();
    unknown_way["via"] = json!("header");
    broken.push(unknown_way);
    let mut no_kind = control.clone();
    no_kind.as_object_mut().unwrap().remove("kind");
    broken.push(no_kind);
    let mut no_instance = control.clone();
    no_instance.as_object_mut().unwrap().remove("instance");
    broken.push(no_instance);
    for entry_value in broken {
        assert!(
            !schema::errors(&doc, entry, &entry_value).is_empty(),
            "accepted {entry_value}"
        );
    }
}
