//! The operations side of the store: watching the backing services.

mod health;

pub use health::{HealthMonitor, Probe};
