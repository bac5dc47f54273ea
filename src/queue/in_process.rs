use super::{Delivery, OrderQueue, QueueDepth, QueueNames, Settle};
use crate::adapter::{AdapterError, EventSink, Mode, Ping};
use async_trait::async_trait;
use parking_lot::Mutex;
use std::collections::VecDeque;
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

    fn enqueue(&self, body: String, attempt: u32) {
        let mut s = self.state.lock();
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
    async fn publish_all(&self, bodies: &[&str]) -> Vec<Result<(), AdapterError>> {
        bodies
            .iter()
            .map(|body| {
                self.enqueue((*body).to_owned(), 1);
                Ok(())
            })
            .collect()
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

    async fn receive_ready(&self, max: usize) -> Result<Vec<Delivery>, AdapterError> {
        self.state.lock().waiting += 1;
        loop {
            let notified = self.arrived.notified();
            {
                let mut s = self.state.lock();
                if !s.ready.is_empty() {
                    let taken = s.ready.len().min(max.max(1));
                    let batch: Vec<Delivery> = s.ready.drain(..taken).collect();
                    s.waiting -= 1;
                    s.in_flight += batch.len() as u32;
                    // Others left over: another receiver may take them now.
                    if !s.ready.is_empty() {
                        self.arrived.notify_one();
                    }
                    return Ok(batch);
                }
            }
            notified.await;
        }
    }

    async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError> {
        self.state.lock().in_flight -= deliveries.len() as u32;
        Ok(())
    }

    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError> {
        self.state.lock().in_flight -= 1;
        match outcome {
            Settle::Ack => {}
            Settle::Retry => self.enqueue(delivery.body, delivery.attempt + 1),
            Settle::Requeue => self.enqueue(delivery.body, delivery.attempt),
            Settle::DeadLetter => {
                let mut s = self.state.lock();
                if s.dead_letters.len() == DEAD_LETTER_CAP {
                    s.dead_letters.pop_front();
                }
                s.dead_letters.push_back(delivery);
            }
        }
        Ok(())
    }

    async fn depth(&self) -> Result<QueueDepth, AdapterError> {
        let s = self.state.lock();
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

    async fn one(q: &InProcessQueue) -> Delivery {
        let mut batch = q.receive_ready(1).await.unwrap();
        assert_eq!(batch.len(), 1);
        batch.remove(0)
    }

    #[tokio::test]
    async fn a_receiver_takes_what_is_ready_up_to_its_limit_and_acks_it_together() {
        let q = InProcessQueue::new(QueueNames::new("orders"));
        let answers = q.publish_all(&["a", "b", "c"]).await;
        assert!(answers.iter().all(Result::is_ok));
        let first = q.receive_ready(2).await.unwrap();
        let bodies: Vec<&str> = first.iter().map(|d| d.body.as_str()).collect();
        assert_eq!(bodies, ["a", "b"]);
        // Only what is there: one left, and the receiver does not wait for a second.
        let rest = q.receive_ready(2).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(q.depth().await.unwrap().consumers, 1, "three in flight");
        q.ack_all(&first).await.unwrap();
        q.ack_all(&rest).await.unwrap();
        assert_eq!(q.depth().await.unwrap(), QueueDepth::default());
    }

    #[tokio::test]
    async fn messages_come_out_in_order_and_retries_count_attempts() {
        let q = InProcessQueue::new(QueueNames::new("orders"));
        q.publish("a").await.unwrap();
        q.publish("b").await.unwrap();
        let a = one(&q).await;
        assert_eq!((a.body.as_str(), a.attempt), ("a", 1));
        q.settle(a, Settle::Retry).await.unwrap();
        let b = one(&q).await;
        assert_eq!(b.body, "b");
        q.settle(b, Settle::Ack).await.unwrap();
        let again = one(&q).await;
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
            async move { one(&q).await.body }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(q.depth().await.unwrap().consumers, 1);
        q.publish("late").await.unwrap();
        assert_eq!(consumer.await.unwrap(), "late");
    }
}
