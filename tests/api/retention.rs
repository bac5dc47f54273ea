//! Bounded data on the real services: Postgres's prune takes rows past their retention and
//! nothing else; the running store prunes published events and idempotency keys by itself, and
//! Redis expires carts after the cart retention.

use crate::helpers::{eventually, spawn_with};
use crate::services::{RealEnv, TestDb, PG_ADMIN, REDIS};
use carstore::config::ServiceUrl;
use carstore::store::postgres::PgStore;
use carstore::store::{Prune, Table};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

/// Orders 1 and 2 processed, 3 pending, 4 processed; 1's event sent two hours ago, 2's just
/// now, 3's two hours ago, 4's never (written two hours ago). Keys: 1 old, 2 new, 3 old.
const SEED: &str = "
INSERT INTO orders (id, created_at, status, total, customer_name, customer_email, total_cents, session_id)
SELECT id, now() - interval '2 hours', status, 1, 'Ada', 'ada@example.com', 100, 's'
FROM (VALUES (1, 'processed'), (2, 'processed'), (3, 'pending'), (4, 'processed')) AS o (id, status);
INSERT INTO outbox (order_id, payload, created_at, sent_at) VALUES
  (1, '{}', now() - interval '2 hours', now() - interval '2 hours'),
  (2, '{}', now() - interval '2 hours', now()),
  (3, '{}', now() - interval '2 hours', now() - interval '2 hours'),
  (4, '{}', now() - interval '2 hours', NULL);
INSERT INTO idempotency_keys (session_id, key, order_id, created_at) VALUES
  ('s', 'k1', 1, now() - interval '2 hours'),
  ('s', 'k2', 2, now()),
  ('s', 'k3', 3, now() - interval '2 hours');
";

/// The store on `db`, once its schema is in place.
pub async fn migrated_store(db: &TestDb) -> PgStore {
    let url = ServiceUrl::parse(&db.url(), &["postgres"], "database URL").unwrap();
    let store = PgStore::connect(&url).unwrap();
    eventually("the schema migrated", Duration::from_secs(15), async || {
        store.prune(Table::Outbox, HOUR, 1).await.is_ok()
    })
    .await;
    store
}

async fn column(db: &TestDb, sql: &str) -> Vec<String> {
    let (client, conn) = tokio_postgres::connect(&db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client.query(sql, &[]).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect()
}

#[tokio::test]
async fn postgres_prune_takes_rows_past_their_retention_and_never_unsent_events_or_pending_orders()
{
    crate::services::require_shared_services();
    let db = TestDb::create(PG_ADMIN).await;
    let store = migrated_store(&db).await;
    db.execute(SEED).await;
    assert_eq!(store.prune(Table::Outbox, HOUR, 1000).await.unwrap(), 1);
    assert_eq!(
        store
            .prune(Table::IdempotencyKeys, HOUR, 1000)
            .await
            .unwrap(),
        1
    );
    let outbox = "SELECT order_id::text FROM outbox ORDER BY order_id";
    assert_eq!(
        column(&db, outbox).await,
        ["2", "3", "4"],
        "new, pending, unsent stay"
    );
    let keys = "SELECT key FROM idempotency_keys ORDER BY key";
    assert_eq!(
        column(&db, keys).await,
        ["k2", "k3"],
        "new and pending stay"
    );
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM orders").await, 4);
    // Rows past a shorter retention go too; the unsent and the pending still stay.
    let minute = Duration::from_secs(60);
    db.execute("UPDATE outbox SET sent_at = now() - interval '5 minutes' WHERE order_id = 2")
        .await;
    assert_eq!(store.prune(Table::Outbox, minute, 1000).await.unwrap(), 1);
    assert_eq!(column(&db, outbox).await, ["3", "4"]);
}

#[tokio::test]
async fn postgres_prune_goes_in_batches_of_the_limit() {
    crate::services::require_shared_services();
    let db = TestDb::create(PG_ADMIN).await;
    let store = migrated_store(&db).await;
    db.execute(SEED).await;
    db.execute(
        "INSERT INTO orders (id, status, total, customer_name, customer_email, total_cents, session_id)
         SELECT g, 'processed', 1, 'Ada', 'ada@example.com', 100, 's' FROM generate_series(10, 34) g;
         INSERT INTO outbox (order_id, payload, sent_at)
         SELECT g, '{}', now() - interval '2 hours' FROM generate_series(10, 34) g;",
    )
    .await;
    let mut batches = Vec::new();
    for _ in 0..4 {
        batches.push(store.prune(Table::Outbox, HOUR, 10).await.unwrap());
    }
    assert_eq!(batches, [10, 10, 6, 0], "25 new old rows and order 1's");
}

/// The session's cart key in Redis and its time to live.
fn cart_ttl(prefix: &str, session: &str) -> i64 {
    let key = format!("{prefix}cart:{session}");
    let out = Command::new("redis-cli")
        .args(["-u", REDIS, "TTL", &key])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_store_prunes_sent_events_and_keys_and_redis_expires_carts_by_the_retention() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.retention.sent_outbox = Duration::from_secs(1);
    settings.retention.idempotency_keys = Duration::from_secs(1);
    settings.retention.carts = Duration::from_secs(30);
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    // The probes answer a moment before the breakers of a store just started have closed.
    eventually(
        "carts and orders answering",
        Duration::from_secs(5),
        async || {
            app.get("/api/cart").await.status() == 200
                && app.get("/api/orders").await.status() == 200
        },
    )
    .await;
    for n in 0..3 {
        assert_eq!(app.add_to_cart(2, 1).await.status(), 201);
        let session = app.cart().await["session_id"].as_str().unwrap().to_owned();
        let ttl = cart_ttl(&env.redis.prefix, &session);
        assert!((1..=30).contains(&ttl), "cart TTL {ttl}");
        let resp = app
            .client
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", format!("retention-{n}"))
            .json(&json!({ "customer_name": "Ada Lovelace", "customer_email": "ada@example.com" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let id = resp.json::<Value>().await.unwrap()["order_id"]
            .as_i64()
            .unwrap();
        app.wait_for_status(id, "processed").await;
    }
    eventually(
        "every sent event and key pruned",
        Duration::from_secs(15),
        async || {
            let text = app.get("/metrics").await.text().await.unwrap();
            let pruned = |table: &str| {
                let series = format!("carstore_rows_pruned_total{{table=\"{table}\"}} ");
                text.lines()
                    .find_map(|l| l.strip_prefix(&series).map(str::to_owned))
            };
            pruned("outbox").as_deref() == Some("3")
                && pruned("idempotency_keys").as_deref() == Some("3")
        },
    )
    .await;
    assert_eq!(env.db.query_i64("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        env.db
            .query_i64("SELECT COUNT(*) FROM idempotency_keys")
            .await,
        0
    );
    assert_eq!(env.db.query_i64("SELECT COUNT(*) FROM orders").await, 3);
    app.stop().await;
}
