//! The order database's side passed through a gate: orders, the catalog's source, the audit
//! log and accounts. The worker's outbox calls are background work: no breaker refuses them.

use super::{Call, Gate, Gated};
use crate::adapter::{AdapterError, EventSink};
use crate::domain::{AccountId, Car, IdempotencyKey, OrderId, OrderStatus, SessionId};
use crate::store::audit::AuditEntry;
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use crate::store::{AuditStore, CarSource, NewOrder, OrderRecord, OrderStats, OrderStore};
use crate::store::{OrderSummary, Outbox, PlaceOrders, Placed, PoolStatus, ReadOrders};
use async_trait::async_trait;

#[async_trait]
impl<G: Gate> PlaceOrders for Gated<dyn OrderStore, G> {
    async fn place(&self, order: &NewOrder) -> Result<Placed, AdapterError> {
        self.pass(Call::Request, self.adapter.place(order)).await
    }

    async fn find_by_idempotency_key(
        &self,
        session: &SessionId,
        key: &IdempotencyKey,
    ) -> Result<Option<OrderId>, AdapterError> {
        let find = self.adapter.find_by_idempotency_key(session, key);
        self.pass(Call::Request, find).await
    }
}

#[async_trait]
impl<G: Gate> ReadOrders for Gated<dyn OrderStore, G> {
    async fn order(&self, id: OrderId) -> Result<Option<OrderRecord>, AdapterError> {
        self.pass(Call::Request, self.adapter.order(id)).await
    }

    async fn orders_of(&self, session: &SessionId) -> Result<Vec<OrderSummary>, AdapterError> {
        self.pass(Call::Request, self.adapter.orders_of(session))
            .await
    }

    async fn stats(&self) -> Result<OrderStats, AdapterError> {
        self.pass(Call::Request, self.adapter.stats()).await
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        self.adapter.pool_status()
    }
}

#[async_trait]
impl<G: Gate> Outbox for Gated<dyn OrderStore, G> {
    async fn relay_outbox(&self, limit: u32, sink: &dyn EventSink) -> Result<usize, AdapterError> {
        self.pass(Call::Background, self.adapter.relay_outbox(limit, sink))
            .await
    }

    async fn requeue_unsettled(&self) -> Result<usize, AdapterError> {
        self.pass(Call::Background, self.adapter.requeue_unsettled())
            .await
    }

    async fn settle_all(
        &self,
        ids: &[OrderId],
        status: OrderStatus,
    ) -> Result<Vec<OrderId>, AdapterError> {
        self.pass(Call::Background, self.adapter.settle_all(ids, status))
            .await
    }
}

#[async_trait]
impl<G: Gate> CarSource for Gated<dyn CarSource, G> {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError> {
        self.pass(Call::Request, self.adapter.load_cars()).await
    }
}

#[async_trait]
impl<G: Gate> AuditStore for Gated<dyn AuditStore, G> {
    async fn record(&self, entries: &[AuditEntry]) -> Result<(), AdapterError> {
        self.pass(Call::Request, self.adapter.record(entries)).await
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, AdapterError> {
        self.pass(Call::Request, self.adapter.recent(limit)).await
    }
}

#[async_trait]
impl<G: Gate> AccountStore for Gated<dyn AccountStore, G> {
    async fn create(&self, account: &NewAccount<'_>) -> Result<Created, AdapterError> {
        self.pass(Call::Request, self.adapter.create(account)).await
    }

    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError> {
        self.pass(Call::Request, self.adapter.by_login(login)).await
    }

    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError> {
        self.pass(Call::Request, self.adapter.by_id(id)).await
    }

    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError> {
        self.pass(Call::Request, self.adapter.signed_in(id, guest))
            .await
    }
}
