//! The built-in load generator: virtual shoppers with their own sessions run a weighted mix of
//! scenarios against a store, either N at a time (closed model) or at a fixed rate whatever the
//! answers (open model). Used by `carstore load` and by the dashboard's load panel.

mod mix;
mod pace;
mod runs;
mod shopper;
mod storefront;
mod tally;

pub use mix::{Mix, Visit};
pub use runs::{LoadChange, LoadRuns};
pub use storefront::{Answer, Customer, SessionCookie, Storefront};
pub use tally::{LoadSummary, Outcome, Tally};

use parking_lot::Mutex;
use rand::Rng;
use serde::Serialize;
use shopper::Shopper;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Open-model requests in flight beyond this are not sent and are counted as `overloaded`:
/// the generator must not eat the machine it is measuring.
const MAX_IN_FLIGHT: usize = 4096;
const REPORT_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// This many shoppers, each sending its next request when the last is answered.
    Concurrency(usize),
    /// This many scenarios a second, sent on time whatever the answers.
    Rate(f64),
}

#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// The store, e.g. `http://127.0.0.1:8000`.
    pub base: String,
    pub duration: Duration,
    pub pace: Pace,
    pub mix: Mix,
}

/// One second of a run: the progress line and the dashboard's chart.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub elapsed_secs: f64,
    pub requests_per_sec: f64,
    pub p95_ms: f64,
    pub errors_per_sec: f64,
    pub requests: u64,
    pub errors: u64,
}

/// The whole run's tally and the current second's.
#[derive(Default)]
struct Tallies {
    total: Tally,
    second: Tally,
}

type Shared = Arc<Mutex<Tallies>>;

fn record(tallies: &Shared, outcomes: Vec<Outcome>) {
    let mut t = tallies.lock();
    for outcome in outcomes {
        t.second.record(outcome.clone());
        t.total.record(outcome);
    }
}

/// Runs the plan until its duration is over or `stop` is set, calling `on_progress` each second.
pub async fn run(
    plan: LoadPlan,
    stop: Arc<AtomicBool>,
    mut on_progress: impl FnMut(&Progress),
) -> LoadSummary {
    let tallies: Shared = Arc::default();
    let started = Instant::now();
    let mut work = tokio::spawn(drive(plan, stop, tallies.clone(), started));
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + REPORT_EVERY, REPORT_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => on_progress(&progress(&tallies, started)),
            _ = &mut work => break,
        }
    }
    let elapsed = started.elapsed();
    let t = tallies.lock();
    t.total.summary(elapsed)
}

fn progress(tallies: &Shared, started: Instant) -> Progress {
    let mut t = tallies.lock();
    let second = std::mem::take(&mut t.second).summary(REPORT_EVERY);
    Progress {
        elapsed_secs: started.elapsed().as_secs_f64(),
        requests_per_sec: second.requests_per_sec,
        p95_ms: second.latency.p95_ms,
        errors_per_sec: second.errors as f64 / REPORT_EVERY.as_secs_f64(),
        requests: t.total.requests(),
        errors: t.total.errors.values().sum(),
    }
}

async fn drive(plan: LoadPlan, stop: Arc<AtomicBool>, tallies: Shared, started: Instant) {
    let store = Storefront::new(&plan.base, Duration::from_secs(10));
    let end = started + plan.duration;
    let mut tasks = JoinSet::new();
    match plan.pace {
        Pace::Concurrency(n) => {
            for _ in 0..n.max(1) {
                let (store, mix) = (store.clone(), plan.mix.clone());
                let (stop, tallies) = (stop.clone(), tallies.clone());
                tasks.spawn(async move {
                    let mut shopper = Shopper::default();
                    while Instant::now() < end && !stop.load(Ordering::Relaxed) {
                        let scenario = mix.pick(rand::thread_rng().gen());
                        let outcomes = shopper.act(&store, scenario, Instant::now()).await;
                        record(&tallies, outcomes);
                    }
                });
            }
        }
        Pace::Rate(per_second) => {
            let shoppers: Arc<Mutex<Vec<Shopper>>> = Arc::default();
            let in_flight = Arc::new(AtomicUsize::new(0));
            for due in pace::due_times(per_second, plan.duration) {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let due = started + due;
                tokio::time::sleep_until(due.into()).await;
                if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
                    record(&tallies, vec![overloaded()]);
                    continue;
                }
                in_flight.fetch_add(1, Ordering::Relaxed);
                let scenario = plan.mix.pick(rand::thread_rng().gen());
                let store = store.clone();
                let (shoppers, tallies, in_flight) =
                    (shoppers.clone(), tallies.clone(), in_flight.clone());
                tasks.spawn(async move {
                    let mut shopper = shoppers.lock().pop().unwrap_or_default();
                    let outcomes = shopper.act(&store, scenario, due).await;
                    shoppers.lock().push(shopper);
                    in_flight.fetch_sub(1, Ordering::Relaxed);
                    record(&tallies, outcomes);
                });
                while tasks.try_join_next().is_some() {}
            }
        }
    }
    while tasks.join_next().await.is_some() {}
}

fn overloaded() -> Outcome {
    Outcome {
        route: "not sent",
        status: None,
        reason: Some("overloaded: too many requests in flight".into()),
        latency: Duration::ZERO,
    }
}

/// `10s`, `2m`, `500ms` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 10s"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("{text:?}: use ms, s or m")),
    };
    if !(seconds > 0.0 && seconds <= 24.0 * 3600.0) {
        return Err(format!("{text:?}: between a millisecond and a day"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
