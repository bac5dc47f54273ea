//! The operations side of the store: watching the backing services, starting and stopping
//! them, and remembering who did what.

pub mod audit;
pub mod control;
mod fault_changes;
mod health;
pub mod healthcheck;
pub mod logs;
pub mod sign_in;
pub mod vhost_queues;

pub use fault_changes::{tell_ends, FaultChanges};
pub use health::{HealthMonitor, HealthProbe};
