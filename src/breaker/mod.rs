//! One breaker per service, so an outage is refused at once instead of every request waiting
//! for its own timeout. Closed: calls go through. Open: calls that need the service fail at
//! once with the same `Unavailable` an outage gives. The health monitor's probes are its
//! trials: while it is open they come faster (`ops::health`), each one marks it half-open while
//! in flight, and the first answer closes it. No shopper's request is ever the trial, so none
//! waits on a service that is away.
//!
//! A breaker is a gate (`crate::calls`) the adapters' request-path calls pass, set where the
//! adapters are picked: a handler asks for a cart and gets `Unavailable` either way, and never
//! knows a breaker exists.

use crate::adapter::AdapterError;
use crate::calls::{Call, Gate};
pub use crate::events::{BreakerChange, BreakerState};
use crate::events::{EventBus, StoreEvent};
use crate::service::{PerService, Service};
use parking_lot::Mutex;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use tokio::sync::futures::Notified;
use tokio::sync::Notify;

/// Failed calls in a row that open a closed breaker: one failure may be a blip.
const FAILURES_TO_OPEN: u32 = 3;

fn state_from_u8(raw: u8) -> BreakerState {
    match raw {
        0 => BreakerState::Closed,
        1 => BreakerState::Open,
        _ => BreakerState::HalfOpen,
    }
}

/// Every service's breaker.
pub type Breakers = PerService<Arc<Breaker>>;

/// One service's breaker.
pub struct Breaker {
    service: Service,
    /// Read without the lock on every call: the closed path costs one atomic load.
    state: AtomicU8,
    /// Unavailable answers in a row; also lock-free, so a success costs no lock either.
    failures_in_a_row: AtomicU32,
    /// Held while the state changes, so an open and a close cannot interleave.
    moving: Mutex<()>,
    /// Wakes the calls in flight, and the service's probing, when the breaker opens.
    opened: Notify,
    refused: AtomicU64,
    bus: Arc<EventBus>,
}

impl Breaker {
    pub fn new(service: Service, bus: Arc<EventBus>) -> Arc<Breaker> {
        Arc::new(Breaker {
            service,
            state: AtomicU8::new(BreakerState::Closed as u8),
            failures_in_a_row: AtomicU32::new(0),
            moving: Mutex::new(()),
            opened: Notify::new(),
            refused: AtomicU64::new(0),
            bus,
        })
    }

    /// One breaker per service, all telling `bus` when they move.
    pub fn per_service(bus: &Arc<EventBus>) -> Breakers {
        PerService::new(|service| Breaker::new(service, bus.clone()))
    }

    pub fn service(&self) -> Service {
        self.service
    }

    pub fn state(&self) -> BreakerState {
        state_from_u8(self.state.load(Ordering::Relaxed))
    }

    /// Calls refused at once since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Runs `work` if the breaker lets it, and learns from how it ended.
    pub async fn call<T>(
        self: &Arc<Self>,
        work: impl Future<Output = Result<T, AdapterError>>,
    ) -> Result<T, AdapterError> {
        self.admit()?;
        // A call already waiting on a service that has since been found down is let go at
        // once, like the calls refused at the door: it would only wait for its timeout.
        let opened = self.opened.notified();
        tokio::pin!(opened);
        opened.as_mut().enable();
        let result = tokio::select! {
            biased;
            result = work => result,
            _ = opened => Err(self.refusal()),
        };
        match &result {
            Err(AdapterError::Unavailable { .. }) => self.failed(),
            // Corrupt data is a bug, not an outage: the service answered.
            _ => self.answered(),
        }
        result
    }

    /// The health monitor's probe got an answer.
    pub fn probe_passed(&self) {
        self.answered();
    }

    /// The adapter's driver says its connection dropped.
    pub fn connection_lost(self: &Arc<Self>) {
        self.open();
    }

    /// The health monitor counts the service down.
    pub fn probe_failed(self: &Arc<Self>) {
        self.open();
    }

    /// A probe of an open breaker's service is its trial: half-open while it is in flight.
    /// `false` when the breaker is not open.
    pub fn begin_trial(&self) -> bool {
        let (open, trying) = (BreakerState::Open as u8, BreakerState::HalfOpen as u8);
        let moved = self
            .state
            .compare_exchange(open, trying, Ordering::Relaxed, Ordering::Relaxed);
        moved.is_ok()
    }

    /// The trial got no answer: open again (too short a moment to be worth an event).
    pub fn trial_failed(&self) {
        let (trying, open) = (BreakerState::HalfOpen as u8, BreakerState::Open as u8);
        let _ = self
            .state
            .compare_exchange(trying, open, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Resolves when the breaker next opens; enable it before reading the state, so an opening
    /// in between is not missed.
    pub fn when_opened(&self) -> Notified<'_> {
        self.opened.notified()
    }

    /// `Err` while open: refused at once, the call never runs.
    fn admit(&self) -> Result<(), AdapterError> {
        if self.state() == BreakerState::Closed {
            return Ok(());
        }
        Err(self.refusal())
    }

    fn refusal(&self) -> AdapterError {
        self.refused.fetch_add(1, Ordering::Relaxed);
        AdapterError::unavailable(
            self.service,
            "refused at once: the breaker is open until the service answers again",
        )
    }

    fn answered(&self) {
        if self.failures_in_a_row.load(Ordering::Relaxed) != 0 {
            self.failures_in_a_row.store(0, Ordering::Relaxed);
        }
        if self.state() != BreakerState::Closed {
            let _moving = self.moving.lock();
            self.set(BreakerState::Closed);
        }
    }

    fn failed(self: &Arc<Self>) {
        let failures = self.failures_in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if failures >= FAILURES_TO_OPEN {
            self.open();
        }
    }

    /// Opens a closed breaker; an open one stays as it is.
    fn open(self: &Arc<Self>) {
        let _moving = self.moving.lock();
        if self.state() != BreakerState::Closed {
            return;
        }
        self.set(BreakerState::Open);
        self.opened.notify_waiters();
    }

    /// Changes state (under the lock) and tells the dashboard when it really changed; the
    /// trial's own half-open moment is too short to be worth an event.
    fn set(&self, state: BreakerState) {
        let was = state_from_u8(self.state.swap(state as u8, Ordering::Relaxed));
        let visible = |s: BreakerState| s == BreakerState::Closed;
        if visible(was) != visible(state) {
            tracing::info!(
                service = self.service.as_str(),
                state = state.as_str(),
                "breaker moved"
            );
            self.bus.publish(StoreEvent::Breaker(BreakerChange {
                service: self.service,
                state,
            }));
        }
    }
}

/// The request paths' calls go through the breaker; background work, probes and finishing
/// what was begun pass straight on (see [`Call`]).
impl Gate for Arc<Breaker> {
    async fn pass<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> Result<T, AdapterError> {
        {
            match call {
                Call::Request => self.call(work).await,
                Call::Background | Call::Probe | Call::Finish => work.await,
            }
        }
    }
}

#[cfg(test)]
mod tests;
