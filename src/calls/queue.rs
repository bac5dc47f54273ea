//! The order queue passed through a gate: what the outbox relay publishes and what the
//! processor takes. Settling a delivery already taken is finishing it: never refused.

use super::{Call, Gate, Gated};
use crate::adapter::{AdapterError, EventSink};
use crate::queue::{Delivery, OrderQueue, QueueDepth, QueueNames, Settle};
use async_trait::async_trait;

#[async_trait]
impl<G: Gate> EventSink for Gated<dyn OrderQueue, G> {
    /// A refused publish leaves the rows in the outbox, exactly as a broker that is away does.
    async fn publish_all(&self, bodies: &[&str]) -> Vec<Result<(), AdapterError>> {
        match self.pass(Call::Background, async { Ok(()) }).await {
            Ok(()) => self.adapter.publish_all(bodies).await,
            Err(refused) => bodies.iter().map(|_| Err(refused.clone())).collect(),
        }
    }
}

#[async_trait]
impl<G: Gate> OrderQueue for Gated<dyn OrderQueue, G> {
    fn names(&self) -> &QueueNames {
        self.adapter.names()
    }

    /// Refused before anything is taken, so no delivery is held by a call that failed.
    async fn receive_ready(&self, max: usize) -> Result<Vec<Delivery>, AdapterError> {
        self.pass(Call::Probe, self.adapter.receive_ready(max))
            .await
    }

    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError> {
        self.pass(Call::Finish, self.adapter.settle(delivery, outcome))
            .await
    }

    async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError> {
        self.pass(Call::Finish, self.adapter.ack_all(deliveries))
            .await
    }

    async fn depth(&self) -> Result<QueueDepth, AdapterError> {
        self.pass(Call::Request, self.adapter.depth()).await
    }
}
