//! Scenario runs: one at a time in this process, each a task that performs the steps (on the
//! learner's press, or at once when headless), watches every check until it shows or the step
//! times out, then tidies up — clears the faults it set, stops the shoppers it started — and
//! writes the summary.

use super::actions::Drill;
use super::view::{RunStatus, RunSummary, RunView};
use super::watched::{Changes, Watched};
use super::StoreReach;
use super::{Phase, Scenario, STEP_TIMEOUT_SECS};
use chrono::Utc;
use futures_util::FutureExt;
use parking_lot::Mutex;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// How often a step's pending checks are read again.
const WATCH_EVERY: Duration = Duration::from_millis(250);
const IDLE_LIMIT: Duration = Duration::from_secs(super::IDLE_LIMIT_SECS);

/// Why a run could not be started or moved on.
#[derive(Debug, PartialEq, Eq)]
pub enum RunRefused {
    /// A run is going; abandon it first.
    Running(&'static str),
    /// No run has been started since the store started.
    NoRun,
    /// The run is not waiting for a press: still watching a step's checks, or over.
    NotWaiting,
    /// The scenario needs the order processor in this process, and it runs elsewhere.
    NeedsWorker(&'static str),
}

#[derive(Default)]
pub struct ScenarioRuns {
    current: Mutex<Option<Arc<Run>>>,
    /// Told of each new run and each change to one.
    changes: Changes,
}

struct Run {
    view: Watched<RunView>,
    pressed: Notify,
    /// Set once the run's task has tidied up: until then a new run must wait, or the old one's
    /// tidy-up could clear what the new one set.
    finished: AtomicBool,
}

impl ScenarioRuns {
    /// Starts `scenario`; refused while another run is going or still tidying up.
    pub fn start(
        &self,
        state: StoreReach,
        scenario: &'static Scenario,
        auto: bool,
    ) -> Result<RunView, RunRefused> {
        if scenario.needs_worker && !state.order_worker {
            return Err(RunRefused::NeedsWorker(scenario.name));
        }
        let run = Arc::new(Run {
            view: Watched::new(RunView::new(scenario, auto), self.changes.clone()),
            pressed: Notify::new(),
            finished: AtomicBool::new(false),
        });
        {
            let mut current = self.current.lock();
            let busy = |r: &&Arc<Run>| !r.finished.load(Ordering::Acquire);
            if let Some(going) = current.as_ref().filter(busy) {
                return Err(RunRefused::Running(going.view().scenario));
            }
            *current = Some(run.clone());
        }
        self.changes.tell();
        tracing::info!(scenario = scenario.name, auto, "scenario run started");
        // Spawned before anything is awaited: a client gone mid-request cannot leave a run
        // registered with no task behind it.
        tokio::spawn(drive(run.clone(), scenario, state));
        Ok(run.view())
    }

    /// The current run, or the last one.
    pub fn view(&self) -> Option<RunView> {
        self.current.lock().as_ref().map(|r| r.view())
    }

    /// Wakes at each change of [`view`](Self::view) after this call (a new run, a step, a check).
    pub fn changes(&self) -> watch::Receiver<()> {
        self.changes.subscribe()
    }

    /// Presses the current step's button in a guided run.
    pub fn press(&self) -> Result<RunView, RunRefused> {
        let run = self.current.lock().clone().ok_or(RunRefused::NoRun)?;
        {
            let mut view = run.view.lock();
            if view.status != RunStatus::Running || !view.waiting_for_press {
                return Err(RunRefused::NotWaiting);
            }
            view.waiting_for_press = false;
            view.pressed = Some(view.step);
        }
        run.pressed.notify_one();
        Ok(run.view())
    }

    /// Abandons the current run; its task tidies up within a moment.
    pub fn abandon(&self) -> Result<RunView, RunRefused> {
        let run = self.current.lock().clone().ok_or(RunRefused::NoRun)?;
        run.end(RunStatus::Abandoned, "abandoned".into());
        run.pressed.notify_one();
        Ok(run.view())
    }
}

impl Run {
    fn view(&self) -> RunView {
        self.view.lock().clone()
    }

    fn is_going(&self) -> bool {
        self.view.lock().status == RunStatus::Running
    }

    /// Ends the run unless it has ended already (an abandon is not turned into a failure).
    fn end(&self, status: RunStatus, reason: String) {
        let mut view = self.view.lock();
        if view.status == RunStatus::Running {
            view.status = status;
            view.reason = (status != RunStatus::Passed).then_some(reason);
            view.ended_at = Some(Utc::now());
            view.waiting_for_press = false;
        }
    }

    /// Waits for step `at`'s button; `Err` when the run was abandoned meanwhile.
    async fn wait_for_press(&self, at: usize) -> Result<(), String> {
        {
            let mut view = self.view.lock();
            view.step = at;
            if view.auto || view.pressed == Some(at) {
                return Ok(());
            }
            view.waiting_for_press = true;
        }
        let idle_since = Instant::now();
        loop {
            let _ = tokio::time::timeout(WATCH_EVERY, self.pressed.notified()).await;
            let view = self.view.lock();
            if view.status != RunStatus::Running {
                return Err("abandoned".into());
            }
            if !view.waiting_for_press {
                return Ok(());
            }
            if idle_since.elapsed() > IDLE_LIMIT {
                return Err(format!(
                    "no step pressed for {} minutes",
                    IDLE_LIMIT.as_secs() / 60
                ));
            }
        }
    }
}

async fn drive(run: Arc<Run>, scenario: &'static Scenario, state: StoreReach) {
    let mut drill = Drill::new(state, scenario.name).await;
    // A panic in a step must still tidy up and end the run, or its faults and shoppers would
    // outlive it and a headless run would wait for ever.
    let steps = AssertUnwindSafe(drive_steps(&run, scenario, &mut drill));
    let outcome = match steps.catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => Err("the run stopped on an internal error; see carstore's log".into()),
    };
    drill.tidy_up().await;
    match outcome {
        Ok(()) => run.end(RunStatus::Passed, String::new()),
        Err(why) => run.end(RunStatus::Failed, why),
    }
    let summary = summarise(&run.view(), scenario, &drill).await;
    {
        let mut view = run.view.lock();
        view.step = scenario.steps.len();
        tracing::info!(scenario = scenario.name, status = ?view.status, "scenario run ended");
        view.summary = Some(summary);
    }
    run.finished.store(true, Ordering::Release);
}

async fn drive_steps(run: &Run, scenario: &Scenario, drill: &mut Drill) -> Result<(), String> {
    for (at, step) in scenario.steps.iter().enumerate() {
        run.wait_for_press(at).await?;
        let pressed = Instant::now();
        let done = drill.perform(step.action).await?;
        {
            let mut view = run.view.lock();
            view.steps[at].performed_at = Some(Utc::now());
            view.steps[at].done = Some(done);
        }
        watch(run, at, scenario, drill, pressed).await?;
    }
    Ok(())
}

/// Reads step `at`'s pending checks until every one has shown.
async fn watch(
    run: &Run,
    at: usize,
    scenario: &Scenario,
    drill: &mut Drill,
    pressed: Instant,
) -> Result<(), String> {
    let checks = scenario.steps[at].checks;
    let deadline = pressed + Duration::from_secs(STEP_TIMEOUT_SECS);
    loop {
        let pending: Vec<usize> = (0..checks.len())
            .filter(|&c| !run.view.lock().steps[at].checks[c].passed)
            .collect();
        let Some(&first) = pending.first() else {
            return Ok(());
        };
        if !run.is_going() {
            return Err("abandoned".into());
        }
        if Instant::now() > deadline {
            let says = checks[first].says;
            return Err(format!("not seen within {STEP_TIMEOUT_SECS} s: {says}"));
        }
        for c in pending {
            // A read that hangs must not hold the step past its deadline.
            let left = deadline.saturating_duration_since(Instant::now());
            let read = tokio::time::timeout(left, drill.observe(checks[c].signal)).await;
            if let Ok(Some(seen)) = read {
                let mut view = run.view.lock();
                let check = &mut view.steps[at].checks[c];
                check.passed = true;
                check.passed_at = Some(Utc::now());
                check.after_ms = Some(pressed.elapsed().as_millis() as u64);
                check.seen = Some(seen);
            }
        }
        tokio::time::sleep(WATCH_EVERY).await;
    }
}

/// Times to detect and to recover, the refusals, and the run's orders read back.
async fn summarise(view: &RunView, scenario: &Scenario, drill: &Drill) -> RunSummary {
    // Detection: the symptom a watcher notices, timed from its own step's button.
    let detect_ms = scenario
        .steps
        .iter()
        .zip(&view.steps)
        .find_map(|(step, run)| {
            let at = step.checks.iter().position(|c| c.detects)?;
            run.checks[at].after_ms
        });
    // Recovery: from the fix's button until the last of its signals.
    let fixed = scenario.steps.iter().position(|s| s.phase == Phase::Fix);
    let recover_ms = fixed.and_then(|f| {
        let checks = &view.steps[f].checks;
        let all_passed = checks.iter().all(|c| c.passed);
        let last = checks.iter().filter_map(|c| c.after_ms).max();
        last.filter(|_| all_passed)
    });
    let mut lost = 0;
    for id in &drill.placed {
        if !found(drill, *id).await {
            lost += 1;
        }
    }
    let m = &drill.state.metrics;
    let refused = m
        .refused_answers
        .get()
        .saturating_sub(drill.baseline.refused);
    let duplicates = m.checkout_duplicates_suppressed.get();
    RunSummary {
        detect_ms,
        recover_ms,
        requests_refused: refused.saturating_sub(drill.probe.refusals()),
        orders_placed: drill.placed.len(),
        orders_lost: lost,
        duplicates_suppressed: duplicates.saturating_sub(drill.baseline.duplicates),
    }
}

/// Whether an order the run placed is in the store. A read that fails is asked again for a few
/// seconds (the fix may still be settling); one that never answers cannot show the order, so
/// it counts as lost rather than passing unseen.
async fn found(drill: &Drill, id: crate::domain::OrderId) -> bool {
    for _ in 0..10 {
        match drill.state.orders.order(id).await {
            Ok(order) => return order.is_some(),
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
    false
}
