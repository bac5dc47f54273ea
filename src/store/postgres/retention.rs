//! Pruning in Postgres: published order events and idempotency keys past their retention, a
//! batch per statement, measured against the database's own clock. Rows another transaction
//! holds are skipped, not waited for; the next round gets them. The batch is handed over as an
//! array (`= ANY(ARRAY(...))`), so the delete finds each row by its key instead of joining the
//! whole table against the batch.

use super::{db_error, PgStore};
use crate::adapter::AdapterError;
use crate::store::{Prune, Table};
use async_trait::async_trait;
use std::time::Duration;

/// Sent events of orders no longer pending: a pending order's event may be put back in the
/// outbox (`requeue_unsettled`), so it stays.
const SENT_OUTBOX: &str = "DELETE FROM outbox WHERE id = ANY(ARRAY(
    SELECT o.id FROM outbox o JOIN orders r ON r.id = o.order_id
    WHERE o.sent_at < now() - make_interval(secs => $1) AND r.status <> 'pending'
    ORDER BY o.sent_at LIMIT $2 FOR UPDATE OF o SKIP LOCKED))";

/// By `ctid`: the rows are locked by the same statement, so their addresses hold.
const IDEMPOTENCY_KEYS: &str = "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
    SELECT k.ctid FROM idempotency_keys k JOIN orders r ON r.id = k.order_id
    WHERE k.created_at < now() - make_interval(secs => $1) AND r.status <> 'pending'
    ORDER BY k.created_at LIMIT $2 FOR UPDATE OF k SKIP LOCKED))";

/// Accounts idle past their retention that own no order (orders are records, and so is the
/// account they belong to).
const IDLE_ACCOUNTS: &str = "DELETE FROM accounts WHERE id = ANY(ARRAY(
    SELECT a.id FROM accounts a
    WHERE coalesce(a.signed_in_at, a.created_at) < now() - make_interval(secs => $1)
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = 'account:' || a.id)
    ORDER BY a.id LIMIT $2 FOR UPDATE SKIP LOCKED))";

#[async_trait]
impl Prune for PgStore {
    async fn prune(
        &self,
        table: Table,
        older_than: Duration,
        limit: u32,
    ) -> Result<u64, AdapterError> {
        let sql = match table {
            Table::Outbox => SENT_OUTBOX,
            Table::IdempotencyKeys => IDEMPOTENCY_KEYS,
            // Carts are Redis's, which expires them itself.
            Table::CartItems => return Ok(0),
            Table::AuditLog => return self.prune_audit_log(limit).await,
            Table::IdleAccounts => IDLE_ACCOUNTS,
        };
        let client = self.client().await?;
        client
            .execute(sql, &[&older_than.as_secs_f64(), &i64::from(limit)])
            .await
            .map_err(db_error)
    }
}
