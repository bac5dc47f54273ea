//! What the janitor may prune, and the stores that can: each backend deletes its own rows.

use crate::adapter::AdapterError;
use async_trait::async_trait;
use std::time::Duration;

/// What can be pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Order events the queue confirmed, of orders no longer pending.
    Outbox,
    /// Checkouts' idempotency keys, of orders no longer pending.
    IdempotencyKeys,
    /// Embedded carts' lines (Redis carts expire by themselves).
    CartItems,
    /// Audit entries past the newest `store::KEPT_PER_KIND` of their kind. Pruned here rather
    /// than as entries are written: a write stays one insert that can simply be tried again,
    /// the deletions are counted like every other table's, and what a flood of wrong tokens
    /// adds between two rounds is only read past (reads take the newest few).
    AuditLog,
    /// Shoppers' accounts never signed into for the account retention that placed no order.
    IdleAccounts,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Outbox => "outbox",
            Table::IdempotencyKeys => "idempotency_keys",
            Table::CartItems => "cart_items",
            Table::AuditLog => "audit_log",
            Table::IdleAccounts => "accounts",
        }
    }
}

/// A store that can forget rows nobody needs any more.
#[async_trait]
pub trait Prune: Send + Sync {
    /// Deletes at most `limit` rows of `table` unused for longer than `older_than` (sent,
    /// created or last touched that long ago; a cart goes whole, so its last batch may take a
    /// few lines more); returns how many went. Never an unsent outbox
    /// row, nor an outbox row or idempotency key of an order still pending. The audit log is
    /// kept by count instead: the newest `store::KEPT_PER_KIND` of each kind stay, whatever
    /// their age.
    async fn prune(
        &self,
        table: Table,
        older_than: Duration,
        limit: u32,
    ) -> Result<u64, AdapterError>;
}
