//! The order pipeline in batches, against the real broker and database: two workers settle many
//! orders exactly once in fewer statements than orders, a poison order in a batch is retried and
//! dead-lettered alone, and a batch the broker partly refuses leaves only the refused rows unsent.

use crate::helpers::{eventually, nothing_more_for, spawn_with, TestApp};
use crate::private::PrivateRabbit;
use crate::services::{real_settings, RealEnv, RedisPrefix, TestDb, AMQP, PG_ADMIN, REDIS};
use carstore::adapter::EventSink;
use carstore::config::ServiceUrl;
use carstore::events::EventBus;
use carstore::orders::{run_processor, run_relay, PipelineCounts, PipelineSnapshot};
use carstore::queue::{QueueNames, RabbitQueue};
use carstore::store::postgres::PgStore;
use carstore::Settings;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// A relay and a processor in this test process, as a `carstore worker` runs them.
struct Worker {
    counts: Arc<PipelineCounts>,
    tasks: Vec<JoinHandle<()>>,
}

impl Worker {
    fn start(db: &str, amqp: &str, queue: &str) -> Worker {
        let db = ServiceUrl::parse(db, &["postgres"], "db").unwrap();
        let amqp = ServiceUrl::parse(amqp, &["amqp"], "amqp").unwrap();
        let store = Arc::new(PgStore::connect(&db).unwrap());
        let queue = Arc::new(RabbitQueue::start(&amqp, QueueNames::new(queue), true).unwrap());
        let counts = Arc::new(PipelineCounts::default());
        let tasks = vec![
            tokio::spawn(run_relay(
                store.clone(),
                queue.clone(),
                Arc::new(Notify::new()),
            )),
            tokio::spawn(run_processor(
                store,
                queue,
                counts.clone(),
                Arc::new(EventBus::default()),
                Arc::default(),
            )),
        ];
        Worker { counts, tasks }
    }

    /// Only the relay: the events stay in the queue to be counted.
    fn start_relay_only(db: &str, amqp: &str, queue: &str) -> JoinHandle<()> {
        let db = ServiceUrl::parse(db, &["postgres"], "db").unwrap();
        let amqp = ServiceUrl::parse(amqp, &["amqp"], "amqp").unwrap();
        let store = Arc::new(PgStore::connect(&db).unwrap());
        let queue = Arc::new(RabbitQueue::start(&amqp, QueueNames::new(queue), false).unwrap());
        tokio::spawn(run_relay(store, queue, Arc::new(Notify::new())))
    }

    fn counts(&self) -> PipelineSnapshot {
        self.counts.snapshot()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// A store without a worker, whose orders' events wait in the outbox.
async fn shop_without_worker(env: &RealEnv, dir: &std::path::Path) -> TestApp {
    let shop = spawn_with(Settings {
        run_worker: false,
        ..env.settings(dir)
    })
    .await;
    shop.wait_until_ready().await;
    shop
}

async fn buy_many(shop: &TestApp, orders: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..orders {
        ids.push(shop.buy(&[(1 + i % 39, 1)]).await);
    }
    ids
}

/// Records, for every statement that settles orders, how many it moved.
const COUNT_SETTLE_STATEMENTS: &str = "
    CREATE TABLE settle_statements (orders BIGINT NOT NULL);
    CREATE FUNCTION note_settle() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO settle_statements SELECT count(*) FROM moved HAVING count(*) > 0;
        RETURN NULL;
    END $$;
    CREATE TRIGGER note_settle AFTER UPDATE ON orders REFERENCING NEW TABLE AS moved
        FOR EACH STATEMENT EXECUTE FUNCTION note_settle();";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_process_many_orders_exactly_once_in_batches() {
    const ORDERS: i64 = 60;
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let shop = shop_without_worker(&env, dir.path()).await;
    buy_many(&shop, ORDERS).await;
    env.db.execute(COUNT_SETTLE_STATEMENTS).await;
    let workers: Vec<Worker> = (0..2)
        .map(|_| Worker::start(&env.db.url(), AMQP, &env.queues.orders))
        .collect();
    let total = |pick: fn(&PipelineSnapshot) -> u64| -> u64 {
        workers.iter().map(|w| pick(&w.counts())).sum()
    };
    eventually(
        "every order processed",
        Duration::from_secs(20),
        async || shop.json("/api/status/orders").await["pending"] == 0,
    )
    .await;
    let settled_at = "SELECT SUM(EXTRACT(EPOCH FROM settled_at) * 1000000)::BIGINT FROM orders";
    let first = env.db.query_i64(settled_at).await;

    // Every event once more, as redeliveries would bring them.
    env.db.execute("UPDATE outbox SET sent_at = NULL").await;
    eventually(
        "every repeat acknowledged as a duplicate",
        Duration::from_secs(20),
        async || total(|c| c.duplicates) == ORDERS as u64,
    )
    .await;
    assert_eq!(total(|c| c.processed), ORDERS as u64, "each order once");
    assert_eq!(total(|c| c.consumed), 2 * ORDERS as u64);
    assert_eq!(total(|c| c.dead_lettered), 0);
    assert_eq!(env.db.query_i64(settled_at).await, first, "settled once");
    let statements = env
        .db
        .query_i64("SELECT COUNT(*) FROM settle_statements")
        .await;
    let moved = env
        .db
        .query_i64("SELECT SUM(orders)::BIGINT FROM settle_statements")
        .await;
    println!("{ORDERS} orders settled by {statements} statements");
    assert_eq!(moved, ORDERS);
    assert!(statements < ORDERS, "{statements} statements: no batch");
    assert_eq!(shop.json("/api/status/rabbit").await["messages"], 0);
    drop(workers);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_order_in_a_batch_is_dead_lettered_alone_and_the_rest_processed() {
    const ORDERS: i64 = 20;
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let shop = shop_without_worker(&env, dir.path()).await;
    let ids = buy_many(&shop, ORDERS).await;
    let poison = ids[7];
    // This one order cannot be processed: a failure of its own, not an outage.
    env.db
        .execute(&format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'order % refused', OLD.id; END $$;
             CREATE TRIGGER refuse BEFORE UPDATE ON orders FOR EACH ROW
                 WHEN (OLD.id = {poison} AND NEW.status = 'processed') EXECUTE FUNCTION refuse();"
        ))
        .await;
    // And one event nobody can read, ahead of them in the queue.
    let amqp = ServiceUrl::parse(AMQP, &["amqp"], "amqp").unwrap();
    let sink = RabbitQueue::start(&amqp, QueueNames::new(&env.queues.orders), false).unwrap();
    eventually("a publish", Duration::from_secs(10), async || {
        sink.publish("not an order event").await.is_ok()
    })
    .await;

    let worker = Worker::start(&env.db.url(), AMQP, &env.queues.orders);
    eventually("every event settled", Duration::from_secs(20), async || {
        let counts = worker.counts();
        counts.processed == ORDERS as u64 - 1 && counts.dead_lettered == 2
    })
    .await;
    let counts = worker.counts();
    assert_eq!(counts.processed, ORDERS as u64 - 1, "{counts:?}");
    assert_eq!(counts.consumed, ORDERS as u64 - 1, "{counts:?}");
    let processed = "SELECT COUNT(*) FROM orders WHERE status = 'processed'";
    assert_eq!(env.db.query_i64(processed).await, ORDERS - 1);
    let failed = format!("SELECT COUNT(*) FROM orders WHERE id = {poison} AND status = 'failed'");
    assert_eq!(
        env.db.query_i64(&failed).await,
        1,
        "the poison order failed"
    );
    let rabbit = shop.json("/api/status/rabbit").await;
    assert_eq!(
        (
            rabbit["messages"].as_i64(),
            rabbit["dead_lettered"].as_i64()
        ),
        (Some(0), Some(2)),
        "{rabbit}"
    );
    drop(worker);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_the_broker_refuses_stay_unsent_and_go_out_once_it_takes_them() {
    const ORDERS: i64 = 12;
    const ROOM: i64 = 5;
    let rabbit = PrivateRabbit::start();
    let (db, prefix) = (TestDb::create(PG_ADMIN).await, RedisPrefix::new(6379));
    let dir = tempfile::tempdir().unwrap();
    let shop = spawn_with(Settings {
        run_worker: false,
        ..real_settings(
            dir.path(),
            &db.url(),
            REDIS,
            &rabbit.url(),
            &prefix.prefix,
            "orders",
        )
    })
    .await;
    shop.wait_until_ready().await;
    // A full queue makes the broker nack what comes on top: publisher confirms say "refused".
    let cap = format!(r#"{{"max-length":{ROOM},"overflow":"reject-publish"}}"#);
    rabbit.ctl(&[
        "set_policy",
        "--apply-to",
        "queues",
        "cap",
        "^orders$",
        &cap,
    ]);
    buy_many(&shop, ORDERS).await;
    let relay = Worker::start_relay_only(&db.url(), &rabbit.url(), "orders");
    let counts = async || {
        let orders = shop.json("/api/status/orders").await;
        let queue = shop.json("/api/status/rabbit").await;
        (
            orders["outbox_backlog"].as_i64(),
            queue["messages"].as_i64(),
        )
    };
    let refused = (Some(ORDERS - ROOM), Some(ROOM));
    eventually("the queue full", Duration::from_secs(15), async || {
        counts().await == refused
    })
    .await;
    // The relay keeps trying; what the broker refused stays unsent, what it took is not resent.
    nothing_more_for(Duration::from_millis(1500)).await;
    assert_eq!(counts().await, refused);

    rabbit.ctl(&["clear_policy", "cap"]);
    eventually("the rest published", Duration::from_secs(15), async || {
        counts().await == (Some(0), Some(ORDERS))
    })
    .await;
    nothing_more_for(Duration::from_millis(500)).await;
    assert_eq!(counts().await, (Some(0), Some(ORDERS)), "each event once");
    relay.abort();
    shop.stop().await;
}
