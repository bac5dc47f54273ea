//! What every adapter shares: how it says a service failed, and whether it runs the service
//! for real or embedded. Adapters translate their driver's errors into [`AdapterError`], so the
//! HTTP layer can answer `503` for an outage without ever seeing a driver type.

use crate::service::Service;
use async_trait::async_trait;
use serde::Serialize;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AdapterError {
    /// The service did not answer or refused the work; trying again later may succeed.
    #[error("{} is unavailable: {detail}", service.role())]
    Unavailable { service: Service, detail: String },
    /// The service answered with something that breaks our own invariants: a bug, not an outage.
    #[error("inconsistent data: {0}")]
    Corrupt(String),
}

impl AdapterError {
    /// The service that failed, for grouping warnings; `"store"` for our own inconsistency.
    pub fn service_name(&self) -> &'static str {
        match self {
            AdapterError::Unavailable { service, .. } => service.as_str(),
            AdapterError::Corrupt(_) => "store",
        }
    }

    pub fn unavailable(service: Service, detail: impl fmt::Display) -> Self {
        AdapterError::Unavailable {
            service,
            detail: detail.to_string(),
        }
    }
}

/// How an adapter runs its service; the status probes and the dashboard report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Inside this process (SQLite file, memory, in-process queue).
    Embedded,
    /// A real service reached over the network.
    Service,
}

/// The probe every adapter answers, with one signature: the cheapest round trip that proves
/// its service answers (counting rows is not cheap). Callers time it themselves.
#[async_trait]
pub trait Ping: Send + Sync {
    /// Whether it runs its service for real or embedded; an embedded one is never probed.
    fn mode(&self) -> Mode;
    async fn ping(&self) -> Result<(), AdapterError>;

    /// Has `lost` called whenever the adapter's own connection drops, for adapters whose driver
    /// says so at once (Redis); the service's breaker opens on it instead of waiting for failed
    /// calls. Others need do nothing: the breaker learns from their failures and the probes.
    fn when_connection_lost(&self, lost: std::sync::Arc<dyn Fn() + Send + Sync>) {
        let _ = lost;
    }
}

/// Where the outbox relay hands events: the order queue, seen only as something that takes
/// messages and confirms them. Lets the store drive publishing inside its claim on the rows.
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Hands over every message, then waits for the receiver's word on all of them together.
    /// One answer per message, in order: `Ok` once the receiver has taken responsibility for
    /// it; a refused or unanswered message is an `Err`, whatever became of the others.
    async fn publish_all(&self, bodies: &[&str]) -> Vec<Result<(), AdapterError>>;

    /// One message; returns only once the receiver has taken responsibility for it.
    async fn publish(&self, body: &str) -> Result<(), AdapterError> {
        self.publish_all(&[body])
            .await
            .pop()
            .unwrap_or_else(|| Err(AdapterError::Corrupt("no answer for a publish".into())))
    }
}

/// The waits between tries of something that is down: doubling from `first` up to `most`, and
/// from `first` again once it answers. Every retry-until-it-answers loop of the store uses one.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    most: Duration,
    next: Duration,
}

impl Backoff {
    pub const fn new(first: Duration, most: Duration) -> Backoff {
        Backoff {
            first,
            most,
            next: first,
        }
    }

    /// The wait the next [`Backoff::wait`] sleeps.
    pub fn next_wait(&self) -> Duration {
        self.next
    }

    /// Whether nothing failed since the start or the last [`Backoff::reset`]: the failure worth
    /// a log line is the first of a streak.
    pub fn is_fresh(&self) -> bool {
        self.next == self.first
    }

    /// Sleeps the current wait, then doubles the next one (up to `most`).
    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(self.most);
    }

    /// It answered: the next failure waits `first` again.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[tokio::test]
    async fn waits_double_up_to_the_most_and_start_again_after_a_success() {
        let ms = Duration::from_millis;
        let mut backoff = Backoff::new(ms(1), ms(4));
        let mut waits = vec![];
        for _ in 0..4 {
            waits.push(backoff.next_wait());
            backoff.wait().await;
        }
        assert_eq!(waits, [ms(1), ms(2), ms(4), ms(4)]);
        assert!(!backoff.is_fresh());
        backoff.reset();
        assert!(backoff.is_fresh());
        assert_eq!(backoff.next_wait(), ms(1));
    }
}
