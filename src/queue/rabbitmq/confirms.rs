//! Publisher confirms: the broker acks each published message by its delivery tag (or a run of
//! them with `multiple`), and the publisher waits for its own tag.

use amqprs::callbacks::ChannelCallback;
use amqprs::channel::Channel;
use amqprs::{Ack, BasicProperties, Cancel, CloseChannel, Nack, Return};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Publishes awaiting the broker's word, by delivery tag.
#[derive(Default)]
pub struct Confirms {
    next_tag: u64,
    waiting: BTreeMap<u64, oneshot::Sender<bool>>,
    /// The broker sent the message in flight back (no queue to route it to). It still acks a
    /// returned message, so the ack alone must not count as delivered.
    returned: bool,
}

pub type SharedConfirms = Arc<Mutex<Confirms>>;

impl Confirms {
    /// The tag the next publish on this channel gets, and where its answer will arrive. Call it
    /// under the same lock as the publish itself, so tags match the broker's count.
    pub fn expect_next(&mut self) -> oneshot::Receiver<bool> {
        self.next_tag += 1;
        let (tx, rx) = oneshot::channel();
        self.waiting.insert(self.next_tag, tx);
        rx
    }

    fn answer(&mut self, tag: u64, multiple: bool, acked: bool) {
        // Publishes go one at a time, so a return belongs to the message this ack answers.
        let acked = acked && !std::mem::take(&mut self.returned);
        let tags: Vec<u64> = if multiple {
            self.waiting.range(..=tag).map(|(t, _)| *t).collect()
        } else {
            vec![tag]
        };
        for t in tags {
            if let Some(tx) = self.waiting.remove(&t) {
                let _ = tx.send(acked);
            }
        }
    }
}

/// Feeds the broker's acks and nacks into `Confirms`.
pub struct ConfirmCallback(pub SharedConfirms);

impl ConfirmCallback {
    fn answer(&self, tag: u64, multiple: bool, acked: bool) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .answer(tag, multiple, acked);
    }
}

#[async_trait]
impl ChannelCallback for ConfirmCallback {
    async fn close(
        &mut self,
        _: &Channel,
        close: CloseChannel,
    ) -> Result<(), amqprs::error::Error> {
        tracing::warn!(reason = %close, "RabbitMQ closed the publishing channel");
        Ok(())
    }

    async fn cancel(&mut self, _: &Channel, _: Cancel) -> Result<(), amqprs::error::Error> {
        Ok(())
    }

    async fn flow(&mut self, _: &Channel, active: bool) -> Result<bool, amqprs::error::Error> {
        Ok(active)
    }

    async fn publish_ack(&mut self, _: &Channel, ack: Ack) {
        self.answer(ack.delivery_tag(), ack.mutiple(), true);
    }

    async fn publish_nack(&mut self, _: &Channel, nack: Nack) {
        self.answer(nack.delivery_tag(), nack.multiple(), false);
    }

    async fn publish_return(&mut self, _: &Channel, ret: Return, _: BasicProperties, _: Vec<u8>) {
        tracing::warn!(reason = %ret, "RabbitMQ returned a message it could not route");
        self.0.lock().unwrap_or_else(|p| p.into_inner()).returned = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiple_ack_answers_every_earlier_tag() {
        let mut c = Confirms::default();
        let (mut a, mut b, mut d) = (c.expect_next(), c.expect_next(), c.expect_next());
        c.answer(2, true, true);
        assert_eq!(a.try_recv(), Ok(true));
        assert_eq!(b.try_recv(), Ok(true));
        assert!(d.try_recv().is_err(), "tag 3 is still waiting");
        c.answer(3, false, false);
        assert_eq!(d.try_recv(), Ok(false));
    }
}
