use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// What this process's order processor has done since start. Shown by the queue's status probe,
/// so a demo (and the tests) can check that nothing was lost or doubled.
#[derive(Debug, Default)]
pub struct PipelineCounts {
    consumed: AtomicU64,
    processed: AtomicU64,
    duplicates: AtomicU64,
    postponed: AtomicU64,
    dead_lettered: AtomicU64,
}

/// A copy of the counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Pipeline)]
pub struct PipelineSnapshot {
    /// Messages acknowledged: each order's event, plus redelivered duplicates. Delivery is at
    /// least once: an acknowledgement lost with a broker restart brings the message back.
    pub consumed: u64,
    /// Orders this process moved from `pending` to `processed`.
    pub processed: u64,
    /// Messages for orders already settled (redeliveries), acknowledged without effect.
    pub duplicates: u64,
    /// Messages handed back unchanged because a service they need was down; each is tried
    /// again when it returns, however long that takes.
    pub postponed: u64,
    /// Messages given up on and moved to the dead-letter queue.
    pub dead_lettered: u64,
}

/// How the processor dealt with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Processed,
    Duplicate,
    Retried,
    /// A dependency was down: handed back unchanged, attempts untouched.
    Postponed,
    DeadLettered,
}

impl PipelineCounts {
    /// An order moved to `processed` in the database: counted at once, whatever happens to the
    /// acknowledgement afterwards.
    pub fn processed(&self) {
        self.processed.fetch_add(1, Ordering::Relaxed);
    }

    /// The queue accepted the processor's verdict on a message.
    pub fn settled(&self, handled: Handled) {
        let bump = |c: &AtomicU64| c.fetch_add(1, Ordering::Relaxed);
        match handled {
            Handled::Processed => {
                bump(&self.consumed);
            }
            Handled::Duplicate => {
                bump(&self.consumed);
                bump(&self.duplicates);
            }
            Handled::Postponed => {
                bump(&self.postponed);
            }
            Handled::DeadLettered => {
                bump(&self.dead_lettered);
            }
            Handled::Retried => {}
        }
    }

    pub fn snapshot(&self) -> PipelineSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        PipelineSnapshot {
            consumed: get(&self.consumed),
            processed: get(&self.processed),
            duplicates: get(&self.duplicates),
            postponed: get(&self.postponed),
            dead_lettered: get(&self.dead_lettered),
        }
    }
}
