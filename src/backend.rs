//! What adapters may say went wrong. Adapters translate their driver's errors into these, so the
//! HTTP layer can answer `503` for an outage without ever seeing a driver type.

use async_trait::async_trait;
use std::fmt;

/// The backing services the store depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependency {
    /// Orders, order items and the outbox (Postgres or embedded SQLite).
    Database,
    /// Catalog cache and carts (Redis or embedded).
    Cache,
    /// Order events (RabbitMQ or the in-process queue).
    Queue,
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dependency::Database => "The order database",
            Dependency::Cache => "The cart service",
            Dependency::Queue => "The order queue",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The service did not answer or refused the work; trying again later may succeed.
    #[error("{dependency} is unavailable: {detail}")]
    Unavailable {
        dependency: Dependency,
        detail: String,
    },
    /// The service answered with something that breaks our own invariants: a bug, not an outage.
    #[error("inconsistent data: {0}")]
    Corrupt(String),
}

impl BackendError {
    pub fn unavailable(dependency: Dependency, detail: impl fmt::Display) -> Self {
        BackendError::Unavailable {
            dependency,
            detail: detail.to_string(),
        }
    }
}

/// Which implementation serves a dependency; the status probes and the dashboard report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Runs inside this process (SQLite file, memory, in-process queue).
    Embedded,
    /// A real service reached over the network.
    External,
}

/// Where the outbox relay hands events: the order queue, seen only as something that takes a
/// message and confirms it. Lets the store drive publishing inside its claim on the rows.
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Returns only once the receiver has taken responsibility for the message.
    async fn publish(&self, body: &str) -> Result<(), BackendError>;
}
