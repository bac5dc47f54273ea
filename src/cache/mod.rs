//! The shared catalog cache and the shoppers' carts: Redis in the full stack, embedded otherwise.

mod memory;
mod redis;
mod sqlite;

pub use memory::MemoryCatalogCache;
pub use redis::RedisCache;
pub(crate) use redis::{builder as redis_builder, fail_fast as redis_fail_fast};

use crate::adapter::{AdapterError, Ping};
use crate::domain::{Car, CarId, Quantity, SessionId};
use async_trait::async_trait;
use std::sync::Arc;

/// A shared copy of the catalog so most reads touch neither the database nor the network.
#[async_trait]
pub trait CatalogCache: Send + Sync {
    /// `Ok(None)` on a miss (never filled, or expired).
    async fn get(&self) -> Result<Option<Arc<[Car]>>, AdapterError>;
    async fn put(&self, cars: Arc<[Car]>) -> Result<(), AdapterError>;
}

/// One line of a cart as stored: which car and how many. Prices are looked up when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLine {
    pub car_id: CarId,
    pub quantity: u32,
}

/// What happened to an "add to cart".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartAdd {
    Added,
    /// The line would go above the per-line limit; the cart is unchanged.
    LineFull {
        current: u32,
    },
}

/// Carts keyed by session. Every change is atomic in the store itself, so parallel requests on
/// one session never lose an update.
#[async_trait]
pub trait CartStore: Ping {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError>;
    /// Raises the line by `quantity`, unless that would take it above `max`.
    async fn add(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: Quantity,
        max: u32,
    ) -> Result<CartAdd, AdapterError>;
    /// Sets the line to exactly `quantity`; 0 removes it.
    async fn set(&self, session: &SessionId, car: CarId, quantity: u32)
        -> Result<(), AdapterError>;
    async fn clear(&self, session: &SessionId) -> Result<(), AdapterError>;
    /// Empties the cart and returns what it held, in one step, so a cart is bought at most once
    /// however many checkouts race for it.
    async fn take(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError>;
    /// Puts back lines taken by a checkout that could not complete, adding to anything the
    /// shopper put in the cart meanwhile.
    async fn restore(&self, session: &SessionId, lines: &[CartLine]) -> Result<(), AdapterError>;
}
