//! `GET /api/queues`: the store's own queues always, and every queue of the vhost when the
//! RabbitMQ management API is configured (here, the real one on 15672).

use crate::helpers::{spawn_app, spawn_with};
use crate::private::free_port;
use crate::services::{RealEnv, TestQueues};
use carstore::config::ServiceUrl;
use serde_json::Value;

const MANAGEMENT: &str = "http://guest:guest@127.0.0.1:15672";

fn management(url: &str) -> Option<ServiceUrl> {
    Some(ServiceUrl::parse(url, &["http"], "management").unwrap())
}

fn names(queues: &Value) -> Vec<&str> {
    let rows = queues.as_array().unwrap();
    rows.iter().map(|q| q["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_store_lists_its_queues() {
    let app = spawn_app().await;
    let queues = app.json("/api/queues").await;
    assert_eq!(names(&queues), ["orders", "orders.dlq"]);
    assert_eq!(queues[0]["consumers"], 1);
    assert_eq!(queues[1]["messages"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_management_api_every_queue_of_the_vhost_is_listed() {
    let env = RealEnv::shared().await;
    // Someone else's queue on the same vhost, declared through the management API itself.
    let other = TestQueues::new();
    let declared = reqwest::Client::new()
        .put(format!(
            "http://127.0.0.1:15672/api/queues/%2F/{}",
            other.orders
        ))
        .basic_auth("guest", Some("guest"))
        .json(&serde_json::json!({ "durable": false }))
        .send()
        .await
        .expect("RabbitMQ's management API on 15672: rabbitmq-plugins enable rabbitmq_management");
    assert!(declared.status().is_success(), "{}", declared.status());
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.rabbit_management_url = management(MANAGEMENT);
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    let queues = app.json("/api/queues").await;
    let listed = names(&queues);
    let own = env.queues.orders.as_str();
    assert_eq!(
        listed[..2],
        [own, &format!("{own}.dlq")],
        "the store's own first"
    );
    assert_eq!(
        listed.iter().filter(|n| **n == own).count(),
        1,
        "not listed twice"
    );
    let row = queues
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == other.orders.as_str())
        .expect("the other queue of the vhost is listed");
    assert_eq!(
        (row["messages"].as_u64(), row["consumers"].as_u64()),
        (Some(0), Some(0))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_management_api_that_does_not_answer_still_leaves_the_stores_queues() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.rabbit_management_url = management(&format!("http://127.0.0.1:{}", free_port()));
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    let queues = app.json("/api/queues").await;
    let own = env.queues.orders.as_str();
    assert_eq!(names(&queues), [own, &format!("{own}.dlq")]);
    app.stop().await;
}
