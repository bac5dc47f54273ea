use super::{Delivery, OrderQueue, QueueDepth, QueueNames, Settle};
use crate::adapter::{AdapterError, EventSink, Mode, Ping};
use async_trait::async_trait;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::Notify;

/// The embedded queue: a FIFO in memory. It is not durable — the embedded store puts events of
/// still-pending orders back into the outbox at start (see `OrderStore::requeue_unsettled`, called at start).
pub struct InProcessQueue {
    names: QueueNames,
    state: Mutex<State>,
    arrived: Notify,
}

#[derive(Default)]
struct State {
    ready: VecDeque<Delivery>,
    next_tag: u64,
    /// Receivers blocked in `receive` and deliveries handed out and not yet settled: while
    /// either is above zero a processor is consuming.
    waiting: u32,
    in_flight: u32,
    dead_letters: VecDeque<Delivery>,
}

/// Dead letters kept for inspection; older ones are dropped.
const DEAD_LETTER_CAP: usize = 1000;

impl InProcessQueue {
    pub fn new(names: QueueNames) -> Self {
        InProcessQueue {
            names,
            state: Mutex::default(),
            arrived: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn enqueue(&self, body: String, attempt: u32) {
        let mut s = self.lock();
        s.next_tag += 1;
        let tag = s.next_tag;
        s.ready.push_back(Delivery {
            tag,
            body,
            attempt,
            link_generation: 0,
        });
        drop(s);
        self.arrived.notify_one();
    }
}

#[async_trait]
impl EventSink for InProcessQueue {
    async fn publish(&self, body: &str) -> Result<(), AdapterError> {
        self.enqueue(body.to_owned(), 1);
        Ok(())
    }
}

/// Nothing to reach: it answers whenever carstore does.
#[async_trait]
impl Ping for InProcessQueue {
    fn mode(&self) -> Mode {
        Mode::Embedded
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        Ok(())
    }
}

#[async_trait]
impl OrderQueue for InProcessQueue {
    fn names(&self) -> &QueueNames {
        &self.names
    }

    async fn receive(&self) -> Result<Delivery, AdapterError> {
        self.lock().waiting += 1;
        loop {
            let notified = self.arrived.notified();
            {
                let mut s = self.lock();
                if let Some(d) = s.ready.pop_front() {
                    s.waiting -= 1;
                    s.in_flight += 1;
                    return Ok(d);
                }
            }
            notified.await;
        }
    }

    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError> {
        self.lock().in_flight -= 1;
        match outcome {
            Settle::Ack => {}
            Settle::Retry => self.enqueue(delivery.body, delivery.attempt + 1),
            Settle::Requeue => self.enqueue(delivery.body, delivery.attempt),
            Settle::DeadLetter => {
                let mut s = self.lock();
                if s.dead_letters.len() == DEAD_LETTER_CAP {
                    s.dead_letters.pop_front();
                }
                s.dead_letters.push_back(delivery);
            }
        }
        Ok(())
    }

    async fn depth(&self) -> Result<QueueDepth, AdapterError> {
        let s = self.lock();
        Ok(QueueDepth {
            messages: s.ready.len() as u64,
            // One processor, however many deliveries it handles at once.
            consumers: u32::from(s.waiting + s.in_flight > 0),
            dead_lettered: s.dead_letters.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_come_out_in_order_and_retries_count_attempts() {
        let q = InProcessQueue::new(QueueNames::new("orders"));
        q.publish("a").await.unwrap();
        q.publish("b").await.unwrap();
        let a = q.receive().await.unwrap();
        assert_eq!((a.body.as_str(), a.attempt), ("a", 1));
        q.settle(a, Settle::Retry).await.unwrap();
        let b = q.receive().await.unwrap();
        assert_eq!(b.body, "b");
        q.settle(b, Settle::Ack).await.unwrap();
        let again = q.receive().await.unwrap();
        assert_eq!((again.body.as_str(), again.attempt), ("a", 2));
        q.settle(again, Settle::DeadLetter).await.unwrap();
        assert_eq!(
            q.depth().await.unwrap(),
            QueueDepth {
                messages: 0,
                consumers: 0,
                dead_lettered: 1
            }
        );
    }

    #[tokio::test]
    async fn a_waiting_consumer_wakes_on_publish() {
        let q = std::sync::Arc::new(InProcessQueue::new(QueueNames::new("orders")));
        let consumer = tokio::spawn({
            let q = q.clone();
            async move { q.receive().await.unwrap().body }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(q.depth().await.unwrap().consumers, 1);
        q.publish("late").await.unwrap();
        assert_eq!(consumer.await.unwrap(), "late");
    }
}
