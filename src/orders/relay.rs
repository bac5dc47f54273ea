use crate::adapter::Backoff;
use crate::queue::OrderQueue;
use crate::store::Outbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Most rows claimed, published and marked sent per round. Under load a round takes what
/// arrived during the one before, so batches grow with the load.
const BATCH: u32 = 100;
/// How often the relay looks at the outbox when nobody wakes it.
const IDLE_TICK: Duration = Duration::from_secs(1);
/// Longest wait between tries while the queue or the database is down.
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// Publishes outbox rows to the queue, oldest first, a batch at a time, marking a row sent only
/// after the queue confirmed it. While either side is down the rows simply wait; nothing is
/// dropped.
pub async fn run_relay(orders: Arc<dyn Outbox>, queue: Arc<dyn OrderQueue>, wake: Arc<Notify>) {
    let mut backoff = Backoff::new(Duration::from_millis(200), MAX_BACKOFF);
    loop {
        match orders.relay_outbox(BATCH, queue.as_ref()).await {
            Ok(0) => {
                backoff.reset();
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_TICK) => {}
                }
            }
            Ok(sent) => tracing::debug!(sent, "outbox rows published"),
            Err(e) => {
                tracing::warn!(service = e.service_name(), error = %e, retry_in_ms = backoff.next_wait().as_millis() as u64, "outbox relay paused");
                backoff.wait().await;
            }
        }
    }
}
