//! Load runs started from the dashboard: one at a time, against this store itself, each second
//! told to every dashboard over the event feed so the chart moves beside the service lights.

use super::{run, LoadPlan, LoadSummary, Progress};
use crate::events::{EventBus, StoreEvent};
use parking_lot::Mutex;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A run on another replica sends its figures every second; silent this long, it is over
/// (its replica stopped or the channel went down).
const REMOTE_SILENT: Duration = Duration::from_secs(3);

/// What the dashboard hears about a load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadChange {
    pub running: bool,
    /// The plan, in words: `50/s browse=10,checkout=1 for 60s`.
    pub plan: String,
    /// The last second, while running.
    pub progress: Option<Progress>,
    /// The whole run, once it has ended.
    pub summary: Option<LoadSummary>,
}

#[derive(Default)]
pub struct LoadRuns {
    current: Mutex<Option<Current>>,
    /// A run going on another replica, as its events tell: one run at a time across the store,
    /// as far as the replicas have heard. Two started on two replicas within the same few
    /// milliseconds both run (each then shows the other's figures); a lease in Redis would
    /// close that gap, at the cost of a load run needing Redis.
    elsewhere: Mutex<Option<Elsewhere>>,
    /// This replica's latest second of a run, and when it came: what a guided scenario's checks
    /// read ("p95 above 250 ms").
    last_second: Mutex<Option<(Instant, Progress)>>,
    started: std::sync::atomic::AtomicU64,
}

struct Elsewhere {
    origin: String,
    plan: String,
    heard_at: Instant,
}

struct Current {
    /// Which run this is, so a caller that started one stops its own and no other.
    id: u64,
    stop: Arc<AtomicBool>,
    plan: String,
}

impl LoadRuns {
    /// Starts a run unless one is going; `false` when one is.
    pub fn start(self: &Arc<Self>, plan: LoadPlan, events: Arc<EventBus>) -> bool {
        let mut current = self.current.lock();
        if current.is_some() || self.running_elsewhere().is_some() {
            return false;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let words = describe(&plan);
        *current = Some(Current {
            id: self.started.fetch_add(1, Ordering::Relaxed) + 1,
            stop: stop.clone(),
            plan: words.clone(),
        });
        tracing::info!(plan = %words, "load run started from the dashboard");
        let runs = self.clone();
        tokio::spawn(async move {
            let told = |progress: Option<Progress>, summary: Option<LoadSummary>| {
                let change = LoadChange {
                    running: summary.is_none(),
                    plan: words.clone(),
                    progress,
                    summary,
                };
                StoreEvent::Load(serde_json::to_value(change).expect("load figures serialise"))
            };
            events.publish(told(None, None));
            let summary = run(plan, stop, |p| {
                *runs.last_second.lock() = Some((Instant::now(), p.clone()));
                events.publish(told(Some(p.clone()), None))
            })
            .await;
            tracing::info!(
                requests = summary.requests,
                errors = summary.errors,
                "load run ended"
            );
            *runs.current.lock() = None;
            events.publish(told(None, Some(summary)));
        });
        true
    }

    /// Asks the run to stop; it ends within a second. `false` when none was going.
    pub fn stop(&self) -> bool {
        let current = self.current.lock();
        match current.as_ref() {
            Some(c) => {
                c.stop.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The latest second of this replica's run, if one came within the last `fresh`.
    pub fn last_second(&self, fresh: Duration) -> Option<Progress> {
        let last = self.last_second.lock();
        last.as_ref()
            .filter(|(at, _)| at.elapsed() < fresh)
            .map(|(_, p)| p.clone())
    }

    /// Which run is going on this replica, if one is.
    pub fn current_id(&self) -> Option<u64> {
        let current = self.current.lock();
        current.as_ref().map(|c| c.id)
    }

    /// Asks run `id` to stop, and no other; whether it was going.
    pub fn stop_run(&self, id: u64) -> bool {
        self.current_id() == Some(id) && self.stop()
    }

    /// The running plan, in words, on this replica or another.
    pub fn running(&self) -> Option<String> {
        let current = self.current.lock();
        let here = current.as_ref().map(|c| c.plan.clone());
        here.or_else(|| self.running_elsewhere())
    }

    /// The plan of a run going on another replica.
    pub fn running_elsewhere(&self) -> Option<String> {
        let elsewhere = self.elsewhere.lock();
        elsewhere
            .as_ref()
            .filter(|e| e.heard_at.elapsed() < REMOTE_SILENT)
            .map(|e| e.plan.clone())
    }

    /// Another replica's `load` event (a [`LoadChange`] as JSON), from the replica channel.
    pub fn heard(&self, origin: &str, change: &serde_json::Value) {
        let running = change["running"].as_bool().unwrap_or(false);
        let plan = change["plan"].as_str().unwrap_or("").chars().take(200);
        let mut elsewhere = self.elsewhere.lock();
        if running {
            *elsewhere = Some(Elsewhere {
                origin: origin.to_owned(),
                plan: plan.collect(),
                heard_at: Instant::now(),
            });
        } else if elsewhere.as_ref().is_some_and(|e| e.origin == origin) {
            *elsewhere = None;
        }
    }
}

fn describe(plan: &LoadPlan) -> String {
    let pace = match plan.pace {
        super::Pace::Rate(r) => format!("{r}/s"),
        super::Pace::Concurrency(n) => format!("{n} at a time"),
    };
    format!("{pace} {} for {}s", plan.mix, plan.duration.as_secs())
}
