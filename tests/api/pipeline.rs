//! The order pipeline against the real broker and database: relays that never publish a row
//! twice, redelivery that never processes an order twice, bounded retries, dead letters, and
//! how carts sit in Redis.

use crate::helpers::{eventually, spawn_with};
use crate::private::PrivatePostgres;
use crate::services::spawn_real;
use crate::services::{RealEnv, AMQP};
use carstore::adapter::EventSink;
use carstore::config::ServiceUrl;
use carstore::orders::run_relay;
use carstore::queue::{QueueNames, RabbitQueue};
use carstore::store::postgres::PgStore;
use carstore::Settings;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

fn names(queue: &str) -> QueueNames {
    QueueNames {
        orders: queue.to_owned(),
        dead_letters: format!("{queue}.dlq"),
    }
}

#[tokio::test]
async fn two_relays_on_one_database_publish_each_order_once() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    // A store without a worker takes the orders; their events wait in the outbox.
    let shop = spawn_with(Settings {
        run_worker: false,
        ..env.settings(dir.path())
    })
    .await;
    shop.wait_until_ready().await;
    for i in 0..40 {
        shop.buy(&[(1 + i % 39, 1)]).await;
    }
    assert_eq!(shop.json("/api/status/orders").await["outbox_backlog"], 40);
    let db = ServiceUrl::parse(&env.db.url(), &["postgres"], "db").unwrap();
    let amqp = ServiceUrl::parse(AMQP, &["amqp"], "amqp").unwrap();
    let relays: Vec<_> = (0..2)
        .map(|_| {
            let store = Arc::new(PgStore::connect(&db).unwrap());
            let queue =
                Arc::new(RabbitQueue::start(&amqp, names(&env.queues.orders), false).unwrap());
            tokio::spawn(run_relay(store, queue, Arc::new(Notify::new())))
        })
        .collect();
    eventually("the outbox draining", Duration::from_secs(20), async || {
        shop.json("/api/status/orders").await["outbox_backlog"] == 0
    })
    .await;
    let rabbit = shop.json("/api/status/rabbit").await;
    assert_eq!(
        rabbit["messages"], 40,
        "each order's event published exactly once: {rabbit}"
    );
    relays.iter().for_each(|r| r.abort());
    shop.stop().await;
}

#[tokio::test]
async fn a_redelivered_event_does_not_process_an_order_twice() {
    let env = RealEnv::shared().await;
    let app = spawn_real(&env).await;
    let id = app.buy(&[(6, 1)]).await;
    app.wait_for_status(id, "processed").await;
    let settled_at = format!(
        "SELECT (EXTRACT(EPOCH FROM settled_at) * 1000000)::BIGINT FROM orders WHERE id = {id}"
    );
    let first = env.db.query_i64(&settled_at).await;
    // The same event again, as a broker redelivery would bring it.
    let body = format!(
        r#"{{"order_id":{id},"session_id":"s","items":[{{"car_id":6,"quantity":1}}],"total":39000.0,"customer_name":"Ada","customer_email":"ada@example.com"}}"#
    );
    let amqp = ServiceUrl::parse(AMQP, &["amqp"], "amqp").unwrap();
    let sink = RabbitQueue::start(&amqp, names(&env.queues.orders), false).unwrap();
    eventually("a publish", Duration::from_secs(10), async || {
        sink.publish(&body).await.is_ok()
    })
    .await;
    // Done when the processor has acknowledged it as a duplicate, not merely taken it.
    eventually(
        "the duplicate acknowledged",
        Duration::from_secs(10),
        async || app.json("/api/status/rabbit").await["processor"]["duplicates"] == 1,
    )
    .await;
    assert_eq!(
        env.db.query_i64(&settled_at).await,
        first,
        "the order was settled once"
    );
    assert_eq!(
        app.wait_for_status(id, "processed").await["order"]["status"],
        "processed"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unreadable_event_is_dead_lettered() {
    let env = RealEnv::shared().await;
    let app = spawn_real(&env).await;
    let amqp = ServiceUrl::parse(AMQP, &["amqp"], "amqp").unwrap();
    let sink = RabbitQueue::start(&amqp, names(&env.queues.orders), false).unwrap();
    eventually("a publish", Duration::from_secs(10), async || {
        sink.publish("not an order event").await.is_ok()
    })
    .await;
    eventually("the dead letter", Duration::from_secs(10), async || {
        app.json("/api/status/rabbit").await["dead_lettered"] == 1
    })
    .await;
    assert_eq!(app.json("/api/status/rabbit").await["messages"], 0);
    app.stop().await;
}

#[tokio::test]
async fn an_outage_postpones_events_but_a_failing_event_is_dead_lettered_after_bounded_retries() {
    let pg = PrivatePostgres::start();
    let env = RealEnv::on_postgres(&pg.admin_url()).await;
    let app = spawn_real(&env).await;
    let amqp = ServiceUrl::parse(AMQP, &["amqp"], "amqp").unwrap();
    let sink = RabbitQueue::start(&amqp, names(&env.queues.orders), false).unwrap();
    let id = app.buy(&[(5, 1)]).await;
    app.wait_for_status(id, "processed").await;
    let body = |order: i64| {
        format!(
            r#"{{"order_id":{order},"session_id":"s","items":[],"total":0.0,"customer_name":"A","customer_email":"a@b.co"}}"#
        )
    };
    let dead_letters = async || {
        app.json("/api/status/rabbit").await["dead_lettered"]
            .as_i64()
            .unwrap()
    };

    // The database is away for longer than all retries would take: the event waits.
    pg.down();
    eventually("a publish", Duration::from_secs(10), async || {
        sink.publish(&body(id)).await.is_ok()
    })
    .await;
    // Handed back more often than the five tries a failing event gets: still not dead-lettered.
    eventually(
        "the event postponed six times",
        Duration::from_secs(30),
        async || app.json("/api/status/rabbit").await["processor"]["postponed"].as_u64() >= Some(6),
    )
    .await;
    assert_eq!(
        dead_letters().await,
        0,
        "an outage must not dead-letter events"
    );
    pg.up();
    // Not "no messages ready": a postponed event is in flight, not ready. It is done when the
    // processor has acknowledged it (as a duplicate: its order was processed before).
    eventually(
        "the postponed event handled",
        Duration::from_secs(10),
        async || app.json("/api/status/rabbit").await["processor"]["duplicates"] == 1,
    )
    .await;

    // A failure of the event's own (here the table it settles is gone): five tries, then the DLQ.
    env.db
        .execute("ALTER TABLE orders RENAME TO orders_gone")
        .await;
    eventually("a publish", Duration::from_secs(10), async || {
        sink.publish(&body(id)).await.is_ok()
    })
    .await;
    eventually("the dead letter", Duration::from_secs(15), async || {
        dead_letters().await == 1
    })
    .await;
    env.db
        .execute("ALTER TABLE orders_gone RENAME TO orders")
        .await;
    app.stop().await;
}

#[tokio::test]
async fn a_cart_is_one_redis_hash_with_a_24_hour_sliding_expiry() {
    let env = RealEnv::shared().await;
    let app = spawn_real(&env).await;
    app.add_to_cart(3, 2).await;
    app.add_to_cart(8, 1).await;
    let session = app.cart().await["session_id"].as_str().unwrap().to_owned();
    let key = format!("{}cart:{session}", env.redis.prefix);
    let redis = |args: &[&str]| {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", "6379"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(redis(&["TYPE", &key]), "hash");
    assert_eq!(redis(&["HGET", &key, "3"]), "2");
    let ttl: i64 = redis(&["TTL", &key]).parse().unwrap();
    assert!((86_000..=86_400).contains(&ttl), "ttl {ttl}");
    redis(&["EXPIRE", &key, "100"]);
    app.cart().await; // reading the cart slides its expiry back to 24 h
    let ttl: i64 = redis(&["TTL", &key]).parse().unwrap();
    assert!(ttl > 86_000, "ttl {ttl} after a read");
    assert!(env.redis.keys() >= 1);
    app.stop().await;
}
