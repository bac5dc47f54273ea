//! Order events between the outbox relay and the order processor: RabbitMQ in the full stack,
//! an in-process queue otherwise.

mod in_process;
mod rabbitmq;

pub use in_process::InProcessQueue;
pub use rabbitmq::RabbitQueue;

use crate::adapter::{AdapterError, EventSink, Ping};
pub use crate::config::QueueNames;
use async_trait::async_trait;

/// A message handed to a consumer, to be settled exactly once.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub tag: u64,
    pub body: String,
    /// 1 on first delivery, one more for every retry.
    pub attempt: u32,
    /// Which link (connection generation) it came on: a delivery can only be settled there.
    pub link_generation: u64,
}

/// What the consumer decided about a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Handled (or nothing left to do): remove it.
    Ack,
    /// Failed for a reason of its own that may pass: deliver it again, one attempt used.
    Retry,
    /// Not handled because a dependency is down: deliver it again, no attempt used.
    Requeue,
    /// Failed for good: move it to the dead-letter queue.
    DeadLetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueDepth {
    pub messages: u64,
    pub consumers: u32,
    pub dead_lettered: u64,
}

#[async_trait]
pub trait OrderQueue: EventSink + Ping {
    /// The queue order events travel through, and its dead-letter queue.
    fn names(&self) -> &QueueNames;
    /// Waits for the next message, then takes the others already there, up to `max` in all:
    /// never waits for a batch to fill.
    async fn receive_ready(&self, max: usize) -> Result<Vec<Delivery>, AdapterError>;
    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError>;
    /// Acknowledges handled deliveries together (one acknowledgement where the queue allows).
    async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError>;
    async fn depth(&self) -> Result<QueueDepth, AdapterError>;
}
