//! The order queue with its faults: what the outbox relay publishes and what the processor
//! takes. Settling a delivery already taken is never faulted: that message is the store's to
//! finish, and failing its acknowledgement on purpose could only redeliver it, never teach more.

use super::Faults;
use crate::adapter::{AdapterError, EventSink, Mode, Ping};
use crate::queue::{Delivery, OrderQueue, QueueDepth, QueueNames, Settle};
use crate::service::Service;
use async_trait::async_trait;
use std::sync::Arc;

const QUEUE: Service = Service::Rabbit;

/// An order queue that breaks as its faults say, embedded or RabbitMQ alike.
pub struct FaultyQueue {
    queue: Arc<dyn OrderQueue>,
    faults: Arc<Faults>,
}

impl FaultyQueue {
    pub fn new(queue: Arc<dyn OrderQueue>, faults: Arc<Faults>) -> Arc<FaultyQueue> {
        Arc::new(FaultyQueue { queue, faults })
    }

    /// Latency, then an outage, then the error ratio: every fault the queue has.
    async fn faulted(&self) -> Result<(), AdapterError> {
        self.faults.before_call(QUEUE).await?;
        self.faults.fail_share(QUEUE)
    }
}

#[async_trait]
impl Ping for FaultyQueue {
    fn mode(&self) -> Mode {
        self.queue.mode()
    }

    /// Latency and outages only, like every service's ping (see `FaultPing`).
    async fn ping(&self) -> Result<(), AdapterError> {
        self.faults.before_call(QUEUE).await?;
        self.queue.ping().await
    }

    fn when_connection_lost(&self, lost: Arc<dyn Fn() + Send + Sync>) {
        self.queue.when_connection_lost(lost)
    }
}

#[async_trait]
impl EventSink for FaultyQueue {
    /// A refused publish leaves the rows in the outbox, exactly as a broker that is away does.
    async fn publish_all(&self, bodies: &[&str]) -> Vec<Result<(), AdapterError>> {
        if let Err(e) = self.faulted().await {
            let detail = match e {
                AdapterError::Unavailable { detail, .. } => detail,
                other => other.to_string(),
            };
            let refused = |_| Err(AdapterError::unavailable(QUEUE, &detail));
            return bodies.iter().map(refused).collect();
        }
        self.queue.publish_all(bodies).await
    }
}

#[async_trait]
impl OrderQueue for FaultyQueue {
    fn names(&self) -> &QueueNames {
        self.queue.names()
    }

    /// Refused before anything is taken, so no delivery is held by a call that failed.
    async fn receive_ready(&self, max: usize) -> Result<Vec<Delivery>, AdapterError> {
        self.faults.before_call(QUEUE).await?;
        self.queue.receive_ready(max).await
    }

    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError> {
        self.queue.settle(delivery, outcome).await
    }

    async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError> {
        self.queue.ack_all(deliveries).await
    }

    async fn depth(&self) -> Result<QueueDepth, AdapterError> {
        self.faulted().await?;
        self.queue.depth().await
    }
}
