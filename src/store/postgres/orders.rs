use super::{db_error, PgStore};
use crate::adapter::{AdapterError, Mode, Ping};
use crate::domain::{CarId, IdempotencyKey, Money, OrderId, OrderStatus, SessionId};
use crate::store::{
    NewOrder, OrderRecord, OrderStats, OrderSummary, PlaceOrders, Placed, PoolStatus, PricedLine,
    ReadOrders,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

#[async_trait]
impl Ping for PgStore {
    fn mode(&self) -> Mode {
        Mode::Service
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .map(drop)
            .map_err(db_error)
    }
}

#[async_trait]
impl PlaceOrders for PgStore {
    async fn place(&self, order: &NewOrder) -> Result<Placed, AdapterError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        if let Some(key) = &order.idempotency_key {
            if let Some(id) = idempotent_order(&tx, &order.session, key).await? {
                return Ok(Placed::Existing(id));
            }
        }
        match insert_order(&tx, order).await {
            Ok(id) => {
                tx.commit().await.map_err(db_error)?;
                Ok(Placed::New(id))
            }
            // Two tries with one key raced and the other committed first: it is that order.
            Err(e)
                if e.code() == Some(&SqlState::UNIQUE_VIOLATION)
                    && order.idempotency_key.is_some() =>
            {
                drop(tx);
                let key = order.idempotency_key.as_ref().expect("checked above");
                let id = idempotent_order(&client, &order.session, key).await?;
                id.map(Placed::Existing).ok_or_else(|| db_error(e))
            }
            Err(e) => Err(db_error(e)),
        }
    }

    async fn find_by_idempotency_key(
        &self,
        session: &SessionId,
        key: &IdempotencyKey,
    ) -> Result<Option<OrderId>, AdapterError> {
        let client = self.client().await?;
        idempotent_order(&client, session, key).await
    }
}

#[async_trait]
impl ReadOrders for PgStore {
    fn pool_status(&self) -> Option<PoolStatus> {
        let status = self.pool.status();
        Some(PoolStatus {
            size: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
        })
    }

    async fn order(&self, id: OrderId) -> Result<Option<OrderRecord>, AdapterError> {
        let client = self.client().await?;
        let head = client
            .query_opt(
                "SELECT session_id, status, total_cents, created_at, customer_name, customer_email FROM orders WHERE id = $1",
                &[&id.0],
            )
            .await
            .map_err(db_error)?;
        let Some(r) = head else { return Ok(None) };
        let items = client
            .query("SELECT car_id, quantity, price_cents FROM order_items WHERE order_id = $1 ORDER BY car_id", &[&id.0])
            .await
            .map_err(db_error)?;
        Ok(Some(OrderRecord {
            id,
            session: SessionId::from_stored(&r.get::<_, String>(0))
                .unwrap_or_else(SessionId::new_random),
            status: status_of(&r, 1)?,
            total: Money::from_cents(r.get(2)),
            created_at: r.get::<_, DateTime<Utc>>(3),
            customer_name: r.get(4),
            customer_email: r.get(5),
            items: items.iter().map(priced_line).collect(),
        }))
    }

    async fn orders_of(&self, session: &SessionId) -> Result<Vec<OrderSummary>, AdapterError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT o.id, o.status, o.total_cents, o.created_at, COALESCE(SUM(i.quantity), 0)::INT
                 FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
                 WHERE o.session_id = $1 GROUP BY o.id ORDER BY o.id DESC LIMIT 100",
                &[&session.as_str()],
            )
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(OrderSummary {
                    id: OrderId(r.get(0)),
                    status: status_of(r, 1)?,
                    total: Money::from_cents(r.get(2)),
                    created_at: r.get(3),
                    item_count: r.get::<_, i32>(4) as u32,
                })
            })
            .collect()
    }

    async fn stats(&self) -> Result<OrderStats, AdapterError> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM orders),
                        (SELECT COUNT(*) FROM orders WHERE status = 'pending'),
                        (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL),
                        (SELECT EXTRACT(EPOCH FROM now() - MIN(created_at))::float8
                           FROM outbox WHERE sent_at IS NULL)",
                &[],
            )
            .await
            .map_err(db_error)?;
        let n = |i: usize| r.get::<_, i64>(i) as u64;
        Ok(OrderStats {
            count: n(0),
            pending: n(1),
            outbox_backlog: n(2),
            outbox_oldest_age_secs: r.get(3),
        })
    }
}

async fn idempotent_order(
    c: &impl GenericClient,
    session: &SessionId,
    key: &IdempotencyKey,
) -> Result<Option<OrderId>, AdapterError> {
    // Prepared once per connection: every checkout asks, and a plain query string would be
    // parsed and planned again on each (a round trip of its own).
    let lookup = c
        .prepare_cached("SELECT order_id FROM idempotency_keys WHERE session_id = $1 AND key = $2")
        .await
        .map_err(db_error)?;
    let row = c
        .query_opt(&lookup, &[&session.as_str(), &key.as_str()])
        .await
        .map_err(db_error)?;
    Ok(row.map(|r| OrderId(r.get(0))))
}

/// Order, items, outbox row and idempotency key, inside the caller's transaction.
async fn insert_order(
    tx: &impl GenericClient,
    order: &NewOrder,
) -> Result<OrderId, tokio_postgres::Error> {
    let id = insert_head(tx, order).await?;
    let item = tx
        .prepare_cached("INSERT INTO order_items (order_id, car_id, quantity, price_cents) VALUES ($1, $2, $3, $4)")
        .await?;
    for line in &order.lines {
        let quantity = line.quantity as i32;
        tx.execute(
            &item,
            &[&id.0, &line.car_id.0, &quantity, &line.unit_price.cents()],
        )
        .await?;
    }
    let payload =
        serde_json::to_string(&order.created_event(id)).expect("an order event always serialises");
    let outbox = tx
        .prepare_cached("INSERT INTO outbox (order_id, payload) VALUES ($1, $2)")
        .await?;
    tx.execute(&outbox, &[&id.0, &payload]).await?;
    if let Some(key) = &order.idempotency_key {
        let remember = tx
            .prepare_cached(
                "INSERT INTO idempotency_keys (session_id, key, order_id) VALUES ($1, $2, $3)",
            )
            .await?;
        tx.execute(&remember, &[&order.session.as_str(), &key.as_str(), &id.0])
            .await?;
    }
    Ok(id)
}

/// The order's own row, `pending`; its id.
async fn insert_head(
    tx: &impl GenericClient,
    order: &NewOrder,
) -> Result<OrderId, tokio_postgres::Error> {
    let total = order.total().cents();
    let head = tx
        .prepare_cached(
            "INSERT INTO orders (status, total, total_cents, customer_name, customer_email, session_id)
             VALUES ('pending', $1::BIGINT / 100.0, $1, $2, $3, $4) RETURNING id",
        )
        .await?;
    let (name, email) = (order.customer_name.as_str(), order.customer_email.as_str());
    let row = (tx.query_one(&head, &[&total, &name, &email, &order.session.as_str()])).await?;
    Ok(OrderId(row.get(0)))
}

fn priced_line(r: &Row) -> PricedLine {
    PricedLine {
        car_id: CarId(r.get(0)),
        quantity: r.get::<_, i32>(1) as u32,
        unit_price: Money::from_cents(r.get(2)),
    }
}

fn status_of(r: &Row, i: usize) -> Result<OrderStatus, AdapterError> {
    r.get::<_, String>(i).parse().map_err(AdapterError::Corrupt)
}
