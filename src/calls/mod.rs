//! What stands between the store and an adapter. Each adapter the request paths use is wrapped
//! once, in a [`Gated`], whose [`Gate`] every call passes: a service's breaker, its faults on
//! purpose, or both in a chosen order (a pair of gates is a gate, the first outermost). The
//! gates know nothing of the adapters' traits and the traits' forwarding (in `stores.rs`,
//! `carts.rs`, `queue.rs`) knows nothing of breakers or faults; each call only says what kind of
//! call it is.

mod carts;
mod queue;
mod stores;

use crate::adapter::{AdapterError, Mode, Ping};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;

/// What a call is, for the gates to treat it as they must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// On a shopper's request path: refused at once while the service is known down.
    Request,
    /// Background work that waits and retries on its own (the outbox, a publish): never refused
    /// by a breaker, but failed by a fault as a real outage would fail it.
    Background,
    /// A health probe, or taking deliveries: slowed and failed by latency and outages, never by
    /// an error ratio (a flaky service still answers them) nor by a breaker.
    Probe,
    /// Finishing what was already begun (a checkout's claim, a delivery taken): never refused.
    Finish,
}

/// One thing every call to an adapter passes through.
pub trait Gate: Send + Sync + 'static {
    fn pass<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> impl Future<Output = Result<T, AdapterError>> + Send + 'a;
}

/// Two gates: the first outside, the second inside, nearest the adapter.
impl<Outer: Gate, Inner: Gate> Gate for (Outer, Inner) {
    fn pass<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send + 'a,
    ) -> impl Future<Output = Result<T, AdapterError>> + Send + 'a {
        self.0.pass(call, self.1.pass(call, work))
    }
}

/// An adapter behind a gate. It implements each adapter trait its adapter does, passing every
/// call through the gate.
pub struct Gated<A: ?Sized, G> {
    adapter: Arc<A>,
    gate: G,
}

impl<A: ?Sized, G: Gate> Gated<A, G> {
    pub fn new(adapter: Arc<A>, gate: G) -> Arc<Gated<A, G>> {
        Arc::new(Gated { adapter, gate })
    }

    async fn pass<T: Send>(
        &self,
        call: Call,
        work: impl Future<Output = Result<T, AdapterError>> + Send,
    ) -> Result<T, AdapterError> {
        self.gate.pass(call, work).await
    }
}

#[async_trait]
impl<A: Ping + ?Sized, G: Gate> Ping for Gated<A, G> {
    fn mode(&self) -> Mode {
        self.adapter.mode()
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        self.pass(Call::Probe, self.adapter.ping()).await
    }

    fn when_connection_lost(&self, lost: Arc<dyn Fn() + Send + Sync>) {
        self.adapter.when_connection_lost(lost)
    }
}
