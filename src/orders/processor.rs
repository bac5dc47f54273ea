use super::counts::{Handled, PipelineCounts};
use crate::adapter::AdapterError;
use crate::domain::{OrderCreated, OrderId, OrderStatus};
use crate::events::{EventBus, StoreEvent};
use crate::queue::{Delivery, OrderQueue, Settle};
use crate::store::Outbox;
use std::sync::Arc;
use std::time::Duration;

/// Deliveries of one message before it is dead-lettered.
pub const MAX_ATTEMPTS: u32 = 5;
/// Deliveries handled at once.
const HANDLERS: usize = 8;

/// Consumes order events and settles each order. Safe under redelivery: settling only moves a
/// `pending` order, so an event seen twice changes nothing the second time.
pub async fn run_processor(
    orders: Arc<dyn Outbox>,
    queue: Arc<dyn OrderQueue>,
    counts: Arc<PipelineCounts>,
    events: Arc<EventBus>,
) {
    // Orders are independent, so several are settled at once: the database round trip, not the
    // queue, limits one handler. The set aborts every handler when the processor is stopped.
    let mut handlers = tokio::task::JoinSet::new();
    for _ in 0..HANDLERS {
        handlers.spawn(handle_deliveries(
            orders.clone(),
            queue.clone(),
            counts.clone(),
            events.clone(),
        ));
    }
    while handlers.join_next().await.is_some() {}
}

async fn handle_deliveries(
    orders: Arc<dyn Outbox>,
    queue: Arc<dyn OrderQueue>,
    counts: Arc<PipelineCounts>,
    events: Arc<EventBus>,
) {
    loop {
        let delivery = match queue.receive().await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, "order queue unavailable, processor waiting");
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
        };
        let handled = handle(orders.as_ref(), &delivery, &events).await;
        if handled == Handled::Processed {
            counts.processed();
        }
        let outcome = match handled {
            Handled::Processed | Handled::Duplicate => Settle::Ack,
            Handled::Retried => {
                tokio::time::sleep(Duration::from_millis(200) * delivery.attempt).await;
                Settle::Retry
            }
            Handled::Postponed => {
                // The database is away: the event waits for it, however long that takes.
                tokio::time::sleep(Duration::from_millis(500)).await;
                Settle::Requeue
            }
            Handled::DeadLettered => Settle::DeadLetter,
        };
        match queue.settle(delivery, outcome).await {
            Ok(()) => counts.settled(handled),
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, "could not settle an order event; the queue will redeliver it")
            }
        }
    }
}

async fn handle(orders: &dyn Outbox, delivery: &Delivery, events: &EventBus) -> Handled {
    let Ok(event) = serde_json::from_str::<OrderCreated>(&delivery.body) else {
        tracing::error!(
            tag = delivery.tag,
            "unreadable order event, dead-lettering it"
        );
        return Handled::DeadLettered;
    };
    let id = OrderId(event.order_id);
    match orders.settle(id, OrderStatus::Processed).await {
        Ok(true) => {
            tracing::info!(order_id = id.0, "order processed");
            events.publish(StoreEvent::order(id, OrderStatus::Processed));
            Handled::Processed
        }
        Ok(false) => {
            tracing::debug!(order_id = id.0, "order already settled, event acknowledged");
            Handled::Duplicate
        }
        // An outage is not the event's fault: it must not use up the event's attempts, or a
        // long outage would dead-letter orders that only needed to wait.
        Err(AdapterError::Unavailable { .. }) => Handled::Postponed,
        Err(e) if delivery.attempt < MAX_ATTEMPTS => {
            tracing::warn!(order_id = id.0, attempt = delivery.attempt, error = %e, "order processing failed, will retry");
            Handled::Retried
        }
        Err(e) => give_up(orders, id, e, events).await,
    }
}

async fn give_up(orders: &dyn Outbox, id: OrderId, e: AdapterError, events: &EventBus) -> Handled {
    tracing::error!(order_id = id.0, attempts = MAX_ATTEMPTS, error = %e, "order processing failed for good, dead-lettering");
    match orders.settle(id, OrderStatus::Failed).await {
        Ok(true) => events.publish(StoreEvent::order(id, OrderStatus::Failed)),
        Ok(false) => {}
        Err(e) => tracing::warn!(order_id = id.0, error = %e, "could not mark the order failed"),
    }
    Handled::DeadLettered
}
