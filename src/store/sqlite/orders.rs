use super::{now_text, SqliteDb};
use crate::adapter::{AdapterError, EventSink, Mode, Ping};
use crate::domain::{CarId, IdempotencyKey, Money, OrderId, OrderStatus, SessionId};
use crate::store::{
    confirmed, NewOrder, OrderRecord, OrderStats, OrderSummary, Outbox, PlaceOrders, Placed,
    PricedLine, ReadOrders,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

#[async_trait]
impl Ping for SqliteDb {
    fn mode(&self) -> Mode {
        Mode::Embedded
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }
}

#[async_trait]
impl PlaceOrders for SqliteDb {
    async fn place(&self, order: &NewOrder) -> Result<Placed, AdapterError> {
        let order = order.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            if let Some(key) = &order.idempotency_key {
                if let Some(id) = idempotent_order(&tx, &order.session, key)? {
                    return Ok(Placed::Existing(id));
                }
            }
            let id = insert_order(&tx, &order)?;
            tx.commit()?;
            Ok(Placed::New(id))
        })
        .await
    }

    async fn find_by_idempotency_key(
        &self,
        session: &SessionId,
        key: &IdempotencyKey,
    ) -> Result<Option<OrderId>, AdapterError> {
        let (session, key) = (session.clone(), key.clone());
        self.run(move |c| idempotent_order(c, &session, &key)).await
    }
}

#[async_trait]
impl ReadOrders for SqliteDb {
    async fn order(&self, id: OrderId) -> Result<Option<OrderRecord>, AdapterError> {
        self.run(move |c| read_order(c, id)).await
    }

    async fn orders_of(&self, session: &SessionId) -> Result<Vec<OrderSummary>, AdapterError> {
        let session = session.as_str().to_owned();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT o.id, o.status, o.total_cents, o.created_at, COALESCE(SUM(i.quantity), 0)
                 FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
                 WHERE o.session_id = ?1 GROUP BY o.id ORDER BY o.id DESC LIMIT 100",
            )?;
            let rows = stmt.query_map([session], |r| {
                Ok(OrderSummary {
                    id: OrderId(r.get(0)?),
                    status: status_at(r, 1)?,
                    total: Money::from_cents(r.get(2)?),
                    created_at: time_at(r, 3)?,
                    item_count: r.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn stats(&self) -> Result<OrderStats, AdapterError> {
        self.run(|c| {
            c.query_row(
                "SELECT (SELECT COUNT(*) FROM orders),
                        (SELECT COUNT(*) FROM orders WHERE status = 'pending'),
                        (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL),
                        (SELECT (julianday('now') - julianday(MIN(created_at))) * 86400.0
                           FROM outbox WHERE sent_at IS NULL)",
                [],
                |r| {
                    Ok(OrderStats {
                        count: r.get(0)?,
                        pending: r.get(1)?,
                        outbox_backlog: r.get(2)?,
                        outbox_oldest_age_secs: r.get(3)?,
                    })
                },
            )
        })
        .await
    }
}

#[async_trait]
impl Outbox for SqliteDb {
    async fn settle_all(
        &self,
        ids: &[OrderId],
        status: OrderStatus,
    ) -> Result<Vec<OrderId>, AdapterError> {
        let ids = id_list(ids.iter().map(|id| id.0));
        self.run(move |c| {
            let mut settle = c.prepare_cached(
                "UPDATE orders SET status = ?1, settled_at = ?2
                 WHERE id IN (SELECT value FROM json_each(?3)) AND status = 'pending' RETURNING id",
            )?;
            let moved = settle.query_map(params![status.as_str(), now_text(), ids], |r| {
                Ok(OrderId(r.get(0)?))
            })?;
            moved.collect()
        })
        .await
    }

    async fn requeue_unsettled(&self) -> Result<usize, AdapterError> {
        self.run(|c| {
            c.execute(
                "UPDATE outbox SET sent_at = NULL
                 WHERE sent_at IS NOT NULL AND order_id IN (SELECT id FROM orders WHERE status = 'pending')",
                [],
            )
        })
        .await
    }

    async fn relay_outbox(&self, limit: u32, sink: &dyn EventSink) -> Result<usize, AdapterError> {
        // One process owns the embedded file, so reading the rows is claim enough.
        let rows: Vec<(i64, String)> = self
            .run(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
                )?;
                let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect()
            })
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let bodies: Vec<&str> = rows.iter().map(|(_, payload)| payload.as_str()).collect();
        let answers = sink.publish_all(&bodies).await;
        let (sent, failure) = confirmed(rows.iter().map(|(id, _)| *id), answers);
        let count = sent.len();
        if count > 0 {
            let sent = id_list(sent);
            self.run(move |c| {
                c.execute(
                    "UPDATE outbox SET sent_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))",
                    params![now_text(), sent],
                )
            })
            .await?;
        }
        failure.map_or(Ok(count), Err)
    }
}

/// Ids as a JSON array, which one statement reads with `json_each`.
fn id_list(ids: impl IntoIterator<Item = i64>) -> String {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    format!("[{}]", ids.join(","))
}

fn idempotent_order(
    c: &Connection,
    session: &SessionId,
    key: &IdempotencyKey,
) -> rusqlite::Result<Option<OrderId>> {
    c.query_row(
        "SELECT order_id FROM idempotency_keys WHERE session_id = ?1 AND key = ?2",
        params![session.as_str(), key.as_str()],
        |r| Ok(OrderId(r.get(0)?)),
    )
    .optional()
}

/// Order, items, outbox row and idempotency key: all or nothing, inside the caller's transaction.
fn insert_order(tx: &Transaction, order: &NewOrder) -> rusqlite::Result<OrderId> {
    let now = now_text();
    tx.execute(
        "INSERT INTO orders (created_at, status, total_cents, customer_name, customer_email, session_id)
         VALUES (?1, 'pending', ?2, ?3, ?4, ?5)",
        params![now, order.total().cents(), order.customer_name.as_str(), order.customer_email.as_str(), order.session.as_str()],
    )?;
    let id = OrderId(tx.last_insert_rowid());
    let mut item = tx.prepare_cached(
        "INSERT INTO order_items (order_id, car_id, quantity, price_cents) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for line in &order.lines {
        item.execute(params![
            id.0,
            line.car_id.0,
            line.quantity,
            line.unit_price.cents()
        ])?;
    }
    let payload =
        serde_json::to_string(&order.created_event(id)).expect("an order event always serialises");
    tx.execute(
        "INSERT INTO outbox (order_id, payload, created_at) VALUES (?1, ?2, ?3)",
        params![id.0, payload, now],
    )?;
    if let Some(key) = &order.idempotency_key {
        tx.execute(
            "INSERT INTO idempotency_keys (session_id, key, order_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![order.session.as_str(), key.as_str(), id.0, now],
        )?;
    }
    Ok(id)
}

fn read_order(c: &Connection, id: OrderId) -> rusqlite::Result<Option<OrderRecord>> {
    let head = c
        .query_row(
            "SELECT session_id, status, total_cents, created_at, customer_name, customer_email FROM orders WHERE id = ?1",
            [id.0],
            |r| {
                Ok(OrderRecord {
                    id,
                    session: SessionId::from_stored(&r.get::<_, String>(0)?).unwrap_or_else(SessionId::new_random),
                    status: status_at(r, 1)?,
                    total: Money::from_cents(r.get(2)?),
                    created_at: time_at(r, 3)?,
                    customer_name: r.get(4)?,
                    customer_email: r.get(5)?,
                    items: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut order) = head else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT car_id, quantity, price_cents FROM order_items WHERE order_id = ?1 ORDER BY car_id",
    )?;
    order.items = stmt
        .query_map([id.0], |r| {
            Ok(PricedLine {
                car_id: CarId(r.get(0)?),
                quantity: r.get(1)?,
                unit_price: Money::from_cents(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(order))
}

fn status_at(r: &Row, i: usize) -> rusqlite::Result<OrderStatus> {
    let s: String = r.get(i)?;
    s.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn time_at(r: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
        })
}
