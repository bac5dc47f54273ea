//! What every feed carries, admin or not: a snapshot of every service's health and breaker on
//! connect, then each `health`, `order`, `load`, `breaker`, `control` and `fault` event as it
//! happens. A browser that falls behind gets a fresh snapshot instead of holding anyone up (a
//! fault marker it missed stays missed: the Faults panel, which also polls, still shows what is
//! in force).

use crate::breaker::{BreakerChange, Breakers};
use crate::events::{HealthChange, StoreEvent};
use crate::ops::HealthMonitor;
use crate::state::AppState;
use actix_web_lab::sse;
use futures_util::stream::{self, Stream, StreamExt};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

fn to_sse(event: &StoreEvent) -> sse::Event {
    sse::Event::Data(sse::Data::new(event.data().to_string()).event(event.name()))
}

/// An order event names the replica it happened on: this one, or the one that relayed it.
fn order_here(event: &StoreEvent, this: &str) -> sse::Event {
    let StoreEvent::Order(_) = event else {
        return to_sse(event);
    };
    let mut data = event.data();
    data["instance"] = this.into();
    sse::Event::Data(sse::Data::new(data.to_string()).event(event.name()))
}

/// Every service's health, then every breaker.
pub fn snapshot(health: &HealthMonitor, breakers: &Breakers) -> Vec<sse::Event> {
    let healths = health
        .snapshot()
        .into_iter()
        .map(|h: HealthChange| to_sse(&StoreEvent::Health(h)));
    let breakers = breakers.iter().map(|(service, breaker)| {
        to_sse(&StoreEvent::Breaker(BreakerChange {
            service,
            state: breaker.state(),
        }))
    });
    healths.chain(breakers).collect()
}

/// The store's events from now on (subscribed at once, so nothing after the snapshot is
/// missed); ends only when the store's event bus closes. `held` lives as long as the stream.
pub fn live<H: 'static>(state: &AppState, held: H) -> impl Stream<Item = sse::Event> {
    let health: Arc<HealthMonitor> = state.console.health.clone();
    let breakers = state.console.breakers.clone();
    let this = state.fleet.replicas.this.name.clone();
    stream::unfold(
        (state.console.events.subscribe(), held),
        move |(mut rx, held)| {
            let health = health.clone();
            let breakers = breakers.clone();
            let this = this.clone();
            async move {
                let batch = match rx.recv().await {
                    Ok(event) => vec![order_here(&event, &this)],
                    // Too slow to keep up: skip what was missed and start again from the present.
                    Err(RecvError::Lagged(_)) => snapshot(&health, &breakers),
                    Err(RecvError::Closed) => return None,
                };
                Some((stream::iter(batch), (rx, held)))
            }
        },
    )
    .flatten()
}
