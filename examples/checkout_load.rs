//! A quick checkout load run against a running store: each shopper adds a car and checks out,
//! over and over. Prints checkouts per second and checkout latency percentiles.
//!
//!     cargo run --release --example checkout_load -- --url http://127.0.0.1:8000 --shoppers 16 --seconds 10

use clap::Parser;
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    url: String,
    #[arg(long, default_value_t = 16)]
    shoppers: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// Checkout latencies of one shopper, and how many answers were not 201.
async fn shop(url: String, until: Instant, first_car: i64) -> (Vec<Duration>, u64) {
    let (mut latencies, mut failed, mut car) = (Vec::new(), 0, first_car);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let customer = json!({ "customer_name": "Load Tester", "customer_email": "load@example.com" });
    while Instant::now() < until {
        let added = client
            .post(format!("{url}/api/cart"))
            .json(&json!({ "car_id": car }))
            .send()
            .await;
        if !added.is_ok_and(|r| r.status() == 201) {
            failed += 1;
            continue;
        }
        let started = Instant::now();
        let placed = client
            .post(format!("{url}/api/checkout"))
            .json(&customer)
            .send()
            .await;
        match placed {
            Ok(r) if r.status() == 201 => latencies.push(started.elapsed()),
            _ => failed += 1,
        }
        car = car % 39 + 1;
    }
    (latencies, failed)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let shoppers: Vec<_> = (0..args.shoppers)
        .map(|n| tokio::spawn(shop(args.url.clone(), until, 1 + (n % 39) as i64)))
        .collect();
    let (mut all, mut failed) = (Vec::new(), 0);
    for s in shoppers {
        let (latencies, f) = s.await.unwrap();
        all.extend(latencies);
        failed += f;
    }
    all.sort();
    assert!(
        !all.is_empty(),
        "no checkout succeeded against {}",
        args.url
    );
    println!(
        "{} checkouts in {} s with {} shoppers: {:.0} checkouts/s; checkout latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} failed",
        all.len(),
        args.seconds,
        args.shoppers,
        all.len() as f64 / args.seconds as f64,
        percentile(&all, 0.50),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        percentile(&all, 1.0),
        failed
    );
}
