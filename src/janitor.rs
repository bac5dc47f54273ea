//! The janitor: one background task per process that deletes what has served its purpose, so a
//! long-running store does not grow without end. Every so often (`Retention::prune_every`) it
//! prunes each table it was given in batches of `BATCH` rows, each its own short statement, so
//! checkouts never wait long behind it. Orders and their items are records and are kept.

use crate::adapter::AdapterError;
use crate::config::Retention;
use crate::metrics::TableLabels;
use crate::store::{Prune, Table};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::sync::Arc;
use std::time::Duration;

/// Rows deleted per statement.
pub const BATCH: u32 = 1000;
/// Statements per table per round; anything left waits for the next round.
const MAX_BATCHES: u32 = 100;

/// One table and the store that holds it.
#[derive(Clone)]
pub struct Chore {
    pub table: Table,
    pub store: Arc<dyn Prune>,
}

pub struct Janitor {
    pub chores: Vec<Chore>,
    pub retention: Retention,
    /// `carstore_rows_pruned_total`, by table.
    pub pruned: Family<TableLabels, Counter>,
}

impl Janitor {
    /// Prunes every table each round, forever; the first round waits one interval, so a store
    /// just started serves before it cleans.
    pub async fn run(self) {
        for chore in &self.chores {
            // Present at 0 from the start, so a rate over it has a series to work on.
            let _ = self.pruned.get_or_create(&labels(chore.table));
        }
        let mut every = tokio::time::interval(self.retention.prune_every());
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            self.round().await;
        }
    }

    /// One pass over every table.
    pub async fn round(&self) {
        for chore in &self.chores {
            self.tidy(chore).await;
        }
    }

    /// Deletes batches until one comes back short, logging once per table that lost rows. An
    /// outage only waits for the next round: the health monitor already reports it.
    async fn tidy(&self, chore: &Chore) {
        let older_than = kept_for(chore.table, &self.retention);
        let counter = self.pruned.get_or_create(&labels(chore.table)).clone();
        let mut rows = 0;
        for _ in 0..MAX_BATCHES {
            match chore.store.prune(chore.table, older_than, BATCH).await {
                Ok(n) => {
                    counter.inc_by(n);
                    rows += n;
                    if n < u64::from(BATCH) {
                        break;
                    }
                }
                Err(AdapterError::Corrupt(detail)) => {
                    tracing::warn!(%detail, table = chore.table.as_str(), "pruning failed");
                    break;
                }
                Err(e) => {
                    tracing::debug!(error = %e, table = chore.table.as_str(), "pruning waits for the next round");
                    break;
                }
            }
        }
        if rows > 0 {
            let table = chore.table.as_str();
            tracing::info!(
                table,
                rows,
                older_than_secs = older_than.as_secs(),
                "pruned"
            );
        }
    }
}

fn labels(table: Table) -> TableLabels {
    TableLabels {
        table: table.as_str(),
    }
}

/// How long this table's rows are kept.
fn kept_for(table: Table, retention: &Retention) -> Duration {
    match table {
        Table::Outbox => retention.sent_outbox,
        Table::IdempotencyKeys => retention.idempotency_keys,
        Table::CartItems => retention.carts,
        // Kept by count, not by age: the store ignores it.
        Table::AuditLog => Duration::ZERO,
        Table::IdleAccounts => retention.idle_accounts,
    }
}
