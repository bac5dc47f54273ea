//! The six guided scenarios, as data. Each break is a fault, so every one runs on
//! `carstore serve` alone as well as against real services.

mod outages;
mod partial;

use super::Action::StartLoad;
use super::Phase::Setup;
use super::{Check, Scenario, Step};

/// The load panel's usual mix: mostly browsing, some buying.
pub(super) const SHOPPING: &str = "browse=10,view=5,add_to_cart=3,checkout=1";

pub(super) const fn check(says: &'static str, signal: super::Signal) -> Check {
    Check {
        says,
        signal,
        detects: false,
    }
}

/// The check that times detection (see [`Check::detects`]).
pub(super) const fn detect(says: &'static str, signal: super::Signal) -> Check {
    Check {
        says,
        signal,
        detects: true,
    }
}

/// Shoppers on the store before anything breaks, so the chart shows the break.
pub(super) const fn shoppers(rate: u32, mix: &'static str, checks: &'static [Check]) -> Step {
    Step {
        title: "Put shoppers on the store",
        button: "Start shoppers",
        action: StartLoad { rate, mix },
        phase: Setup,
        watch: "The Dashboard's load chart: requests a second, p95 and errors.",
        checks,
    }
}

pub static SCENARIOS: [&Scenario; 6] = [
    &outages::REDIS_OUTAGE,
    &outages::RABBITMQ_OUTAGE,
    &outages::POSTGRES_OUTAGE,
    &partial::SLOW_DATABASE,
    &partial::POISON_MESSAGE,
    &partial::FLAKY_CLIENT,
];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().copied().find(|s| s.name == name)
}
