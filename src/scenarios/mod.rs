//! Guided scenarios: break → observe → fix, with the store checking what the learner should
//! see. A scenario is data ([`Scenario`], written out in `catalog.rs`): steps, each an
//! [`Action`] behind a button and the [`Signal`]s that must show after it. A run ([`runs`])
//! performs the steps — when the learner presses the button, or one after another when run
//! headless — watches the signals tick, and ends with a summary: time to detect, time to
//! recover, requests refused, orders lost.
//!
//! Every break is a fault (`crate::faults`), never a stopped container, so every scenario runs
//! on `carstore serve` alone as it does against real services. A run belongs to one process,
//! like its faults.

mod actions;
mod catalog;
mod probe;
mod reach;
mod runs;
mod signals;
#[cfg(test)]
mod tests;
mod view;
mod watched;

pub use catalog::{find, SCENARIOS};
pub use reach::StoreReach;
pub use runs::{RunRefused, ScenarioRuns};
pub use view::{scenario_names, RunView, ScenarioView};

use crate::faults::{FaultKind, FaultTarget};
use crate::service::Service;

/// How long a step's signals may take to show before the run fails.
pub const STEP_TIMEOUT_SECS: u64 = 60;
/// A fault a run sets ends on its own after this long, so a run whose task is lost cannot leave
/// the store broken for good. Longer than a guided run can last (every step pressed just
/// before [`IDLE_LIMIT_SECS`]), so a drill never ends under a learner who is still in it.
pub const FAULT_EXPIRY_SECS: u64 = 7200;
/// A guided run nobody presses on for this long is abandoned, and tidied up.
pub const IDLE_LIMIT_SECS: u64 = 900;

/// A guided scenario.
pub struct Scenario {
    /// Its name in the API and the command line: `redis-outage`.
    pub name: &'static str,
    pub title: &'static str,
    /// What it teaches, in a sentence or two.
    pub teaches: &'static str,
    /// How the problem is fixed in real life, beyond the button that ends the drill.
    pub fix: &'static str,
    /// Whether it needs the order processor and outbox relay in this process: its drill breaks
    /// them through this process's faults, which a `carstore worker` elsewhere does not share.
    pub needs_worker: bool,
    pub steps: &'static [Step],
}

/// One step: a button, what it does, what to watch, and what must show.
pub struct Step {
    pub title: &'static str,
    /// The button's words.
    pub button: &'static str,
    pub action: Action,
    pub phase: Phase,
    /// Which light, panel, metric or alert to look at.
    pub watch: &'static str,
    pub checks: &'static [Check],
}

/// Where a step stands in the story; the summary's times are measured from the break and the
/// fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Before the break: load on, a baseline seen.
    Setup,
    /// Something breaks. Time to detect is timed on the check marked [`Check::detects`].
    Break,
    /// While it is broken: what still works, what is refused.
    Observe,
    /// The fix: time to recover runs from here to its last check.
    Fix,
}

/// What a step's button does.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Sets a fault (value as the fault API takes it), ending on its own after
    /// [`FAULT_EXPIRY_SECS`].
    SetFault {
        target: FaultTarget,
        kind: FaultKind,
        value: Option<u32>,
        jitter_ms: Option<u32>,
    },
    ClearFault {
        target: FaultTarget,
        kind: FaultKind,
    },
    /// Starts shoppers on the store (a load run at `rate` scenarios a second, `mix` as the
    /// load panel takes it), stopped when the run ends.
    StartLoad { rate: u32, mix: &'static str },
    /// A shopper buys one car each, `orders` times, through the store's own API.
    PlaceOrders { orders: u32 },
    /// One checkout sent `tries` times with one Idempotency-Key: two at once, the rest after.
    FlakyCheckout { tries: u32 },
    /// Nothing to press: look at what the store does.
    Watch,
}

/// A live check: a sentence that ticks when its signal shows.
pub struct Check {
    pub says: &'static str,
    pub signal: Signal,
    /// The symptom someone watching would notice first: the summary's time to detect is how
    /// long after its step's button this showed.
    pub detects: bool,
}

/// What a check reads off the store.
#[derive(Debug, Clone, Copy)]
pub enum Signal {
    /// The service's light is in this state.
    Light(Service, Light),
    /// `GET /api/cart` answers 503 within [`probe::AT_ONCE_MS`].
    CartRefusedAtOnce,
    /// `GET /api/cart` answers 200.
    CartServed,
    /// `GET /api/cars` answers 200.
    CatalogServed,
    /// A checkout answers 503 within [`probe::AT_ONCE_MS`].
    CheckoutRefusedAtOnce,
    /// A checkout answers 201: the order is made (and counted in the summary).
    CheckoutAccepted,
    /// Every checkout of the step's `PlaceOrders` answered 201.
    OrdersPlaced,
    /// `GET /readyz` answers 503.
    NotReady,
    /// The outbox holds at least one order event the queue has not taken.
    OutboxHolding,
    /// The outbox is empty.
    OutboxEmpty,
    /// Every order this run placed is processed (or, poisoned, failed and dead-lettered).
    OrdersSettled,
    /// At least one order event more in the dead-letter queue than when the run began.
    DeadLettered,
    /// An order this run placed is marked failed.
    OrderFailed,
    /// The load run's p95 latency in its latest second is above / below this many ms.
    P95Above(u32),
    P95Below(u32),
    /// The load run is sending requests.
    LoadRunning,
    /// Every try of the flaky checkout reached the store.
    TriesReached,
    /// The flaky checkout's tries all named one order.
    OneOrder,
    /// `carstore_checkout_duplicates_suppressed_total` rose by the tries answered with the
    /// order already made.
    DuplicatesCounted,
}

/// A light's colour as a check wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// Up, or embedded and untouched.
    Green,
    /// Degraded.
    Amber,
    /// Down.
    Red,
}
