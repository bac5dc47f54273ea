//! Live feeds (`/api/events`, the log windows) hold a connection and a task each for as long as
//! the browser stays: a bounded number per client, and in all, so a flood of subscribers from
//! one client, or from many, is refused with 429 before it ties up the store.

use super::ApiError;
use crate::accounts::limits::client_key;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Feeds one client may hold at once: two tabs of the dashboard with every log window open.
pub const PER_CLIENT: u32 = 16;
/// Feeds this replica serves at once.
pub const IN_ALL: u32 = 256;
/// What a refused subscriber is told to wait before trying again.
const RETRY_AFTER_SECS: u64 = 5;

#[derive(Default)]
pub struct StreamSlots(Arc<Mutex<Slots>>);

#[derive(Default)]
struct Slots {
    per_client: HashMap<String, u32>,
    in_all: u32,
}

/// One feed's place, given back when the feed ends.
pub struct StreamSlot {
    slots: Arc<Mutex<Slots>>,
    client: String,
}

impl StreamSlots {
    pub fn take(&self, client: IpAddr) -> Result<StreamSlot, ApiError> {
        let client = client_key(client);
        let mut slots = self.0.lock();
        let held = slots.per_client.get(&client).copied().unwrap_or(0);
        if held >= PER_CLIENT || slots.in_all >= IN_ALL {
            let whose = if held >= PER_CLIENT {
                "from this address"
            } else {
                "on this store"
            };
            return Err(ApiError::Limited {
                code: "too_many_streams",
                message: format!("too many live feeds open {whose}; close one and try again"),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        slots.in_all += 1;
        *slots.per_client.entry(client.clone()).or_default() += 1;
        Ok(StreamSlot {
            slots: self.0.clone(),
            client,
        })
    }

    /// Feeds open now.
    pub fn open(&self) -> u32 {
        self.0.lock().in_all
    }
}

impl Drop for StreamSlot {
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
        let slots = StreamSlots::default();
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let held: Vec<_> = (0..PER_CLIENT).map(|_| slots.take(one).unwrap()).collect();
        assert!(matches!(slots.take(one), Err(ApiError::Limited { .. })));
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
        let slots = StreamSlots::default();
        let held: Vec<_> = (0..IN_ALL)
            .map(|i| {
                slots
                    .take(IpAddr::from([10, 0, (i / 200) as u8, (i % 200) as u8]))
                    .unwrap()
            })
            .collect();
        assert!(slots.take("192.0.2.9".parse().unwrap()).is_err());
        drop(held);
        assert!(slots.take("192.0.2.9".parse().unwrap()).is_ok());
    }
}
