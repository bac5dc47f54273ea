//! Pruning the embedded file: published order events, idempotency keys and carts past their
//! retention, a batch per statement. Times are stored as RFC 3339 text in UTC with
//! milliseconds, so comparing the text compares the times.

use super::SqliteDb;
use crate::adapter::AdapterError;
use crate::service::Service;
use crate::store::{Prune, Table};
use async_trait::async_trait;
use std::time::Duration;

/// Sent events of orders no longer pending (a pending order's event may be put back).
const SENT_OUTBOX: &str = "DELETE FROM outbox WHERE id IN (
    SELECT o.id FROM outbox o JOIN orders r ON r.id = o.order_id
    WHERE o.sent_at < ?1 AND r.status <> 'pending' ORDER BY o.sent_at LIMIT ?2)";

const IDEMPOTENCY_KEYS: &str = "DELETE FROM idempotency_keys WHERE rowid IN (
    SELECT k.rowid FROM idempotency_keys k JOIN orders r ON r.id = k.order_id
    WHERE k.created_at < ?1 AND r.status <> 'pending' ORDER BY k.created_at LIMIT ?2)";

/// Whole carts: every line of a cart carries the same stamp, and every line of a cart one of
/// whose lines is picked goes, so no cart is cut in half. `limit` bounds the lines picked
/// (through the index on the stamp), so at most that many carts go; the answer counts lines.
const CARTS: &str = "DELETE FROM cart_items WHERE session_id IN (
    SELECT session_id FROM cart_items WHERE used_at < ?1 ORDER BY used_at LIMIT ?2)";

/// Accounts idle past their retention that own no order; their sessions, all ended long ago
/// (none outlives the retention), go first.
const IDLE: &str = "SELECT a.id FROM accounts a
    WHERE coalesce(a.signed_in_at, a.created_at) < ?1
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = 'account:' || a.id)
    ORDER BY a.id LIMIT ?2";

#[async_trait]
impl Prune for SqliteDb {
    async fn prune(
        &self,
        table: Table,
        older_than: Duration,
        limit: u32,
    ) -> Result<u64, AdapterError> {
        let (sql, service) = match table {
            Table::Outbox => (SENT_OUTBOX, Service::Postgres),
            Table::IdempotencyKeys => (IDEMPOTENCY_KEYS, Service::Postgres),
            Table::CartItems => (CARTS, Service::Redis),
            Table::AuditLog => return self.prune_audit_log(limit).await,
            Table::IdleAccounts => return self.prune_idle_accounts(older_than, limit).await,
        };
        let cutoff = cutoff_text(older_than);
        self.run_for(service, move |c| {
            c.prepare_cached(sql)?
                .execute(rusqlite::params![cutoff, limit])
                .map(|n| n as u64)
        })
        .await
    }
}

impl SqliteDb {
    async fn prune_idle_accounts(
        &self,
        older_than: Duration,
        limit: u32,
    ) -> Result<u64, AdapterError> {
        let cutoff = cutoff_text(older_than);
        self.run_for(Service::Postgres, move |c| {
            let tx = c.transaction()?;
            let sessions = format!("DELETE FROM account_sessions WHERE account_id IN ({IDLE})");
            tx.execute(&sessions, rusqlite::params![cutoff, limit])?;
            let accounts = format!("DELETE FROM accounts WHERE id IN ({IDLE})");
            let gone = tx.execute(&accounts, rusqlite::params![cutoff, limit])?;
            tx.commit()?;
            Ok(gone as u64)
        })
        .await
    }
}

/// The time `older_than` ago, written as `now_text` writes times.
fn cutoff_text(older_than: Duration) -> String {
    let ago = chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::MAX);
    let at = chrono::Utc::now()
        .checked_sub_signed(ago)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_written_like_every_stored_time_so_text_order_is_time_order() {
        let now = super::super::now_text();
        let cutoff = cutoff_text(Duration::from_secs(90));
        assert_eq!(cutoff.len(), now.len(), "{cutoff} {now}");
        assert!(cutoff < now);
        assert!(cutoff.ends_with('Z'));
    }
}
