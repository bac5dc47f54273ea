//! The audit log in Postgres: replicas on one database show one history, each entry naming the
//! replica that recorded it; entries recorded while the database is stopped (from the
//! dashboard itself) wait and are written once it answers; the table keeps the newest of each
//! kind.

use crate::helpers::{audit_entry, eventually, spawn_in_dir, TestApp};
use crate::private::PrivatePostgres;
use crate::retention::migrated_store;
use crate::services::{RealEnv, TestDb, PG_ADMIN};
use carstore::config::{AdminToken, ControlSpec};
use carstore::store::{AuditStore, KEPT_PER_KIND};
use carstore::store::{Prune, Table};
use carstore::Settings;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "replica-admin-token-0123456";

/// A replica on `env`'s database, named `instance`, with the admin token set.
async fn replica(env: &RealEnv, instance: &str, tune: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        instance: instance.to_owned(),
        admin_token: Some(AdminToken::new(TOKEN.into()).unwrap()),
        ..env.settings(dir.path())
    };
    tune(&mut settings);
    let app = spawn_in_dir(dir, settings).await;
    app.wait_until_ready().await;
    app
}

async fn act(app: &TestApp, path: &str) {
    let resp = app
        .client
        .post(app.url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "POST {path}");
}

/// `GET /api/audit`, which must answer 200 whatever the database is doing (how long it took is
/// printed; the bound only catches a read held up for good).
async fn audit(app: &TestApp) -> Vec<Value> {
    let asked = Instant::now();
    let resp = app
        .client
        .get(app.url("/api/audit"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let took = asked.elapsed();
    println!("audit: GET /api/audit answered in {} ms", took.as_millis());
    assert!(took < Duration::from_secs(30), "{took:?}");
    resp.json().await.unwrap()
}

/// Each entry as `instance kind what: result`.
fn lines(entries: &[Value]) -> Vec<String> {
    let line = |e: &Value| match e["kind"].as_str() {
        Some("control") => format!("{} control {} {}", e["instance"], e["action"], e["service"]),
        _ => format!("{} sign_in {}", e["instance"], e["via"]),
    };
    entries
        .iter()
        .map(|e| format!("{}: {}", line(e), e["result"]))
        .collect()
}

#[tokio::test]
async fn replicas_on_one_database_show_one_audit_history_naming_who_recorded_each_entry() {
    let env = RealEnv::shared().await;
    let harmless = ControlSpec::Command {
        start: "true".into(),
        stop: "true".into(),
        restart: Some("echo restarted".into()),
        log_file: None,
    };
    let a = replica(&env, "store-a", |s| s.control.rabbit = Some(harmless)).await;
    let b = replica(&env, "store-b", |s| s.run_worker = false).await;
    act(&a, "/api/service/rabbit/restart").await;
    let wrong = b
        .client
        .post(b.url("/api/admin/login"))
        .json(&json!({ "token": "not-the-admin-token-0123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    let expected = [
        r#""store-b" sign_in "login": "wrong token""#,
        r#""store-a" control "restart" "rabbit": "ok""#,
    ];
    eventually(
        "both entries on both replicas",
        Duration::from_secs(10),
        async || lines(&audit(&a).await) == expected && lines(&audit(&b).await) == expected,
    )
    .await;
    assert_eq!(
        audit(&a).await,
        audit(&b).await,
        "the same entries, to the microsecond"
    );
    assert_eq!(env.db.query_i64("SELECT COUNT(*) FROM audit_log").await, 2);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn entries_recorded_while_the_database_is_stopped_are_written_once_it_answers() {
    let pg = PrivatePostgres::start();
    let env = RealEnv::on_postgres(&pg.admin_url()).await;
    let control = pg.control();
    let a = replica(&env, "store-a", |s| s.control.postgres = Some(control)).await;
    let b = replica(&env, "store-b", |s| s.run_worker = false).await;

    // The admin stops the order database from the dashboard: the entry saying so cannot be
    // written, and neither the action nor the audit page waits or fails because of it.
    act(&a, "/api/service/postgres/stop").await;
    assert!(!crate::private::answers(pg.port), "the database is stopped");
    let held = lines(&audit(&a).await);
    assert_eq!(held, [r#""store-a" control "stop" "postgres": "ok""#]);
    assert_eq!(
        audit(&b).await,
        Vec::<Value>::new(),
        "nothing of its own to show"
    );

    act(&a, "/api/service/postgres/start").await;
    let expected = [
        r#""store-a" control "start" "postgres": "ok""#,
        r#""store-a" control "stop" "postgres": "ok""#,
    ];
    eventually(
        "both entries written and read by the other replica",
        Duration::from_secs(15),
        async || lines(&audit(&b).await) == expected,
    )
    .await;
    assert_eq!(lines(&audit(&a).await), expected, "each once");
    let rows = "SELECT COUNT(*) FROM audit_log WHERE instance = 'store-a'";
    assert_eq!(env.db.query_i64(rows).await, 2);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn postgres_keeps_the_newest_of_each_kind_and_a_write_tried_again_is_not_doubled() {
    crate::services::require_shared_services();
    let db = TestDb::create(PG_ADMIN).await;
    let store = migrated_store(&db).await;
    let kept = i64::from(KEPT_PER_KIND);
    let controls: Vec<_> = (0..kept + 3).map(|n| audit_entry(n, true)).collect();
    let sign_ins: Vec<_> = (0..5).map(|n| audit_entry(n, false)).collect();
    store.record(&controls).await.unwrap();
    store.record(&sign_ins).await.unwrap();
    store.record(&sign_ins[3..]).await.unwrap();
    let hour = Duration::from_secs(3600);
    assert_eq!(store.prune(Table::AuditLog, hour, 2).await.unwrap(), 2);
    assert_eq!(store.prune(Table::AuditLog, hour, 1000).await.unwrap(), 1);
    assert_eq!(store.prune(Table::AuditLog, hour, 1000).await.unwrap(), 0);
    let recent = store.recent(2).await.unwrap();
    let ids: Vec<i64> = recent.iter().map(|e| e.id).collect();
    let newest = (kept + 2) * 2 + 1;
    assert_eq!(ids, [newest, newest - 2, 8, 6], "each kind newest first");
    assert_eq!(
        recent[0],
        controls[kept as usize + 2],
        "read back as written"
    );
    let count = |kind: &'static str| {
        let sql = format!("SELECT COUNT(*) FROM audit_log WHERE kind = '{kind}'");
        let db = &db;
        async move { db.query_i64(&sql).await }
    };
    assert_eq!((count("control").await, count("sign_in").await), (kept, 5));
}
