//! Live feeds (`/api/events`, the log windows) hold a connection and a task each for as long as
//! the browser stays: a bounded number per client, and in all, so a flood of subscribers from
//! one client, or from many, is refused with 429 before it ties up the store.

use super::client_key;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Feeds one client may hold at once: two tabs of the dashboard with every log window open.
pub const PER_CLIENT: u32 = 16;
/// Feeds this replica serves at once.
pub const IN_ALL: u32 = 256;
/// What a refused subscriber is told to wait before trying again.
pub const RETRY_AFTER_SECS: u64 = 5;

#[derive(Default)]
pub struct FeedSlots(Arc<Mutex<Slots>>);

/// No place left: `by_client` when this client holds its share, else the store is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedsFull {
    pub by_client: bool,
}

#[derive(Default)]
struct Slots {
    per_client: HashMap<String, u32>,
    in_all: u32,
}

/// One feed's place, given back when the feed ends.
pub struct FeedSlot {
    slots: Arc<Mutex<Slots>>,
    client: String,
}

impl FeedSlots {
    pub fn take(&self, client: IpAddr) -> Result<FeedSlot, FeedsFull> {
        let client = client_key(client);
        let mut slots = self.0.lock();
        let held = slots.per_client.get(&client).copied().unwrap_or(0);
        if held >= PER_CLIENT || slots.in_all >= IN_ALL {
            return Err(FeedsFull {
                by_client: held >= PER_CLIENT,
            });
        }
        slots.in_all += 1;
        *slots.per_client.entry(client.clone()).or_default() += 1;
        Ok(FeedSlot {
            slots: self.0.clone(),
            client,
        })
    }

    /// Feeds open now.
    pub fn open(&self) -> u32 {
        self.0.lock().in_all
    }
}

impl Drop for FeedSlot {
    fn drop(&mut self) {
        let mut slots = self.slots.lock();
        slots.in_all = slots.in_all.saturating_sub(1);
        if let Some(held) = slots.per_client.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                slots.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_its_share_and_gets_it_back() {
        let slots = FeedSlots::default();
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let held: Vec<_> = (0..PER_CLIENT).map(|_| slots.take(one).unwrap()).collect();
        assert_eq!(slots.take(one).err(), Some(FeedsFull { by_client: true }));
        assert!(
            slots.take("192.0.2.2".parse().unwrap()).is_ok(),
            "another client"
        );
        drop(held);
        assert_eq!(slots.open(), 0);
        assert!(slots.take(one).is_ok());
    }

    #[test]
    fn all_clients_together_are_bounded() {
        let slots = FeedSlots::default();
        let held: Vec<_> = (0..IN_ALL)
            .map(|i| {
                slots
                    .take(IpAddr::from([10, 0, (i / 200) as u8, (i % 200) as u8]))
                    .unwrap()
            })
            .collect();
        let full = slots.take("192.0.2.9".parse().unwrap()).err();
        assert_eq!(full, Some(FeedsFull { by_client: false }));
        drop(held);
        assert!(slots.take("192.0.2.9".parse().unwrap()).is_ok());
    }
}
