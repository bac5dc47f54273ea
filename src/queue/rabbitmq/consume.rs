//! The consumer's side: taking deliveries in batches, and settling them one by one or, for a
//! batch handled in full, acknowledging them together.

use super::acks::Acks;
use super::link::{self, Link};
use super::{queue_error, Shared};
use crate::adapter::AdapterError;
use crate::queue::{Delivery, Settle};
use amqprs::channel::{BasicAckArguments, BasicNackArguments, Channel};
use std::time::Duration;

/// How often a waiting receiver looks up, so the supervisor can swap in a new consumer.
const RECHECK: Duration = Duration::from_millis(500);

impl Shared {
    pub(super) async fn receive_ready(&self, max: usize) -> Vec<Delivery> {
        loop {
            let relinked = self.relinked.notified();
            {
                let mut current = self.deliveries.lock().await;
                if let Some((generation, rx)) = current.as_mut() {
                    match tokio::time::timeout(RECHECK, rx.recv()).await {
                        Ok(Some(message)) => {
                            let mut batch = Vec::new();
                            let generation = *generation;
                            self.take(generation, message, &mut batch);
                            while batch.len() < max {
                                let Ok(message) = rx.try_recv() else { break };
                                self.take(generation, message, &mut batch);
                            }
                            if !batch.is_empty() {
                                return batch;
                            }
                        }
                        Ok(None) => *current = None,
                        Err(_) => continue,
                    }
                }
            }
            let _ = tokio::time::timeout(RECHECK, relinked).await;
        }
    }

    /// Called under the deliveries lock: a tag is open before any later one is handed out.
    fn take(
        &self,
        generation: u64,
        message: amqprs::channel::ConsumerMessage,
        batch: &mut Vec<Delivery>,
    ) {
        if let Some(d) = link::delivery(generation, message) {
            self.unsettled.handed_out(generation, d.tag);
            batch.push(d);
        }
    }

    pub(super) async fn settle(
        &self,
        delivery: Delivery,
        outcome: Settle,
    ) -> Result<(), AdapterError> {
        let (generation, tag) = (delivery.link_generation, delivery.tag);
        let settled = self.settle_on_link(delivery, outcome).await;
        self.unsettled.settled(generation, &[tag]);
        settled
    }

    async fn settle_on_link(
        &self,
        delivery: Delivery,
        outcome: Settle,
    ) -> Result<(), AdapterError> {
        let names = self.names.clone();
        self.with_link(async |link| {
            let channel = consumer_of(link, delivery.link_generation)?;
            let forwarded = match outcome {
                Settle::Ack => Ok(()),
                Settle::Requeue => {
                    let requeue = BasicNackArguments::new(delivery.tag, false, true);
                    return channel.basic_nack(requeue).await.map_err(queue_error);
                }
                Settle::Retry => {
                    link.publish_confirmed(&names.orders, &delivery.body, delivery.attempt + 1)
                        .await
                }
                Settle::DeadLetter => {
                    link.publish_confirmed(&names.dead_letters, &delivery.body, delivery.attempt)
                        .await
                }
            };
            match forwarded {
                Ok(()) => channel
                    .basic_ack(BasicAckArguments::new(delivery.tag, false))
                    .await
                    .map_err(queue_error),
                Err(e) => {
                    let _ = channel
                        .basic_nack(BasicNackArguments::new(delivery.tag, false, true))
                        .await;
                    Err(e)
                }
            }
        })
        .await
    }

    pub(super) async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError> {
        let Some(first) = deliveries.first() else {
            return Ok(());
        };
        let generation = first.link_generation;
        if deliveries.iter().any(|d| d.link_generation != generation) {
            // Not what the processor sends; settled one by one, each on its own link.
            for d in deliveries {
                self.settle(d.clone(), Settle::Ack).await?;
            }
            return Ok(());
        }
        let tags: Vec<u64> = deliveries.iter().map(|d| d.tag).collect();
        let acks = self.unsettled.plan(generation, &tags);
        let acked = self
            .with_link(async |link| {
                let channel = consumer_of(link, generation)?;
                match acks {
                    Acks::UpTo(last) => channel
                        .basic_ack(BasicAckArguments::new(last, true))
                        .await
                        .map_err(queue_error),
                    Acks::Each(tags) => {
                        for tag in tags {
                            channel
                                .basic_ack(BasicAckArguments::new(tag, false))
                                .await
                                .map_err(queue_error)?;
                        }
                        Ok(())
                    }
                }
            })
            .await;
        self.unsettled.settled(generation, &tags);
        acked
    }
}

/// The consumer channel a delivery of `generation` can be settled on.
fn consumer_of(link: &Link, generation: u64) -> Result<&Channel, AdapterError> {
    if link.generation() != generation {
        return Err(queue_error(
            "the delivery's connection is gone; the broker will redeliver it",
        ));
    }
    link.consumer()
        .ok_or_else(|| queue_error("this process does not consume"))
}
