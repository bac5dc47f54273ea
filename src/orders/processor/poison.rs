//! The processor's faults: slow handling, and poison events — orders whose events the processor
//! cannot handle, as if their body broke it. A poisoned order stays poisoned across its
//! redeliveries, so it uses up its attempts like any failing event and ends in the dead-letter
//! queue, its order marked failed: never lost, never processed twice.

use super::Readable;
use crate::domain::OrderId;
use crate::faults::{FaultKind, FaultTarget, Faults};
use parking_lot::Mutex;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Why a poisoned event fails, in the log and on the way to the dead-letter queue.
pub(super) const POISONED: &str = "fault injected: poison message";

/// Most poisoned orders remembered; past it the oldest are forgotten (they are long settled).
const REMEMBERED: usize = 10_000;

pub(super) struct Poison {
    faults: Arc<Faults>,
    /// Orders whose events were poisoned, until they are dead-lettered.
    orders: Mutex<HashSet<OrderId>>,
}

impl Poison {
    pub(super) fn new(faults: Arc<Faults>) -> Poison {
        Poison {
            faults,
            orders: Mutex::default(),
        }
    }

    /// A `slow` fault: the batch takes that long more per event.
    pub(super) async fn slow_down(&self, events: usize) {
        let Some(slow) = self.faults.find(FaultTarget::Processor, FaultKind::Slow) else {
            return;
        };
        for _ in 0..events {
            self.faults.count(FaultTarget::Processor, FaultKind::Slow);
        }
        let per_event = u64::from(slow.value.unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(per_event) * events as u32).await;
    }

    /// The poisoned events of a batch apart from the others: those of orders already poisoned,
    /// and as many new ones as the `poison` fault still has.
    pub(super) fn sort_out(&self, batch: Vec<Readable>) -> (Vec<Readable>, Vec<Readable>) {
        let mut orders = self.orders.lock();
        batch.into_iter().partition(|(_, id)| {
            if orders.contains(id) {
                return true;
            }
            let fresh = self.faults.take_poison();
            if fresh {
                if orders.len() >= REMEMBERED {
                    orders.clear();
                }
                orders.insert(*id);
            }
            fresh
        })
    }

    pub(super) fn is_poisoned(&self, id: OrderId) -> bool {
        let orders = self.orders.lock();
        orders.contains(&id)
    }
}
