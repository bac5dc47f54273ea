//! The order story, start to end: checkout writes the order and its event in one transaction,
//! the relay publishes events from the outbox, the processor settles each order.

mod checkout;
mod counts;
mod processor;
mod relay;

pub use checkout::{claim_of, Checkout, CheckoutError, CheckoutRequest};
pub use counts::{PipelineCounts, PipelineSnapshot};
pub use processor::{run_processor, MAX_ATTEMPTS};
pub use relay::run_relay;
