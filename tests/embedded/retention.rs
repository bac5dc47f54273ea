//! Bounded data in the embedded file: the janitor's prune takes rows past their retention and
//! nothing else (never an unsent event, never a pending order's rows, never a cart in use), and
//! the running store prunes by itself and counts what it pruned.

use crate::helpers::{audit_entry, eventually, spawn_in_dir, TestApp};
use carstore::store::sqlite::{SqliteDb, DB_FILE};
use carstore::store::{AuditStore, KEPT_PER_KIND};
use carstore::store::{Prune, Table};
use carstore::Settings;
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const LONG_AGO: &str = "2000-01-01T00:00:00.000Z";

/// Rows of every kind, old and new, written behind the store's back. Orders 1 and 2 are
/// processed, 3 is pending; 1's event went out long ago, 2's just now, 3's long ago; 4's
/// (processed) was never sent although written long ago.
fn seed(path: &Path) -> Connection {
    let c = Connection::open(path.join(DB_FILE)).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let order = |id: i64, status: &str| {
        c.execute(
            "INSERT INTO orders (id, created_at, status, total_cents, customer_name, customer_email, session_id)
             VALUES (?1, ?2, ?3, 100, 'Ada', 'ada@example.com', 's')",
            rusqlite::params![id, LONG_AGO, status],
        )
        .unwrap();
    };
    for (id, status) in [
        (1, "processed"),
        (2, "processed"),
        (3, "pending"),
        (4, "processed"),
    ] {
        order(id, status);
    }
    let outbox = |order: i64, sent: Option<&str>| {
        c.execute(
            "INSERT INTO outbox (order_id, payload, created_at, sent_at) VALUES (?1, '{}', ?2, ?3)",
            rusqlite::params![order, LONG_AGO, sent],
        )
        .unwrap();
    };
    outbox(1, Some(LONG_AGO));
    outbox(2, Some(&now));
    outbox(3, Some(LONG_AGO));
    outbox(4, None);
    let key = |order: i64, at: &str| {
        c.execute(
            "INSERT INTO idempotency_keys (session_id, key, order_id, created_at) VALUES ('s', ?1, ?1, ?2)",
            rusqlite::params![order, at],
        )
        .unwrap();
    };
    key(1, LONG_AGO);
    key(2, &now);
    key(3, LONG_AGO);
    let line = |session: &str, car: i64, used: &str| {
        c.execute(
            "INSERT INTO cart_items (session_id, car_id, quantity, added_at, used_at) VALUES (?1, ?2, 1, ?3, ?3)",
            rusqlite::params![session, car, used],
        )
        .unwrap();
    };
    line("abandoned", 1, LONG_AGO);
    line("abandoned", 2, LONG_AGO);
    line("in-use", 1, &now);
    c
}

fn ids(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test]
async fn prune_takes_rows_past_their_retention_and_never_unsent_events_pending_orders_or_used_carts(
) {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(dir.path()).unwrap();
    let c = seed(dir.path());
    assert_eq!(db.prune(Table::Outbox, HOUR, 1000).await.unwrap(), 1);
    assert_eq!(
        db.prune(Table::IdempotencyKeys, HOUR, 1000).await.unwrap(),
        1
    );
    assert_eq!(db.prune(Table::CartItems, HOUR, 1000).await.unwrap(), 2);
    let outbox = "SELECT CAST(order_id AS TEXT) FROM outbox ORDER BY order_id";
    assert_eq!(
        ids(&c, outbox),
        ["2", "3", "4"],
        "new, pending, unsent stay"
    );
    let keys = "SELECT key FROM idempotency_keys ORDER BY key";
    assert_eq!(ids(&c, keys), ["2", "3"], "new and pending stay");
    let carts = "SELECT DISTINCT session_id FROM cart_items";
    assert_eq!(ids(&c, carts), ["in-use"]);
    let orders = "SELECT CAST(COUNT(*) AS TEXT) FROM orders";
    assert_eq!(ids(&c, orders), ["4"], "orders are records: all stay");
    // Nothing left to take: a second round is a no-op.
    for table in [Table::Outbox, Table::IdempotencyKeys, Table::CartItems] {
        assert_eq!(db.prune(table, HOUR, 1000).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn prune_goes_in_batches_of_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(dir.path()).unwrap();
    let c = seed(dir.path());
    for n in 0..25 {
        c.execute(
            "INSERT INTO cart_items (session_id, car_id, quantity, added_at, used_at) VALUES (?1, 1, 1, ?2, ?2)",
            rusqlite::params![format!("old-{n}"), LONG_AGO],
        )
        .unwrap();
    }
    // 26 old carts, 27 lines: at most ten carts a batch, the abandoned cart's lines together.
    let mut batches = Vec::new();
    for _ in 0..4 {
        batches.push(db.prune(Table::CartItems, HOUR, 10).await.unwrap());
    }
    assert!(batches.iter().all(|&n| n <= 11), "{batches:?}");
    assert!(batches[0] >= 9 && batches[1] >= 9, "{batches:?}");
    assert_eq!(batches.iter().sum::<u64>(), 27, "{batches:?}");
    assert_eq!(batches[3], 0, "{batches:?}");
    let carts = "SELECT DISTINCT session_id FROM cart_items";
    assert_eq!(ids(&c, carts), ["in-use"]);
}

#[tokio::test]
async fn the_audit_log_keeps_the_newest_of_each_kind_and_a_write_tried_again_is_not_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(dir.path()).unwrap();
    let kept = i64::from(KEPT_PER_KIND);
    let controls: Vec<_> = (0..kept + 3).map(|n| audit_entry(n, true)).collect();
    let sign_ins: Vec<_> = (0..5).map(|n| audit_entry(n, false)).collect();
    db.record(&controls).await.unwrap();
    db.record(&sign_ins).await.unwrap();
    db.record(&sign_ins[3..]).await.unwrap();
    assert_eq!(db.prune(Table::AuditLog, HOUR, 2).await.unwrap(), 2);
    assert_eq!(db.prune(Table::AuditLog, HOUR, 1000).await.unwrap(), 1);
    assert_eq!(db.prune(Table::AuditLog, HOUR, 1000).await.unwrap(), 0);
    let recent = db.recent(2).await.unwrap();
    let ids: Vec<i64> = recent.iter().map(|e| e.id).collect();
    let newest = (kept + 2) * 2 + 1;
    assert_eq!(ids, [newest, newest - 2, 8, 6], "each kind newest first");
    assert_eq!(
        recent[0],
        controls[kept as usize + 2],
        "read back as written"
    );
    let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
    let count = |kind: &str| -> i64 {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE kind = ?1";
        c.query_row(sql, [kind], |r| r.get(0)).unwrap()
    };
    assert_eq!((count("control"), count("sign_in")), (kept, 5));
}

/// A store whose carts expire after `carts`; the janitor then looks every second.
async fn spawn_with_cart_retention(carts: Duration) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path());
    settings.retention.carts = carts;
    spawn_in_dir(dir, settings).await
}

fn pruned(metrics: &str, table: &str) -> f64 {
    let series = format!("carstore_rows_pruned_total{{table=\"{table}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0.0, |v| v.parse().unwrap())
}

#[tokio::test]
async fn the_running_store_drops_a_cart_left_alone_keeps_one_in_use_and_counts_it() {
    let app = spawn_with_cart_retention(Duration::from_secs(3)).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("carstore_rows_pruned_total{table=\"cart_items\"} 0"),
        "{text}"
    );
    let left = crate::helpers::shopper();
    let add = serde_json::json!({ "car_id": 3, "quantity": 2 });
    let resp = left
        .post(app.url("/api/cart"))
        .json(&add)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(app.add_to_cart(5, 1).await.status(), 201);
    // The shopper who keeps looking keeps the cart: every read slides its expiry.
    eventually(
        "the cart left alone pruned",
        Duration::from_secs(10),
        async || {
            assert_eq!(
                app.cart().await["items"].as_array().unwrap().len(),
                1,
                "in use"
            );
            let text = app.get("/metrics").await.text().await.unwrap();
            pruned(&text, "cart_items") >= 1.0
        },
    )
    .await;
    let cart: serde_json::Value = left
        .get(app.url("/api/cart"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cart["items"], serde_json::json!([]), "{cart}");
    app.stop().await;
}

/// Sign-up is open to anyone: an account idle past its retention that placed no order goes,
/// with its sessions; one with an order, or signed into lately, stays.
#[tokio::test]
async fn idle_accounts_without_orders_are_pruned_and_the_rest_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(dir.path()).unwrap();
    let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let account = |id: i64, signed_in: Option<&str>| {
        c.execute(
            "INSERT INTO accounts (id, created_at, name, email, email_login, password_hash, signed_in_at)
             VALUES (?1, ?2, 'A', ?3, ?3, 'x', ?4)",
            rusqlite::params![id, LONG_AGO, format!("a{id}@example.com"), signed_in],
        )
        .unwrap();
    };
    account(1, None); // idle since sign-up, no order: goes
    account(2, None); // idle, but placed an order: stays
    account(3, Some(&now)); // signed into just now: stays
    account(4, Some(LONG_AGO)); // idle since a sign-in long ago, an ended session: goes
    c.execute(
        "INSERT INTO orders (id, created_at, status, total_cents, customer_name, customer_email, session_id)
         VALUES (1, ?1, 'processed', 100, 'A', 'a2@example.com', 'account:2')",
        [LONG_AGO],
    )
    .unwrap();
    c.execute(
        "INSERT INTO account_sessions (digest, account_id, device, created_at, expires_at)
         VALUES ('d', 4, 'x', ?1, ?1)",
        [LONG_AGO],
    )
    .unwrap();
    let gone = db
        .prune(Table::IdleAccounts, 30 * 24 * HOUR, 100)
        .await
        .unwrap();
    assert_eq!(gone, 2);
    let left: Vec<i64> = c
        .prepare("SELECT id FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(left, [2, 3]);
}
