//! The replica test's judgement of what the shoppers saw: errors per phase, the drain of each
//! store, which store answered, the orders against the database and the workers' counts, and
//! throughput with one store and with three. Each prints its `replicas ...` line and returns
//! what was wrong.

use crate::chaos_db::Db;
use crate::chaos_load::{quantile_ms, Step};
use crate::replicas_fleet::{processed_by, Proc, DRAIN};
use crate::replicas_haproxy::Haproxy;
use crate::replicas_load::Shot;
use crate::replicas_stops::Stop;
use std::collections::BTreeMap;
use std::time::Duration;

/// After a store is back, errors may still be answers to requests sent before.
const TAIL: Duration = Duration::from_secs(1);
/// "At once": haproxy's own checks come every 250 ms.
const NOT_READY_WITHIN: Duration = Duration::from_millis(500);
/// In-flight requests get 10 s after the drain; a little more for the process to end.
const EXIT_GRACE: Duration = Duration::from_secs(11);

pub fn print_load(shots: &[Shot], secs: f64) {
    let mut by_server: BTreeMap<String, usize> = BTreeMap::new();
    for shot in shots {
        let server = match (&shot.server, &shot.instance) {
            (Some(server), _) => server.clone(),
            (None, Some(store)) => format!("{store} straight"),
            (None, None) => "no store".into(),
        };
        *by_server.entry(server).or_default() += 1;
    }
    let took: Vec<Duration> = shots.iter().map(|s| s.took).collect();
    println!(
        "replicas: load: {} requests in {secs:.1} s ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms; answered by {by_server:?}",
        shots.len(),
        shots.len() as f64 / secs,
        quantile_ms(took.clone(), 0.5),
        quantile_ms(took, 0.99),
    );
}

/// Failed requests (5xx or no answer) among those on their way in `[from, to)`, by status.
fn failures_between(shots: &[Shot], from: Duration, to: Duration) -> (usize, BTreeMap<u16, usize>) {
    let mut failed = BTreeMap::new();
    let during: Vec<&Shot> = shots.iter().filter(|s| s.overlaps(from, to)).collect();
    for shot in during.iter().filter(|s| s.failed()) {
        *failed.entry(shot.status).or_default() += 1;
    }
    (during.len(), failed)
}

/// How the burst's checkouts ended (a retried checkout's last answer): counts by status and
/// error code.
fn burst_outcome(stop: &Stop, shots: &[Shot]) -> BTreeMap<String, usize> {
    let mut last: BTreeMap<u64, &Shot> = BTreeMap::new();
    for shot in shots.iter().filter(|s| stop.burst.contains(&s.shopper)) {
        if shot.step == Step::Checkout {
            last.insert(shot.shopper, shot); // shots are kept in the order they finished
        }
    }
    let mut outcome = BTreeMap::new();
    for shot in last.values() {
        let how = match &shot.error {
            Some(code) => format!("{} {code}", shot.status),
            None => shot.status.to_string(),
        };
        *outcome.entry(how).or_default() += 1;
    }
    outcome
}

/// Whether every checkout of the burst ended with its order.
fn burst_bought(stop: &Stop, outcome: &BTreeMap<String, usize>) -> bool {
    outcome.get("201").copied().unwrap_or(0) as u64 == stop.burst.end - stop.burst.start
}

/// The SIGKILL phase: its errors are counted and shown, not forbidden; but the checkouts on
/// their way when it struck must each end with an order, retried with their key.
pub fn judge_kill(stop: &Stop, shots: &[Shot]) -> Vec<String> {
    let (during, failed) = failures_between(shots, stop.at, stop.back_at + TAIL);
    let retries = shots
        .iter()
        .filter(|s| s.retry && s.overlaps(stop.at, stop.back_at + TAIL))
        .count();
    let burst = burst_outcome(stop, shots);
    println!(
        "replicas: SIGKILL {} at {:.1} s: {} requests on it by haproxy's count, a burst of {} checkouts through haproxy at that moment ended {burst:?}; out of haproxy after {} ms, back after {} ms; {during} requests meanwhile: {} 5xx, {} connection errors ({failed:?} by status, 0 = no answer), {retries} checkouts retried by the shoppers with their key",
        stop.name,
        stop.at.as_secs_f64(),
        stop.in_flight,
        stop.burst.end - stop.burst.start,
        stop.out_after.unwrap_or_default().as_millis(),
        (stop.back_at - stop.at).as_millis(),
        failed.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum::<usize>(),
        failed.get(&0).copied().unwrap_or(0),
    );
    if !burst_bought(stop, &burst) {
        return vec![format!(
            "SIGKILL {}: the burst's checkouts ended {burst:?}",
            stop.name
        )];
    }
    Vec::new()
}

/// The rolling restart: not one request may fail, and each store must drain and exit 0.
pub fn judge_rolling(stops: &[Stop], shots: &[Shot]) -> Vec<String> {
    let mut wrong = Vec::new();
    for stop in stops {
        wrong.extend(judge_drain(stop, shots));
    }
    let (from, to) = (stops[0].at, stops.last().unwrap().back_at + TAIL);
    let (during, failed) = failures_between(shots, from, to);
    let errors: usize = failed.values().sum();
    println!(
        "replicas: rolling restart: {during} requests in {:.1} s, {} 5xx, {} connection errors",
        (to - from).as_secs_f64(),
        errors - failed.get(&0).copied().unwrap_or(0),
        failed.get(&0).copied().unwrap_or(0),
    );
    if errors > 0 {
        wrong.push(format!(
            "rolling restart: {errors} failed requests ({failed:?} by status, 0 = no answer)"
        ));
    }
    wrong
}

fn judge_drain(stop: &Stop, shots: &[Shot]) -> Vec<String> {
    let mine = |s: &&Shot| s.server.as_deref() == Some(&stop.name);
    let served_after = shots
        .iter()
        .filter(mine)
        .filter(|s| s.sent > stop.at)
        .filter(|s| stop.exit.is_none_or(|(_, t)| s.sent < stop.at + t))
        .count();
    let (_, failed) = failures_between(shots, stop.at, stop.back_at + TAIL);
    let errors: usize = failed.values().sum();
    let burst = burst_outcome(stop, shots);
    let ms = |d: Option<Duration>| d.map_or("never".into(), |d| format!("{} ms", d.as_millis()));
    let count = |n: Option<u64>| n.map_or("?".into(), |n| n.to_string());
    let status = |s: Option<u16>| s.map_or("none".into(), |s| s.to_string());
    let exit = stop.exit.and_then(|(s, _)| s.code());
    println!(
        "replicas: SIGTERM {} at {:.1} s: in flight at the signal {} by its own count ({} by haproxy's; the test sent a burst of {} checkouts straight to it and half a request); /readyz 503 after {}, a request straight to it then answered {}; out of haproxy after {}; {served_after} shoppers' requests through haproxy answered after the signal; stopped accepting after {} with {} in flight; the burst ended {burst:?}, the half-sent request {}; exit {} after {}; back in haproxy after {} ms; errors {errors}",
        stop.name,
        stop.at.as_secs_f64(),
        count(stop.logged_in_flight.0),
        stop.in_flight,
        stop.burst.end - stop.burst.start,
        ms(stop.not_ready_after),
        status(stop.served_when_not_ready),
        ms(stop.out_after),
        ms(stop.closed_after),
        count(stop.logged_in_flight.1),
        status(stop.held),
        exit.map_or("none".into(), |c| c.to_string()),
        ms(stop.exit.map(|(_, t)| t)),
        (stop.back_at - stop.at).as_millis(),
    );
    for line in &stop.said {
        println!("    {line}");
    }
    let mut wrong = drain_faults(stop);
    if !burst_bought(stop, &burst) {
        wrong.push(format!(
            "SIGTERM {}: the burst's checkouts ended {burst:?}",
            stop.name
        ));
    }
    wrong
}

/// What the brief of a graceful stop asks: not ready at once, serving through the drain, then
/// closed, what it held answered, exit 0 within the drain and the in-flight grace.
fn drain_faults(stop: &Stop) -> Vec<String> {
    let name = &stop.name;
    let mut wrong = Vec::new();
    if stop.not_ready_after.is_none_or(|t| t > NOT_READY_WITHIN) {
        wrong.push(format!(
            "{name}: /readyz did not turn 503 within {NOT_READY_WITHIN:?} of SIGTERM ({:?})",
            stop.not_ready_after
        ));
    }
    if stop.served_when_not_ready != Some(200) {
        wrong.push(format!(
            "{name}: draining but a request straight to it got {:?}",
            stop.served_when_not_ready
        ));
    }
    // A little early is the poll's granularity, not a short drain.
    if stop
        .closed_after
        .is_none_or(|t| t + Duration::from_millis(100) < DRAIN)
    {
        wrong.push(format!(
            "{name}: stopped accepting {:?} after SIGTERM, before its {DRAIN:?} drain",
            stop.closed_after
        ));
    }
    if stop.held != Some(201) {
        wrong.push(format!("{name}: the request it held got {:?}", stop.held));
    }
    match stop.exit {
        Some((status, t)) if status.success() && t <= DRAIN + EXIT_GRACE => {}
        other => wrong.push(format!(
            "{name}: on SIGTERM {other:?} (exit 0 within {:?} expected)",
            DRAIN + EXIT_GRACE
        )),
    }
    wrong
}

/// Every answer a store gave through haproxy names the store, and the name is the one haproxy
/// sent the request to.
pub fn judge_instance_header(shots: &[Shot]) -> Vec<String> {
    let from_stores: Vec<&Shot> = shots.iter().filter(|s| s.server.is_some()).collect();
    let missing = from_stores.iter().filter(|s| s.instance.is_none()).count();
    let other = from_stores
        .iter()
        .filter(|s| s.instance.is_some() && s.instance != s.server)
        .count();
    println!(
        "replicas: X-Carstore-Instance: {} answers from the stores, {missing} without it, {other} naming another store than haproxy's",
        from_stores.len()
    );
    if missing + other > 0 {
        return vec![format!(
            "X-Carstore-Instance missing on {missing} answers, wrong on {other}"
        )];
    }
    Vec::new()
}

/// Every 201 is one row, each row processed exactly once by one of the workers.
pub async fn judge_orders(shots: &[Shot], db: &Db, workers: &[Proc]) -> Vec<String> {
    let checkouts = shots.iter().filter(|s| s.step == Step::Checkout);
    let answered_201 = checkouts.clone().filter(|s| s.status == 201).count();
    let retried = checkouts.clone().filter(|s| s.retry).count();
    let mut ids: Vec<i64> = shots.iter().filter_map(|s| s.order_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let (rows, processed) = db.drained().await;
    let found = db.count_ids(&ids).await;
    let mut settled = Vec::new();
    for worker in workers {
        settled.push(processed_by(worker).await);
    }
    let settled_total: i64 = settled.iter().sum();
    println!(
        "replicas: orders: {answered_201} checkouts answered 201 ({} distinct orders, {retried} retries with the same key), {rows} rows in the database, {found} of the 201s found, {processed} processed, settled by the workers {settled:?} = {settled_total}",
        ids.len()
    );
    let mut wrong = Vec::new();
    if rows != ids.len() as i64 || found != rows {
        wrong.push(format!(
            "orders lost or doubled: {} distinct 201s, {rows} rows, {found} matched",
            ids.len()
        ));
    }
    if processed != rows || settled_total != rows {
        wrong.push(format!(
            "{rows} orders but {processed} processed, settled {settled_total} times"
        ));
    }
    wrong
}

/// What haproxy itself counted: retries and redispatches hide failures from the shoppers.
pub async fn print_haproxy(haproxy: &Haproxy) {
    let servers = haproxy.servers().await;
    let mut names: Vec<&String> = servers.keys().collect();
    names.sort();
    for name in names {
        let s = &servers[name];
        println!(
            "replicas: haproxy on {name}: {}, {} retries, {} redispatches, {} 5xx answers",
            s.status, s.retries, s.redispatches, s.responses_5xx
        );
    }
    // Its log holds only what went wrong (`dontlog-normal`: errors, retries, redispatches) and
    // each store's state changes, which it also says on stderr prefixed `[WARNING]`.
    let log = haproxy.log.lock().unwrap();
    let lines: Vec<&String> = log.iter().filter(|l| !l.starts_with("[WARNING]")).collect();
    println!("replicas: haproxy logged {} lines:", lines.len());
    for line in lines.iter().take(40) {
        println!("    {line}");
    }
}
