//! The queues' names, as the settings give them.

/// The store's two queues: order events, and where those given up on go. The dead-letter
/// queue's name is derived here and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNames {
    pub orders: String,
    pub dead_letters: String,
}

impl QueueNames {
    pub fn new(orders: &str) -> QueueNames {
        QueueNames {
            orders: orders.to_owned(),
            dead_letters: format!("{orders}.dlq"),
        }
    }
}
