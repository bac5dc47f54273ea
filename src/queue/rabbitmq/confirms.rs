//! Publisher confirms: the broker acks each published message by its delivery tag (or a run of
//! them with `multiple`), and each publisher waits for its own tags. Several messages may await
//! their confirms at once, so a message the broker returns is known by the tag it carries.

use amqprs::callbacks::ChannelCallback;
use amqprs::channel::Channel;
use amqprs::{Ack, BasicProperties, Cancel, CloseChannel, FieldValue, Nack, Return};
use async_trait::async_trait;
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::oneshot;

/// Publishes awaiting the broker's word, by delivery tag.
#[derive(Default)]
pub struct Confirms {
    next_tag: u64,
    waiting: BTreeMap<u64, oneshot::Sender<bool>>,
    /// Messages the broker sent back (no queue to route them to). It still acks a returned
    /// message (always after the return), so the ack alone must not count as delivered.
    returned: BTreeSet<u64>,
}

pub type SharedConfirms = Arc<Mutex<Confirms>>;

impl Confirms {
    /// The tag the next publish on this channel gets, and where its answer will arrive. Call it
    /// under the same lock as the publish itself, so tags match the broker's count.
    pub fn expect_next(&mut self) -> (u64, oneshot::Receiver<bool>) {
        self.next_tag += 1;
        let (tx, rx) = oneshot::channel();
        self.waiting.insert(self.next_tag, tx);
        (self.next_tag, rx)
    }

    fn answer(&mut self, tag: u64, multiple: bool, acked: bool) {
        let tags: Vec<u64> = if multiple {
            self.waiting.range(..=tag).map(|(t, _)| *t).collect()
        } else {
            vec![tag]
        };
        for t in tags {
            let delivered = acked && !self.returned.remove(&t);
            if let Some(tx) = self.waiting.remove(&t) {
                let _ = tx.send(delivered);
            }
        }
    }

    /// The broker returned the message published with `tag`; without a tag to go by, every
    /// message still waiting might be it, and none of them counts as delivered.
    fn returned(&mut self, tag: Option<u64>) {
        match tag {
            Some(tag) => {
                self.returned.insert(tag);
            }
            None => self.returned.extend(self.waiting.keys()),
        }
    }
}

/// The header that carries a message's publish tag, so a returned message can be told apart.
pub const TAG_HEADER: &str = "x-carstore-publish-tag";

/// The publish tag a returned message carries in its headers.
fn tag_of(props: &BasicProperties) -> Option<u64> {
    let value = props.headers()?.get(&TAG_HEADER.try_into().ok()?)?;
    match value {
        FieldValue::l(tag) => u64::try_from(*tag).ok(),
        _ => None,
    }
}

/// Feeds the broker's acks and nacks into `Confirms`.
pub struct ConfirmCallback(pub SharedConfirms);

impl ConfirmCallback {
    fn answer(&self, tag: u64, multiple: bool, acked: bool) {
        self.0.lock().answer(tag, multiple, acked);
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

    async fn publish_return(
        &mut self,
        _: &Channel,
        ret: Return,
        props: BasicProperties,
        _: Vec<u8>,
    ) {
        tracing::warn!(reason = %ret, "RabbitMQ returned a message it could not route");
        self.0.lock().returned(tag_of(&props));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiple_ack_answers_every_earlier_tag() {
        let mut c = Confirms::default();
        let [mut a, mut b, mut d] = [(); 3].map(|_| c.expect_next().1);
        c.answer(2, true, true);
        assert_eq!(a.try_recv(), Ok(true));
        assert_eq!(b.try_recv(), Ok(true));
        assert!(d.try_recv().is_err(), "tag 3 is still waiting");
        c.answer(3, false, false);
        assert_eq!(d.try_recv(), Ok(false));
    }

    #[test]
    fn only_the_returned_message_of_a_batch_counts_as_undelivered() {
        let mut c = Confirms::default();
        let [mut a, mut b, mut d] = [(); 3].map(|_| c.expect_next().1);
        // The return of tag 2 comes before any ack; an ack of tag 1 alone must not take it.
        c.returned(Some(2));
        c.answer(1, false, true);
        assert_eq!(a.try_recv(), Ok(true));
        c.answer(3, true, true);
        assert_eq!(b.try_recv(), Ok(false), "returned, then acked");
        assert_eq!(d.try_recv(), Ok(true));
    }

    #[test]
    fn a_return_without_a_tag_fails_every_message_still_waiting() {
        let mut c = Confirms::default();
        let mut a = c.expect_next().1;
        c.answer(1, false, true);
        let [mut b, mut d] = [(); 2].map(|_| c.expect_next().1);
        c.returned(None);
        c.answer(3, true, true);
        assert_eq!(a.try_recv(), Ok(true));
        assert_eq!((b.try_recv(), d.try_recv()), (Ok(false), Ok(false)));
    }

    #[test]
    fn the_tag_travels_in_a_header() {
        let mut headers = amqprs::FieldTable::new();
        headers.insert(TAG_HEADER.try_into().unwrap(), FieldValue::l(42));
        let props = BasicProperties::default().with_headers(headers).finish();
        assert_eq!(tag_of(&props), Some(42));
        assert_eq!(tag_of(&BasicProperties::default()), None);
    }
}
