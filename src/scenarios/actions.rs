//! What a step's button does, done by the run's [`Drill`]: faults through the same path as the
//! API (so they are audited and shown like any other), load through the dashboard's load runs,
//! orders through the store's own API as a shopper would place them.

use super::probe::Probe;
use super::StoreReach;
use super::{Action, FAULT_EXPIRY_SECS};
use crate::domain::{OrderId, SessionId};
use crate::faults::{Fault, FaultKind, FaultTarget};
use crate::load::Answer;
use crate::load::{LoadPlan, Pace, SessionCookie};
use std::time::Duration;

/// The longest a run's shoppers go on: as long as its faults may last. The run stops them as it
/// ends, whatever it ends with.
const LOAD_FOR: Duration = Duration::from_secs(super::FAULT_EXPIRY_SECS);
/// Of a flaky checkout's tries, this many are sent at once (a double click); the rest follow
/// one after another (retries after lost answers).
const AT_ONCE: usize = 2;

/// A run's working state: what it did, and the figures its checks compare against.
pub struct Drill {
    pub state: StoreReach,
    pub probe: Probe,
    /// Who the audit log says changed a fault: `scenario redis-outage`.
    pub who: String,
    /// Orders this run's shoppers placed (answered 201).
    pub placed: Vec<OrderId>,
    /// The last `PlaceOrders`: asked, accepted.
    pub last_placing: Option<(u32, u32)>,
    /// The flaky checkout's answers.
    pub tries: Vec<Answer>,
    /// Orders of this run seen failed while a poison fault was its drill: settled, not lost.
    pub poisoned: Vec<OrderId>,
    pub baseline: Baseline,
    /// The load run this run started, to stop it and no other.
    load: Option<u64>,
    /// The faults this run set, each known by its expiry, to clear them and no one else's.
    set_faults: Vec<Fault>,
}

/// Counters as the run began.
pub struct Baseline {
    /// `None` when the queue could not be read: the dead-letter check then cannot pass, rather
    /// than count messages that were there before.
    pub dead_lettered: Option<u64>,
    pub duplicates: u64,
    pub refused: u64,
}

impl Drill {
    pub async fn new(state: StoreReach, scenario: &str) -> Drill {
        let dead_lettered = state.queue.depth().await.ok().map(|d| d.dead_lettered);
        let baseline = Baseline {
            dead_lettered,
            duplicates: state.metrics.checkout_duplicates_suppressed.get(),
            refused: state.metrics.refused_answers.get(),
        };
        Drill {
            probe: Probe::new(&state.own_url),
            state,
            who: format!("scenario {scenario}"),
            placed: vec![],
            last_placing: None,
            tries: vec![],
            poisoned: vec![],
            baseline,
            load: None,
            set_faults: vec![],
        }
    }

    /// Does what the button says; what was done, in words, or why it could not be.
    pub async fn perform(&mut self, action: Action) -> Result<String, String> {
        match action {
            Action::SetFault {
                target,
                kind,
                value,
                jitter_ms,
            } => self.set_fault(target, kind, value, jitter_ms),
            Action::ClearFault { target, kind } => {
                self.set_faults
                    .retain(|f| (f.target, f.kind) != (target, kind));
                self.state
                    .fault_changes
                    .clear(self.who.clone(), target, kind);
                Ok(format!("{} {} cleared", target.as_str(), kind.as_str()))
            }
            Action::StartLoad { rate, mix } => self.start_load(rate, mix).await,
            Action::PlaceOrders { orders } => Ok(self.place_orders(orders).await),
            Action::FlakyCheckout { tries } => Ok(self.flaky_checkout(tries).await),
            Action::Watch => Ok("watching".into()),
        }
    }

    fn set_fault(
        &mut self,
        target: FaultTarget,
        kind: FaultKind,
        value: Option<u32>,
        jitter_ms: Option<u32>,
    ) -> Result<String, String> {
        let expires_at = chrono::Utc::now() + chrono::Duration::seconds(FAULT_EXPIRY_SECS as i64);
        let fault = Fault {
            target,
            kind,
            value,
            jitter_ms,
            route: None,
            expires_at: Some(expires_at),
        };
        let stored = self
            .state
            .fault_changes
            .set(self.who.clone(), fault)
            .map_err(|most| format!("at most {most} faults at once; clear one first"))?;
        self.set_faults.push(stored);
        Ok(format!("{} {} set", target.as_str(), kind.as_str()))
    }

    /// Starts the scenario's shoppers, in place of a load run going on this store: the checks
    /// read the load chart, and another mix may never show what the scenario teaches.
    async fn start_load(&mut self, rate: u32, mix: &str) -> Result<String, String> {
        let plan = LoadPlan {
            base: self.state.own_url.clone(),
            duration: LOAD_FOR,
            pace: Pace::Rate(f64::from(rate)),
            mix: mix.parse().map_err(|e| format!("the mix {mix}: {e}"))?,
        };
        if let Some(elsewhere) = self.state.load.running_elsewhere() {
            return Err(format!(
                "a load run is going on another replica ({elsewhere}); stop it first"
            ));
        }
        let replaced = self.stop_load(None).await;
        if !self.state.load.start(plan, self.state.events.clone()) {
            return Err("a load run could not be started".into());
        }
        self.load = self.state.load.current_id();
        let instead = if replaced {
            ", in place of the load run going"
        } else {
            ""
        };
        Ok(format!("{rate} shoppers a second ({mix}){instead}"))
    }

    /// Stops this store's load run (only `id`, when given) and waits for it to end; whether
    /// one was going.
    async fn stop_load(&self, id: Option<u64>) -> bool {
        let stopped = match id {
            Some(id) => self.state.load.stop_run(id),
            None => self.state.load.stop(),
        };
        if !stopped {
            return false;
        }
        for _ in 0..30 {
            if self.state.load.running().is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        true
    }

    async fn place_orders(&mut self, orders: u32) -> String {
        let mut accepted = 0;
        for _ in 0..orders {
            if self.buy().await.is(201) {
                accepted += 1;
            }
        }
        self.last_placing = Some((orders, accepted));
        format!("{accepted} of {orders} checkouts accepted")
    }

    /// One cart, one key, `tries` checkouts: the first few at once, the rest in turn.
    async fn flaky_checkout(&mut self, tries: u32) -> String {
        let session = SessionCookie::default();
        let key = SessionId::new_random();
        let added = self.probe.add_car(&session).await;
        if !added.is(201) {
            self.tries = vec![added];
            return "the car could not be put in the cart".into();
        }
        let at_once = (0..AT_ONCE.min(tries as usize)).map(|_| self.probe.checkout(&session, &key));
        self.tries = futures_util::future::join_all(at_once).await;
        while self.tries.len() < tries as usize {
            let answer = self.probe.checkout(&session, &key).await;
            self.tries.push(answer);
        }
        let order = self.tries.iter().find_map(|a| a.order);
        if let Some(id) = order {
            self.placed.push(id);
        }
        format!("{} tries sent", self.tries.len())
    }

    /// Clears the faults the run set and stops the shoppers it started, however it ended; a
    /// fault someone set over the run's since (another expiry) and a load run someone started
    /// after it are theirs, and left alone. A poison used up has ended on its own.
    pub async fn tidy_up(&mut self) {
        for mine in std::mem::take(&mut self.set_faults) {
            let now = self.state.fault_changes.faults.find(mine.target, mine.kind);
            if now.is_some_and(|f| f.expires_at == mine.expires_at) {
                self.state
                    .fault_changes
                    .clear(self.who.clone(), mine.target, mine.kind);
            }
        }
        if let Some(id) = self.load.take() {
            self.stop_load(Some(id)).await;
        }
    }
}
