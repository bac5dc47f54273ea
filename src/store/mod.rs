//! Where orders live: their items, the outbox of events still to publish, and the idempotency
//! keys of checkouts. Postgres in the full stack, an embedded SQLite file otherwise. The audit
//! log lives there too (`audit`), so every replica shows the same history.

mod accounts;
pub mod audit;
pub mod postgres;
mod retention;
pub mod sqlite;

use crate::adapter::{AdapterError, EventSink, Ping};
use crate::domain::{
    Car, CarId, CustomerName, Email, IdempotencyKey, Money, OrderCreated, OrderCreatedItem,
    OrderId, OrderStatus, SessionId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use accounts::{AccountRecord, AccountStore, Created, NewAccount};
pub(crate) use audit::Subject;
pub use audit::{AuditStore, KEPT_PER_KIND};
pub use retention::{Prune, Table};

/// A cart line with the price the catalog gave it at checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedLine {
    pub car_id: CarId,
    pub quantity: u32,
    pub unit_price: Money,
}

/// Everything checkout hands the store to write in one transaction.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub session: SessionId,
    pub customer_name: CustomerName,
    pub customer_email: Email,
    pub lines: Vec<PricedLine>,
    pub idempotency_key: Option<IdempotencyKey>,
}

impl NewOrder {
    pub fn total(&self) -> Money {
        self.lines.iter().map(|l| l.unit_price * l.quantity).sum()
    }

    /// The outbox payload for this order once the database has given it an id.
    pub fn created_event(&self, id: OrderId) -> OrderCreated {
        OrderCreated {
            order_id: id.0,
            session_id: self.session.as_str().to_owned(),
            items: self
                .lines
                .iter()
                .map(|l| OrderCreatedItem {
                    car_id: l.car_id.0,
                    quantity: l.quantity,
                })
                .collect(),
            total: self.total().dollars(),
            customer_name: self.customer_name.as_str().to_owned(),
            customer_email: self.customer_email.as_str().to_owned(),
        }
    }
}

/// Whether `place` wrote a new order or found the one an earlier try with the same key wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    New(OrderId),
    Existing(OrderId),
}

/// An order as read back, with its items.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub id: OrderId,
    pub session: SessionId,
    pub status: OrderStatus,
    pub total: Money,
    pub created_at: DateTime<Utc>,
    pub customer_name: String,
    pub customer_email: String,
    pub items: Vec<PricedLine>,
}

/// One line of a shopper's order history.
#[derive(Debug, Clone)]
pub struct OrderSummary {
    pub id: OrderId,
    pub status: OrderStatus,
    pub total: Money,
    pub created_at: DateTime<Utc>,
    pub item_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OrderStats {
    pub count: u64,
    pub pending: u64,
    /// Outbox rows not yet confirmed by the queue.
    pub outbox_backlog: u64,
    /// How long the oldest of them has waited; `None` when there are none.
    pub outbox_oldest_age_secs: Option<f64>,
}

/// A connection pool's figures, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStatus {
    pub size: usize,
    pub in_use: usize,
    pub waiting: usize,
}

/// Checkout's part: write an order, or find the one an earlier try with the same key wrote.
/// Where the catalog is read from when the cache does not have it.
#[async_trait]
pub trait CarSource: Send + Sync {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError>;
}

#[async_trait]
pub trait PlaceOrders: Send + Sync {
    /// Writes the order, its items, its outbox row and its idempotency key in one transaction.
    async fn place(&self, order: &NewOrder) -> Result<Placed, AdapterError>;
    async fn find_by_idempotency_key(
        &self,
        session: &SessionId,
        key: &IdempotencyKey,
    ) -> Result<Option<OrderId>, AdapterError>;
}

/// The order pages' part, and the figures the status probe and the metrics show.
#[async_trait]
pub trait ReadOrders: Send + Sync {
    async fn order(&self, id: OrderId) -> Result<Option<OrderRecord>, AdapterError>;
    /// The session's orders, newest first.
    async fn orders_of(&self, session: &SessionId) -> Result<Vec<OrderSummary>, AdapterError>;
    async fn stats(&self) -> Result<OrderStats, AdapterError>;
    /// The connection pool's figures, where there is a pool.
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }
}

/// The order pipeline's part after checkout: the outbox the relay drains, and settling orders
/// as the processor handles their events.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Publishes up to `limit` of the oldest unsent outbox rows through `sink` all at once, then
    /// marks sent, in one statement, those `sink` confirmed; returns how many went out. A row
    /// not confirmed stays unsent for the next round. Rows are claimed so that several relays
    /// on one database never publish the same row.
    async fn relay_outbox(&self, limit: u32, sink: &dyn EventSink) -> Result<usize, AdapterError>;
    /// Marks the outbox rows of still-pending orders unsent again (see `app::requeue_lost_events`).
    async fn requeue_unsettled(&self) -> Result<usize, AdapterError>;
    /// Moves those of `ids` still `pending` to `status`, in one statement, and returns them: an
    /// order not returned was not pending (already handled), which makes redelivered events
    /// harmless.
    async fn settle_all(
        &self,
        ids: &[OrderId],
        status: OrderStatus,
    ) -> Result<Vec<OrderId>, AdapterError>;
}

/// Of the rows published (by id) with the sink's answers, the ones it confirmed, and the first
/// refusal among the others, to report.
pub(crate) fn confirmed(
    ids: impl IntoIterator<Item = i64>,
    answers: Vec<Result<(), AdapterError>>,
) -> (Vec<i64>, Option<AdapterError>) {
    let mut sent = Vec::with_capacity(answers.len());
    let mut failure = None;
    for (id, answer) in ids.into_iter().zip(answers) {
        match answer {
            Ok(()) => sent.push(id),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    (sent, failure)
}

/// The whole order store, as the app wires it; each part of the store asks only for the
/// capability it uses, so a fake implements only that.
pub trait OrderStore: PlaceOrders + ReadOrders + Outbox + Ping {}

impl<T: PlaceOrders + ReadOrders + Outbox + Ping> OrderStore for T {}
