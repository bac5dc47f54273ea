//! The cart service's side passed through a gate: carts, the catalog cache and signed-in
//! sessions. Ending a checkout's claim is never refused: an order is written (or not) and the
//! cart must say so.

use super::{Call, Gate, Gated};
use crate::adapter::AdapterError;
use crate::cache::SharedKeys;
use crate::cache::{CartAdd, CartClaims, CartLine, CartLines, CartStore, CatalogCache, Claimed};
use crate::cache::{FailureCounts, Failures, NewSession, SessionInfo, SessionStore, Sessions};
use crate::domain::{AccountId, Car, CarId, Quantity, SessionId};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

#[async_trait]
impl<G: Gate> CatalogCache for Gated<dyn CatalogCache, G> {
    async fn get(&self) -> Result<Option<Arc<[Car]>>, AdapterError> {
        self.pass(Call::Request, self.adapter.get()).await
    }

    async fn put(&self, cars: Arc<[Car]>) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.put(cars)).await
    }
}

#[async_trait]
impl<G: Gate> CartLines for Gated<dyn CartStore, G> {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        self.pass(Call::Request, self.adapter.lines(session)).await
    }

    async fn add(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: Quantity,
        max: u32,
    ) -> Result<CartAdd, AdapterError> {
        let add = self.adapter.add(session, car, quantity, max);
        self.pass(Call::Request, add).await
    }

    async fn set(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: u32,
    ) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.set(session, car, quantity))
            .await
    }

    async fn clear(&self, session: &SessionId) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.clear(session)).await
    }

    async fn merge(
        &self,
        from: &SessionId,
        into: &SessionId,
        max: u32,
    ) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.merge(from, into, max))
            .await
    }
}

#[async_trait]
impl<G: Gate> CartClaims for Gated<dyn CartStore, G> {
    async fn claim(&self, session: &SessionId, claim: &str) -> Result<Claimed, AdapterError> {
        self.pass(Call::Request, self.adapter.claim(session, claim))
            .await
    }

    /// Ending a claim is never refused: an order is written (or not) and the cart must say so.
    async fn settle(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.pass(Call::Finish, self.adapter.settle(session, claim))
            .await
    }

    async fn release(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.pass(Call::Finish, self.adapter.release(session, claim))
            .await
    }
}

#[async_trait]
impl<G: Gate> Sessions for Gated<dyn SessionStore, G> {
    async fn open(&self, session: &NewSession<'_>) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.open(session)).await
    }

    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError> {
        self.pass(Call::Request, self.adapter.account_of(digest))
            .await
    }

    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError> {
        self.pass(Call::Request, self.adapter.sessions_of(account))
            .await
    }

    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError> {
        self.pass(Call::Request, self.adapter.end(account, digest))
            .await
    }

    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError> {
        self.pass(Call::Request, self.adapter.end_all(account))
            .await
    }

    async fn signed_in(&self) -> Result<u64, AdapterError> {
        self.pass(Call::Request, self.adapter.signed_in()).await
    }
}

#[async_trait]
impl<G: Gate> FailureCounts for Gated<dyn SessionStore, G> {
    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        let count = self.adapter.count_failure(keys, window);
        self.pass(Call::Request, count).await
    }

    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.forget_failures(key))
            .await
    }

    async fn take_back_failure(&self, key: &str) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.take_back_failure(key))
            .await
    }
}

#[async_trait]
impl<G: Gate> SharedKeys for Gated<dyn SessionStore, G> {
    async fn shared_secret(&self, name: &str, fresh: &str) -> Result<String, AdapterError> {
        self.pass(Call::Request, self.adapter.shared_secret(name, fresh))
            .await
    }

    async fn mark(&self, name: &str, ttl: Duration) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.mark(name, ttl)).await
    }

    async fn is_marked(&self, name: &str) -> Result<bool, AdapterError> {
        self.pass(Call::Request, self.adapter.is_marked(name)).await
    }
}
