//! Throughput through haproxy with one store behind it and with three: the same closed-model
//! load of shoppers for a few seconds each, to show on this machine what replicas cost.

use crate::replicas_fleet::Proc;
use crate::replicas_haproxy::Haproxy;
use carstore::load::{run, LoadPlan, LoadSummary, Mix, Pace};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Shoppers at once in the throughput runs.
const SHOPPERS: usize = 16;

/// The same closed-model load through haproxy over one store and over all three, twice each,
/// alternating, since the machine's other work moves the figures from one second to the next.
pub async fn compare_one_and_three(three: &Haproxy, first: &Proc) -> Vec<String> {
    let one = Haproxy::start(&[(&first.name, first.port())]);
    one.wait_for(&first.name, "UP", Duration::from_secs(10))
        .await;
    let mut wrong = Vec::new();
    for (stores, haproxy) in [(1, &one), (3, three), (1, &one), (3, three)] {
        let summary = closed_run(&haproxy.url).await;
        println!(
            "replicas: throughput with {stores} store(s) behind haproxy: {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms, {} errors ({} requests, {SHOPPERS} shoppers, closed model, {:.0} s)",
            summary.requests_per_sec,
            summary.latency.p50_ms,
            summary.latency.p99_ms,
            summary.errors,
            summary.requests,
            summary.seconds
        );
        if summary.errors > 0 {
            wrong.push(format!("{stores} store(s): {} errors", summary.errors));
        }
    }
    println!(
        "replicas: note: everything here (stores, workers, haproxy, the shoppers, Postgres, Redis, RabbitMQ and whatever else the machine runs) shares 2 CPU cores, so the second and third store add no CPU: these figures show what coordination costs (more processes and connections on the same cores), not a speed-up, and the machine's other work moves them by a fifth from one run to the next"
    );
    wrong
}

async fn closed_run(base: &str) -> LoadSummary {
    let plan = LoadPlan {
        base: base.to_owned(),
        duration: Duration::from_secs(3),
        pace: Pace::Concurrency(SHOPPERS),
        mix: "browse=10,view=5,add_to_cart=3,checkout=1"
            .parse::<Mix>()
            .unwrap(),
    };
    run(plan, Arc::new(AtomicBool::new(false)), |_| {}).await
}
