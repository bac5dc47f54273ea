//! The adapters as the store's request paths see them: every call that needs a service goes
//! through that service's breaker first. The probes (`Ping`) and the order worker's outbox calls
//! go straight to the adapter: the probes must keep testing an open breaker's service, and the
//! worker already waits and retries on its own. The audit log's calls go through: its writer
//! also retries on its own, but refused at once it holds the entries instead of waiting out a
//! timeout on every try, and `GET /api/audit` answers from memory at once while the breaker is
//! open.
//!
//! The faults set on a service (`crate::faults`) are injected here as well, one wrapper for
//! every backend, so an embedded store and a real one break the same way.

mod accounts;

use super::Breaker;
use crate::adapter::{AdapterError, EventSink, Mode, Ping};
use crate::cache::{CartAdd, CartLine, CartStore, CatalogCache, Claimed};
use crate::cache::{CartClaims, CartLines};
use crate::domain::{Car, CarId, IdempotencyKey, OrderId, OrderStatus, Quantity, SessionId};
use crate::faults::Faults;
use crate::store::audit::AuditEntry;
use crate::store::CarSource;
use crate::store::{
    AuditStore, NewOrder, OrderRecord, OrderStats, OrderStore, OrderSummary, Outbox, PlaceOrders,
    Placed, PoolStatus, ReadOrders,
};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;

/// An adapter behind its service's breaker, with the faults set on its service.
pub struct Guarded<A: ?Sized> {
    adapter: Arc<A>,
    breaker: Arc<Breaker>,
    faults: Arc<Faults>,
}

impl<A: ?Sized> Guarded<A> {
    pub fn new(adapter: Arc<A>, breaker: Arc<Breaker>, faults: Arc<Faults>) -> Arc<Guarded<A>> {
        Arc::new(Guarded {
            adapter,
            breaker,
            faults,
        })
    }

    /// A call through the breaker. Added latency and a simulated outage sit INSIDE the breaker:
    /// it sees them as it sees a slow or absent service, opens after the same failures and
    /// refuses at once like in a real outage. The error ratio sits OUTSIDE: a share of failed
    /// calls is what the breaker is meant to ride out, and three unlucky calls in a row would
    /// open it and refuse everything for a while, so the drill would show far more failures
    /// than the share it was set to.
    async fn call<T>(
        &self,
        work: impl Future<Output = Result<T, AdapterError>>,
    ) -> Result<T, AdapterError> {
        let service = self.breaker.service();
        self.faults.fail_share(service)?;
        let faults = &self.faults;
        let faulted = async move {
            faults.before_call(service).await?;
            work.await
        };
        self.breaker.call(faulted).await
    }

    /// A call the breaker lets through whatever its state (the worker's outbox calls): the
    /// faults still apply, as a real outage would still fail it.
    async fn unguarded<T>(
        &self,
        work: impl Future<Output = Result<T, AdapterError>>,
    ) -> Result<T, AdapterError> {
        let service = self.breaker.service();
        self.faults.fail_share(service)?;
        self.faults.before_call(service).await?;
        work.await
    }
}

#[async_trait]
impl<A: Ping + ?Sized> Ping for Guarded<A> {
    fn mode(&self) -> Mode {
        self.adapter.mode()
    }

    /// The health probes: slowed and failed by latency and outages (see `faults::FaultPing`).
    async fn ping(&self) -> Result<(), AdapterError> {
        self.faults.before_call(self.breaker.service()).await?;
        self.adapter.ping().await
    }

    fn when_connection_lost(&self, lost: Arc<dyn Fn() + Send + Sync>) {
        self.adapter.when_connection_lost(lost)
    }
}

#[async_trait]
impl CatalogCache for Guarded<dyn CatalogCache> {
    async fn get(&self) -> Result<Option<Arc<[Car]>>, AdapterError> {
        self.call(self.adapter.get()).await
    }

    async fn put(&self, cars: Arc<[Car]>) -> Result<(), AdapterError> {
        self.call(self.adapter.put(cars)).await
    }
}

#[async_trait]
impl CarSource for Guarded<dyn CarSource> {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError> {
        self.call(self.adapter.load_cars()).await
    }
}

#[async_trait]
impl CartLines for Guarded<dyn CartStore> {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        self.call(self.adapter.lines(session)).await
    }

    async fn add(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: Quantity,
        max: u32,
    ) -> Result<CartAdd, AdapterError> {
        let add = self.adapter.add(session, car, quantity, max);
        self.call(add).await
    }

    async fn set(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: u32,
    ) -> Result<(), AdapterError> {
        self.call(self.adapter.set(session, car, quantity)).await
    }

    async fn clear(&self, session: &SessionId) -> Result<(), AdapterError> {
        self.call(self.adapter.clear(session)).await
    }

    async fn merge(
        &self,
        from: &SessionId,
        into: &SessionId,
        max: u32,
    ) -> Result<(), AdapterError> {
        self.call(self.adapter.merge(from, into, max)).await
    }
}

#[async_trait]
impl CartClaims for Guarded<dyn CartStore> {
    async fn claim(&self, session: &SessionId, claim: &str) -> Result<Claimed, AdapterError> {
        self.call(self.adapter.claim(session, claim)).await
    }

    /// Ending a claim is never refused: an order is written (or not) and the cart must say so.
    async fn settle(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.adapter.settle(session, claim).await
    }

    async fn release(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        self.adapter.release(session, claim).await
    }
}

#[async_trait]
impl PlaceOrders for Guarded<dyn OrderStore> {
    async fn place(&self, order: &NewOrder) -> Result<Placed, AdapterError> {
        self.call(self.adapter.place(order)).await
    }

    async fn find_by_idempotency_key(
        &self,
        session: &SessionId,
        key: &IdempotencyKey,
    ) -> Result<Option<OrderId>, AdapterError> {
        let find = self.adapter.find_by_idempotency_key(session, key);
        self.call(find).await
    }
}

#[async_trait]
impl ReadOrders for Guarded<dyn OrderStore> {
    async fn order(&self, id: OrderId) -> Result<Option<OrderRecord>, AdapterError> {
        self.call(self.adapter.order(id)).await
    }

    async fn orders_of(&self, session: &SessionId) -> Result<Vec<OrderSummary>, AdapterError> {
        self.call(self.adapter.orders_of(session)).await
    }

    async fn stats(&self) -> Result<OrderStats, AdapterError> {
        self.call(self.adapter.stats()).await
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        self.adapter.pool_status()
    }
}

#[async_trait]
impl Outbox for Guarded<dyn OrderStore> {
    async fn relay_outbox(&self, limit: u32, sink: &dyn EventSink) -> Result<usize, AdapterError> {
        self.unguarded(self.adapter.relay_outbox(limit, sink)).await
    }

    async fn requeue_unsettled(&self) -> Result<usize, AdapterError> {
        self.unguarded(self.adapter.requeue_unsettled()).await
    }

    async fn settle_all(
        &self,
        ids: &[OrderId],
        status: OrderStatus,
    ) -> Result<Vec<OrderId>, AdapterError> {
        self.unguarded(self.adapter.settle_all(ids, status)).await
    }
}

#[async_trait]
impl AuditStore for Guarded<dyn AuditStore> {
    async fn record(&self, entries: &[AuditEntry]) -> Result<(), AdapterError> {
        self.call(self.adapter.record(entries)).await
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, AdapterError> {
        self.call(self.adapter.recent(limit)).await
    }
}
