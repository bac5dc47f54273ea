//! Which deliveries of the current consumer are handed out and not yet settled, so a batch of
//! acks can go as one `multiple` ack when nothing else older is still open. A multiple ack
//! settles every earlier tag on the channel: sent while another handler still held an older
//! delivery, it would take that delivery from the broker before its handler decided, and that
//! handler's own ack would then name a tag the broker no longer knows, which closes the channel.
//! So a tag stays open until its ack or nack has been handed to the channel, which sends frames
//! in order: a multiple ack decided after that goes out after it.

use parking_lot::Mutex;
use std::collections::BTreeSet;

#[derive(Default)]
pub struct Unsettled {
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    /// The link generation the tags belong to; a new link starts with none open.
    generation: u64,
    tags: BTreeSet<u64>,
}

/// How to acknowledge a batch.
#[derive(Debug, PartialEq, Eq)]
pub enum Acks {
    /// One ack with `multiple` for this tag and every earlier one.
    UpTo(u64),
    /// One ack per tag.
    Each(Vec<u64>),
}

impl Unsettled {
    /// A delivery handed out. Call it before the next delivery of the link is taken, so a tag
    /// is open before any later one can be acked.
    pub fn handed_out(&self, generation: u64, tag: u64) {
        let mut open = self.open.lock();
        if open.generation != generation {
            open.generation = generation;
            open.tags.clear();
        }
        open.tags.insert(tag);
    }

    /// Deliveries whose ack or nack has been handed to the channel.
    pub fn settled(&self, generation: u64, tags: &[u64]) {
        let mut open = self.open.lock();
        if open.generation == generation {
            for tag in tags {
                open.tags.remove(tag);
            }
        }
    }

    /// How to ack `tags`: one multiple ack when no older delivery of the link is open besides
    /// them, else one ack each. They stay open until `settled`.
    pub fn plan(&self, generation: u64, tags: &[u64]) -> Acks {
        let open = self.open.lock();
        let Some(&last) = tags.iter().max() else {
            return Acks::Each(Vec::new());
        };
        let others_older = open.tags.range(..last).any(|tag| !tags.contains(tag));
        if open.generation != generation || others_older || tags.len() == 1 {
            Acks::Each(tags.to_vec())
        } else {
            Acks::UpTo(last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handed(tags: &[u64]) -> Unsettled {
        let u = Unsettled::default();
        tags.iter().for_each(|&t| u.handed_out(1, t));
        u
    }

    #[test]
    fn a_batch_with_nothing_older_open_is_one_multiple_ack() {
        let u = handed(&[1, 2, 3, 4, 5]);
        assert_eq!(u.plan(1, &[1, 2, 3]), Acks::UpTo(3));
        u.settled(1, &[1, 2, 3]);
        // 4 and 5 are later: still open, untouched by an ack up to 3.
        assert_eq!(u.plan(1, &[5, 4]), Acks::UpTo(5));
    }

    #[test]
    fn an_older_open_delivery_forces_one_ack_each() {
        let u = handed(&[1, 2, 3, 4]);
        assert_eq!(u.plan(1, &[3, 4]), Acks::Each(vec![3, 4]));
        u.settled(1, &[3, 4, 1]); // 1 requeued, say
        assert_eq!(u.plan(1, &[2]), Acks::Each(vec![2]));
    }

    #[test]
    fn a_batch_being_acked_stays_open_until_its_ack_is_sent() {
        let u = handed(&[1, 2, 3, 4]);
        assert_eq!(u.plan(1, &[1, 2]), Acks::UpTo(2));
        // Before that ack is handed to the channel, a later batch must not cover 1 and 2.
        assert_eq!(u.plan(1, &[3, 4]), Acks::Each(vec![3, 4]));
        u.settled(1, &[1, 2]);
        assert_eq!(u.plan(1, &[3, 4]), Acks::UpTo(4));
    }

    #[test]
    fn a_new_link_forgets_the_old_tags() {
        let u = handed(&[7, 8]);
        u.handed_out(2, 1);
        u.handed_out(2, 2);
        assert_eq!(u.plan(2, &[1, 2]), Acks::UpTo(2));
        assert_eq!(
            u.plan(1, &[7, 8]),
            Acks::Each(vec![7, 8]),
            "an old link's tags"
        );
    }
}
