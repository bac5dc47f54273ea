use super::counts::{Handled, PipelineCounts};
use crate::adapter::AdapterError;
use crate::domain::{OrderCreated, OrderId, OrderStatus};
use crate::events::{EventBus, StoreEvent};
use crate::faults::Faults;
use crate::queue::{Delivery, OrderQueue, Settle};
use crate::store::Outbox;
use poison::{Poison, POISONED};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Deliveries of one message before it is dead-lettered.
pub const MAX_ATTEMPTS: u32 = 5;
/// Most deliveries settled together: one statement marks their orders, one acknowledgement
/// (where the queue allows) removes them.
const BATCH: usize = 64;
/// Batches in progress at once: while one waits for the database, the next gathers what
/// arrived meanwhile. The broker's prefetch leaves room for both.
const SETTLERS: usize = 2;
/// How long an event waits before it is handed back while the database is down.
const POSTPONE_PAUSE: Duration = Duration::from_millis(500);

mod poison;

/// Consumes order events and settles their orders, a batch at a time. Safe under redelivery:
/// settling only moves a `pending` order, so an event seen twice changes nothing the second time.
pub async fn run_processor(
    orders: Arc<dyn Outbox>,
    queue: Arc<dyn OrderQueue>,
    counts: Arc<PipelineCounts>,
    events: Arc<EventBus>,
    faults: Arc<Faults>,
) {
    let pipeline = Arc::new(Pipeline {
        orders,
        queue,
        counts,
        events,
        poison: Poison::new(faults),
    });
    // The set aborts every settler when the processor is stopped.
    let mut settlers = tokio::task::JoinSet::new();
    for _ in 0..SETTLERS {
        let pipeline = pipeline.clone();
        settlers.spawn(async move { pipeline.settle_batches().await });
    }
    while settlers.join_next().await.is_some() {}
}

/// What settling touches.
struct Pipeline {
    orders: Arc<dyn Outbox>,
    queue: Arc<dyn OrderQueue>,
    counts: Arc<PipelineCounts>,
    events: Arc<EventBus>,
    /// The processor's faults: slow handling and poison events.
    poison: Poison,
}

/// A delivery whose event names an order.
type Readable = (Delivery, OrderId);

impl Pipeline {
    async fn settle_batches(&self) {
        loop {
            match self.queue.receive_ready(BATCH).await {
                Ok(batch) => {
                    self.poison.slow_down(batch.len()).await;
                    self.settle_batch(batch).await
                }
                Err(e) => {
                    tracing::warn!(service = e.service_name(), error = %e, "order queue unavailable, processor waiting");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }

    /// Unreadable events are dead-lettered; the orders of the others are settled in one
    /// statement and their deliveries acknowledged together.
    async fn settle_batch(&self, batch: Vec<Delivery>) {
        let mut readable = Vec::with_capacity(batch.len());
        for delivery in batch {
            match order_of(&delivery) {
                Some(id) => readable.push((delivery, id)),
                None => self.finish(delivery, Handled::DeadLettered).await,
            }
        }
        let (poisoned, readable) = self.poison.sort_out(readable);
        if !poisoned.is_empty() {
            self.settle_one_by_one(poisoned).await;
        }
        if readable.is_empty() {
            return;
        }
        let ids: Vec<OrderId> = readable.iter().map(|(_, id)| *id).collect();
        match self.orders.settle_all(&ids, OrderStatus::Processed).await {
            Ok(moved) => {
                let handled = self.sort_out(readable, moved);
                self.ack(handled).await;
            }
            // An outage is not the events' fault: it must not use up their attempts, or a long
            // outage would dead-letter orders that only needed to wait.
            Err(AdapterError::Unavailable { .. }) => {
                tokio::time::sleep(POSTPONE_PAUSE).await;
                for (delivery, _) in readable {
                    self.finish(delivery, Handled::Postponed).await;
                }
            }
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, orders = ids.len(), "settling a batch failed, settling its orders one by one");
                self.settle_one_by_one(readable).await;
            }
        }
    }

    /// Each order the statement moved is processed, once even when two events of the batch
    /// name it; the other events are duplicates.
    fn sort_out(&self, readable: Vec<Readable>, moved: Vec<OrderId>) -> Vec<(Delivery, Handled)> {
        let mut moved: HashSet<OrderId> = moved.into_iter().collect();
        let handled = readable.into_iter().map(|(delivery, id)| {
            if moved.remove(&id) {
                self.processed(id);
                (delivery, Handled::Processed)
            } else {
                tracing::debug!(order_id = id.0, "order already settled, event acknowledged");
                (delivery, Handled::Duplicate)
            }
        });
        handled.collect()
    }

    /// Settled in the database: told at once, whatever happens to the acknowledgement.
    fn processed(&self, id: OrderId) {
        tracing::info!(order_id = id.0, "order processed");
        self.events
            .publish(StoreEvent::order(id, OrderStatus::Processed));
        self.counts.processed();
    }

    /// A statement that failed for a reason of its own: each order alone, so a poison event
    /// uses up its own attempts and not its neighbours'.
    async fn settle_one_by_one(&self, readable: Vec<Readable>) {
        let mut done = Vec::new();
        let mut again = Vec::new();
        for (delivery, id) in readable {
            match self.settle_alone(&delivery, id).await {
                handled @ (Handled::Processed | Handled::Duplicate) => {
                    done.push((delivery, handled))
                }
                Handled::DeadLettered => self.finish(delivery, Handled::DeadLettered).await,
                handled => again.push((delivery, handled)),
            }
        }
        self.ack(done).await;
        // One pause for all that go back, as long as the longest any of them needs.
        let pause = again.iter().map(|(d, h)| pause_before(d, *h)).max();
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
        for (delivery, handled) in again {
            self.finish(delivery, handled).await;
        }
    }

    async fn settle_alone(&self, delivery: &Delivery, id: OrderId) -> Handled {
        let settled = match self.poison.is_poisoned(id) {
            true => Err(AdapterError::Corrupt(POISONED.into())),
            false => self.orders.settle_all(&[id], OrderStatus::Processed).await,
        };
        match settled {
            Ok(moved) if moved.contains(&id) => {
                self.processed(id);
                Handled::Processed
            }
            Ok(_) => Handled::Duplicate,
            Err(AdapterError::Unavailable { .. }) => Handled::Postponed,
            Err(e) if delivery.attempt < MAX_ATTEMPTS => {
                tracing::warn!(order_id = id.0, attempt = delivery.attempt, error = %e, "order processing failed, will retry");
                Handled::Retried
            }
            Err(e) => self.give_up(id, e).await,
        }
    }

    async fn give_up(&self, id: OrderId, e: AdapterError) -> Handled {
        tracing::error!(order_id = id.0, attempts = MAX_ATTEMPTS, error = %e, "order processing failed for good, dead-lettering");
        match self.orders.settle_all(&[id], OrderStatus::Failed).await {
            Ok(moved) if moved.contains(&id) => self
                .events
                .publish(StoreEvent::order(id, OrderStatus::Failed)),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(order_id = id.0, error = %e, "could not mark the order failed")
            }
        }
        Handled::DeadLettered
    }

    /// Processed and duplicate deliveries, acknowledged together.
    async fn ack(&self, handled: Vec<(Delivery, Handled)>) {
        if handled.is_empty() {
            return;
        }
        let (deliveries, verdicts): (Vec<Delivery>, Vec<Handled>) = handled.into_iter().unzip();
        match self.queue.ack_all(&deliveries).await {
            Ok(()) => verdicts.into_iter().for_each(|h| self.counts.settled(h)),
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, events = deliveries.len(), "could not acknowledge order events; the queue will redeliver them")
            }
        }
    }

    /// Hands one delivery back to the queue with its verdict.
    async fn finish(&self, delivery: Delivery, handled: Handled) {
        let outcome = match handled {
            Handled::Processed | Handled::Duplicate => Settle::Ack,
            Handled::Retried => Settle::Retry,
            Handled::Postponed => Settle::Requeue,
            Handled::DeadLettered => Settle::DeadLetter,
        };
        match self.queue.settle(delivery, outcome).await {
            Ok(()) => self.counts.settled(handled),
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, "could not settle an order event; the queue will redeliver it")
            }
        }
    }
}

/// The order an event names; `None` (and an error logged) when it cannot be read.
fn order_of(delivery: &Delivery) -> Option<OrderId> {
    match serde_json::from_str::<OrderCreated>(&delivery.body) {
        Ok(event) => Some(OrderId(event.order_id)),
        Err(_) => {
            tracing::error!(
                tag = delivery.tag,
                "unreadable order event, dead-lettering it"
            );
            None
        }
    }
}

/// How long a delivery waits before it goes back: retries back off with each attempt, and an
/// event waiting for the database gives it a moment.
fn pause_before(delivery: &Delivery, handled: Handled) -> Duration {
    match handled {
        Handled::Retried => Duration::from_millis(200) * delivery.attempt,
        Handled::Postponed => POSTPONE_PAUSE,
        _ => Duration::ZERO,
    }
}
