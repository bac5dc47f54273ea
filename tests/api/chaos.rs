//! Chaos under load: the real binary against private Postgres, Redis and RabbitMQ, an open-model
//! load of shoppers, and each service stopped for a few seconds and started again in turn. Not
//! one order may be lost or doubled; refusals must be quick and clear; the store must recover
//! within a second of each return; and the log must stay readable. It prints its figures.
//!
//! Run on its own by the test command (`cargo test --features services --test api chaos:: -- --nocapture`), so its
//! figures are in the output; `CARSTORE_CHAOS_RATE` sets the shoppers per second.

use crate::chaos_db::Db;
use crate::chaos_load::{quantile_ms, shop, Shot, Shots, Step};
use crate::cli::serve_with;
use crate::helpers::{pace, wait_for};
use crate::private::{PrivatePostgres, PrivateRabbit, PrivateRedis};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OUTAGE: Duration = Duration::from_secs(6);
/// Load after each return, before the next outage.
const SETTLE: Duration = Duration::from_secs(4);
const REFUSED_P99_LIMIT_MS: f64 = 20.0;
const RECOVERY_LIMIT: Duration = Duration::from_secs(1);
/// An outage's first moments, whose requests may pay for finding it out (issue 25's wording).
const FINDING_OUT: Duration = Duration::from_millis(250);
/// WARN lines one outage may print: a first warning and a summary every 5 s per kind of thing.
const WARN_LIMIT: usize = 8;

/// One outage as it happened, in time since the load began.
struct Outage {
    service: &'static str,
    down_at: Duration,
    back_at: Duration,
    /// When the next phase began.
    until: Duration,
    /// For the queue, when the first order after its return was processed (shoppers never
    /// notice a queue outage, the order pipeline does).
    pipeline_back_at: Option<Duration>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_each_service_stopped_under_load_loses_no_order_refuses_at_once_and_recovers() {
    let mut redis = PrivateRedis::start();
    let postgres = PrivatePostgres::start();
    let rabbit = PrivateRabbit::start();
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL".to_owned(), postgres.admin_url()),
        ("REDIS_URL".to_owned(), redis.url()),
        ("AMQP_URL".to_owned(), rabbit.url()),
    ];
    let mut served = serve_with(dir.path(), &[], &env);
    let base = served.url.clone();
    wait_for_all_up(&base).await;
    let db = Db::connect(&postgres.admin_url()).await;

    let began = Instant::now();
    let log = follow_log(
        std::mem::replace(&mut served.log, std::sync::mpsc::channel().1),
        began,
    );
    let (shots, stop) = (Shots::default(), Arc::new(AtomicBool::new(false)));
    let rate = std::env::var("CARSTORE_CHAOS_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100.0);
    let load = tokio::spawn(shop(base.clone(), rate, began, shots.clone(), stop.clone()));
    pace(SETTLE).await;

    let mut outages = Vec::new();
    for service in ["redis", "postgres", "rabbitmq"] {
        let down_at = began.elapsed();
        tokio::task::block_in_place(|| match service {
            "redis" => redis.down(),
            "postgres" => postgres.down(),
            _ => rabbit.down(),
        });
        pace(OUTAGE).await;
        let processed_before = match service {
            "rabbitmq" => db.processed().await,
            _ => 0,
        };
        tokio::task::block_in_place(|| match service {
            "redis" => redis.up(),
            "postgres" => postgres.up(),
            _ => rabbit.up(),
        });
        let back_at = began.elapsed();
        let pipeline_back_at = match service {
            "rabbitmq" => Some(db.first_processed_after(processed_before, began).await),
            _ => None,
        };
        pace(SETTLE.saturating_sub(began.elapsed() - back_at)).await;
        outages.push(Outage {
            service,
            down_at,
            back_at,
            until: began.elapsed(),
            pipeline_back_at,
        });
    }
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();

    let shots = shots.all();
    let log = log.lock().unwrap().clone();
    let mut failures = Vec::new();
    for outage in &outages {
        failures.extend(judge_outage(outage, &shots, &log));
    }
    failures.extend(judge_orders(&shots, &db, &base).await);
    println!(
        "chaos: {rate} shoppers/s, {} requests in {:.1} s",
        shots.len(),
        began.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "chaos run failed:\n{}",
        failures.join("\n")
    );
}

/// Prints one outage's figures and returns what was wrong with them.
fn judge_outage(outage: &Outage, shots: &[Shot], log: &[(Duration, String)]) -> Vec<String> {
    let during = |s: &&Shot| s.sent >= outage.down_at && s.sent < outage.back_at;
    let refused: Vec<Duration> = shots
        .iter()
        .filter(during)
        .filter(|s| s.status == 503)
        .map(|s| s.took)
        .collect();
    let other_errors = shots
        .iter()
        .filter(during)
        .filter(|s| s.status != 503 && s.status >= 400 || s.status == 0)
        .count();
    let needs_it = match outage.service {
        "redis" => Some(Step::AddToCart),
        "postgres" => Some(Step::Checkout),
        _ => None,
    };
    let recovered = match (needs_it, outage.pipeline_back_at) {
        (_, Some(at)) => Some(at.saturating_sub(outage.back_at)),
        (Some(step), None) => shots
            .iter()
            .filter(|s| s.step == step && s.sent >= outage.back_at && (s.status == 201))
            .map(|s| s.answered_at().saturating_sub(outage.back_at))
            .min(),
        (None, None) => None,
    };
    let warns: Vec<&String> = log
        .iter()
        .filter(|(at, line)| *at >= outage.down_at && *at < outage.until && line.contains("WARN"))
        .map(|(_, line)| line)
        .collect();
    // The limit holds once the breaker has had its moment: as issue 25 states the target, at most
    // the requests of an outage's first 250 ms pay for finding it out, and they are shown apart.
    let settled = |s: &&Shot| s.sent >= outage.down_at + FINDING_OUT;
    let after: Vec<Duration> = shots
        .iter()
        .filter(during)
        .filter(settled)
        .filter(|s| s.status == 503)
        .map(|s| s.took)
        .collect();
    let p99 = quantile_ms(after.clone(), 0.99);
    let first = refused.len() - after.len();
    println!(
        "chaos: {}: {first} refused in the first {} ms (slowest {:.2} ms); after them, p99 {p99:.2} ms",
        outage.service,
        FINDING_OUT.as_millis(),
        quantile_ms(refused.clone(), 1.0)
    );
    let p99_all = quantile_ms(refused.clone(), 0.99);
    println!(
        "chaos: {} down {:.1} s: {} refused with 503 (p50 {:.2} ms, p99 {p99_all:.2} ms), {other_errors} other errors, recovered in {} ms, {} WARN lines",
        outage.service,
        (outage.back_at - outage.down_at).as_secs_f64(),
        refused.len(),
        quantile_ms(refused.clone(), 0.5),
        recovered.map_or("(never)".into(), |d| d.as_millis().to_string()),
        warns.len()
    );
    for line in &warns {
        println!("    {line}");
    }
    let mut slowest: Vec<&Shot> = shots
        .iter()
        .filter(during)
        .filter(|s| s.status == 503)
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.took));
    for s in slowest.iter().take(3) {
        let into = s.sent - outage.down_at;
        println!(
            "    slowest refusals: {:?} {:.0} ms into the outage took {:.2} ms",
            s.step,
            into.as_secs_f64() * 1000.0,
            s.took.as_secs_f64() * 1000.0
        );
    }
    let mut wrong = Vec::new();
    if p99 > REFUSED_P99_LIMIT_MS {
        wrong.push(format!(
            "{}: refused p99 {p99:.2} ms after the first {} ms > {REFUSED_P99_LIMIT_MS} ms",
            outage.service,
            FINDING_OUT.as_millis()
        ));
    }
    if other_errors > 0 {
        wrong.push(format!(
            "{}: {other_errors} answers that were neither success nor a clear 503",
            outage.service
        ));
    }
    if outage.service == "rabbitmq" && !refused.is_empty() {
        wrong.push("rabbitmq: shoppers were refused while only the queue was down".into());
    }
    match recovered {
        Some(took) if took <= RECOVERY_LIMIT => {}
        other => wrong.push(format!(
            "{}: recovery took {other:?} (limit {RECOVERY_LIMIT:?})",
            outage.service
        )),
    }
    if warns.len() > WARN_LIMIT {
        wrong.push(format!(
            "{}: {} WARN lines (limit {WARN_LIMIT})",
            outage.service,
            warns.len()
        ));
    }
    wrong
}

/// Every 201 is one row, each row processed exactly once, and no checkout bought twice.
async fn judge_orders(shots: &[Shot], db: &Db, base: &str) -> Vec<String> {
    let mut ids: Vec<i64> = shots.iter().filter_map(|s| s.order_id).collect();
    let answered_201 = ids.len();
    ids.sort_unstable();
    ids.dedup();
    let (rows, processed) = db.drained().await;
    let in_table = db.count_ids(&ids).await;
    let settled = processed_by_the_worker(base).await;
    println!(
        "chaos: orders: {answered_201} checkouts answered 201 ({} distinct), {rows} rows, {processed} processed, {settled} settled by the processor, {in_table} of the 201s found",
        ids.len()
    );
    let mut wrong = Vec::new();
    if rows != ids.len() as i64 || in_table != rows {
        wrong.push(format!(
            "orders lost or doubled: {} distinct 201s, {rows} rows, {in_table} matched",
            ids.len()
        ));
    }
    if processed != rows || settled != rows {
        wrong.push(format!(
            "{rows} orders but {processed} processed, settled {settled} times"
        ));
    }
    wrong
}

/// How many orders the processor marked processed, by its own count: once each, or a redelivery
/// was processed twice.
async fn processed_by_the_worker(base: &str) -> i64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("carstore_orders_processed_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(-1, |v| v as i64)
}

async fn wait_for_all_up(base: &str) {
    wait_for("every service up", Duration::from_secs(60), async || {
        let services = reqwest::get(format!("{base}/api/services"))
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        let all_up = services
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["health"] == "up");
        match all_up {
            true => Ok(()),
            false => Err(services),
        }
    })
    .await;
}

/// carstore's log lines, each stamped with when it arrived.
fn follow_log(
    lines: std::sync::mpsc::Receiver<String>,
    began: Instant,
) -> Arc<Mutex<Vec<(Duration, String)>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines {
            kept.lock().unwrap().push((began.elapsed(), line));
        }
    });
    log
}
