//! The shared catalog cache and the shoppers' carts: Redis in the full stack, embedded otherwise.

mod memory;
mod redis;
mod sessions;
mod sqlite;
mod sqlite_sessions;

pub use memory::MemoryCatalogCache;
pub use redis::RedisCache;
pub(crate) use redis::{builder as redis_builder, fail_fast as redis_fail_fast};
pub use sessions::{
    FailureCounts, Failures, NewSession, SessionInfo, SessionStore, Sessions, SharedKeys,
};
pub use sqlite::SqliteCarts;

use crate::adapter::{AdapterError, Ping};
use crate::domain::{Car, CarId, Quantity, SessionId};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

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

/// A claim older than this belongs to a checkout that will not finish: far longer than writing
/// an order takes (its waits for the database are bounded by seconds). The next checkout finds
/// it stale and ends it for its holder ([`Claimed::Stale`]), settling it if its order was
/// written. Until then a claim stays, as long as its cart: it is what says which lines an
/// order written by a process killed before settling has bought.
pub const CLAIM_STALE: Duration = Duration::from_secs(30);

/// What a checkout found when it claimed the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The cart's lines, now held for this checkout. `resumed`: this checkout's name already
    /// held them, so it is a retry of a try that did not finish (or has not yet).
    Lines {
        lines: Vec<CartLine>,
        resumed: bool,
    },
    Empty,
    /// Another checkout holds the cart right now.
    HeldByAnother,
    /// Another checkout, named `claim`, held the cart longer than [`CLAIM_STALE`]: its process
    /// stopped. Settle it (its order was written) or release it, then claim again.
    Stale {
        claim: String,
    },
}

/// A checkout's hold on a cart, where the cart store keeps holds itself (the embedded one).
#[derive(Debug)]
pub struct Hold {
    pub claim: String,
    pub lines: Vec<CartLine>,
    pub since: std::time::Instant,
}

/// Holds by session.
pub type HeldCarts = std::collections::HashMap<String, Hold>;

/// Carts keyed by session. Every change is atomic in the store itself, so parallel requests on
/// one session never lose an update.
/// Carts as the store uses them: their lines, and the checkouts holding them.
pub trait CartStore: CartLines + CartClaims + Ping {}

impl<T: CartLines + CartClaims + Ping> CartStore for T {}

#[async_trait]
pub trait CartLines: Send + Sync {
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
    /// Moves every line of `from` into `into`, adding quantities, a line at most `max`, and
    /// empties `from`: a guest's cart joining their account's at sign-in. One atomic step.
    async fn merge(&self, from: &SessionId, into: &SessionId, max: u32)
        -> Result<(), AdapterError>;
}

#[async_trait]
pub trait CartClaims: Send + Sync {
    /// Holds the cart for one checkout, named `claim` (its idempotency key, or a random id),
    /// until it is settled or released. The lines stay in the cart until [`CartStore::settle`]: a
    /// process killed between the claim and the order loses nothing, and a retry with the same
    /// name resumes the claim with the same lines. Another checkout is told the cart is held,
    /// so a cart is bought at most once however many checkouts race for it.
    async fn claim(&self, session: &SessionId, claim: &str) -> Result<Claimed, AdapterError>;
    /// The order is written: takes the claimed lines out of the cart (whatever the shopper
    /// added since stays) and ends the claim. Only the first settle of a claim does anything.
    async fn settle(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError>;
    /// No order was written: ends the claim and leaves the cart as it is.
    async fn release(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError>;
}
