//! Argon2id work off the async threads, a few at a time. Each hash takes tens of milliseconds
//! of one core and 19 MiB: run on the request threads it would stall every other request, and
//! unbounded a burst of sign-ins would take all the memory. So at most one per core runs, on
//! tokio's blocking pool; the rest wait their turn, for a bounded time.

use crate::domain::Password;
use crate::metrics::Metrics;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// A sign-in that cannot start hashing within this is refused (503) rather than queued on.
const MOST_WAIT: Duration = Duration::from_secs(5);

/// The store is too busy hashing to take this one.
#[derive(Debug)]
pub struct Busy;

#[derive(Clone)]
pub struct Hashing {
    turns: Arc<Semaphore>,
    metrics: Arc<Metrics>,
}

impl Hashing {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Hashing {
            turns: Arc::new(Semaphore::new(cores)),
            metrics,
        }
    }

    /// The PHC string to store for `password`.
    pub async fn hash(&self, password: Password) -> Result<String, Busy> {
        self.run(move || password.hash()).await
    }

    /// Whether `password` is the one `stored` was made from; with no stored hash (an unknown
    /// email), the same work against a hash nobody has, so both answers take as long.
    pub async fn check(&self, password: Password, stored: Option<String>) -> Result<bool, Busy> {
        self.run(move || match stored {
            Some(stored) => password.matches(&stored),
            None => {
                password.match_nobody();
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let turn = tokio::time::timeout(MOST_WAIT, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let done = work();
            metrics
                .password_hash_duration
                .observe(started.elapsed().as_secs_f64());
            drop(turn);
            done
        })
        .await
        .map_err(|_| Busy)
    }
}
