//! The outbox on Postgres: order events waiting for the queue, published in order and marked
//! sent once the queue confirmed them.

use super::{db_error, PgStore};
use crate::adapter::{AdapterError, EventSink};
use crate::domain::{OrderId, OrderStatus};
use crate::store::{confirmed, Outbox};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;

#[async_trait]
impl Outbox for PgStore {
    async fn settle_all(
        &self,
        ids: &[OrderId],
        status: OrderStatus,
    ) -> Result<Vec<OrderId>, AdapterError> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let client = self.client().await?;
        let settle = client
            .prepare_cached(
                "UPDATE orders SET status = $1, settled_at = now()
                 WHERE id = ANY($2) AND status = 'pending' RETURNING id",
            )
            .await
            .map_err(db_error)?;
        let rows = client
            .query(&settle, &[&status.as_str(), &ids])
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(|r| OrderId(r.get(0))).collect())
    }

    async fn requeue_unsettled(&self) -> Result<usize, AdapterError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE outbox SET sent_at = NULL
                 WHERE sent_at IS NOT NULL AND order_id IN (SELECT id FROM orders WHERE status = 'pending')",
                &[],
            )
            .await
            .map_err(db_error)?;
        Ok(n as usize)
    }

    /// The claim is the row locks of one transaction, held while the batch is published and
    /// confirmed (milliseconds; at most the confirm timeout). Another relay skips those rows
    /// instead of waiting, so no row goes out twice; if this relay dies first, the locks go
    /// with its connection and the rows, still unsent, are published again: at least once.
    async fn relay_outbox(&self, limit: u32, sink: &dyn EventSink) -> Result<usize, AdapterError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let claim = tx
            .prepare_cached(
                "SELECT id, payload FROM outbox WHERE sent_at IS NULL
                 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
            )
            .await
            .map_err(db_error)?;
        let rows = tx
            .query(&claim, &[&i64::from(limit)])
            .await
            .map_err(db_error)?;
        if rows.is_empty() {
            tx.commit().await.map_err(db_error)?;
            return Ok(0);
        }
        let bodies: Vec<&str> = rows.iter().map(|r| r.get(1)).collect();
        let answers = sink.publish_all(&bodies).await;
        let (sent, failure) = confirmed(rows.iter().map(|r| r.get::<_, i64>(0)), answers);
        if !sent.is_empty() {
            let mark = tx
                .prepare_cached("UPDATE outbox SET sent_at = now() WHERE id = ANY($1)")
                .await
                .map_err(db_error)?;
            tx.execute(&mark, &[&sent]).await.map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        failure.map_or(Ok(sent.len()), Err)
    }
}
