//! Load runs started from the dashboard: one at a time, against this store itself, each second
//! told to every dashboard over the event feed so the chart moves beside the service lights.

use super::{run, LoadPlan, Progress, Summary};
use crate::events::{EventBus, StoreEvent};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the dashboard hears about a load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadChange {
    pub running: bool,
    /// The plan, in words: `50/s browse=10,checkout=1 for 60s`.
    pub plan: String,
    /// The last second, while running.
    pub progress: Option<Progress>,
    /// The whole run, once it has ended.
    pub summary: Option<Summary>,
}

#[derive(Default)]
pub struct LoadRuns {
    current: Mutex<Option<Current>>,
}

struct Current {
    stop: Arc<AtomicBool>,
    plan: String,
}

impl LoadRuns {
    /// Starts a run unless one is going; `false` when one is.
    pub fn start(self: &Arc<Self>, plan: LoadPlan, events: Arc<EventBus>) -> bool {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.is_some() {
            return false;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let words = describe(&plan);
        *current = Some(Current {
            stop: stop.clone(),
            plan: words.clone(),
        });
        tracing::info!(plan = %words, "load run started from the dashboard");
        let runs = self.clone();
        tokio::spawn(async move {
            let told = |progress: Option<Progress>, summary: Option<Summary>| {
                StoreEvent::Load(LoadChange {
                    running: summary.is_none(),
                    plan: words.clone(),
                    progress,
                    summary,
                })
            };
            events.publish(told(None, None));
            let summary = run(plan, stop, |p| events.publish(told(Some(p.clone()), None))).await;
            tracing::info!(
                requests = summary.requests,
                errors = summary.errors,
                "load run ended"
            );
            *runs.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
            events.publish(told(None, Some(summary)));
        });
        true
    }

    /// Asks the run to stop; it ends within a second. `false` when none was going.
    pub fn stop(&self) -> bool {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        match current.as_ref() {
            Some(c) => {
                c.stop.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The running plan, in words.
    pub fn running(&self) -> Option<String> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().map(|c| c.plan.clone())
    }
}

fn describe(plan: &LoadPlan) -> String {
    let pace = match plan.pace {
        super::Pace::Rate(r) => format!("{r}/s"),
        super::Pace::Concurrency(n) => format!("{n} at a time"),
    };
    format!("{pace} {} for {}s", plan.mix, plan.duration.as_secs())
}
