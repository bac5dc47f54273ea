//! `GET /api/events`: the live feed behind the dashboard. A snapshot of every service's health
//! and breaker on connect, then each `health`, `order`, `load`, `breaker`, `control` and `fault`
//! event as it happens, with keep-alives. A browser that falls behind gets a fresh snapshot
//! instead of holding anyone up (a fault marker it missed stays missed: the Faults panel, which
//! also polls, still shows what is in force).

use super::ApiError;
use crate::breaker::{BreakerChange, Breakers};
use crate::events::{HealthChange, StoreEvent};
use crate::ops::HealthMonitor;
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, Responder};
use actix_web_lab::sse;
use futures_util::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(events);
}

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

fn snapshot(health: &HealthMonitor, breakers: &Breakers) -> Vec<sse::Event> {
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

/// Live feed (server-sent events): a health and breaker snapshot on connect, then `health`, `breaker`, `order`, `load`, `control` and `fault` events; never ends
#[utoipa::path(
    operation_id = "events",
    responses((status = 200, description = "The event stream. A `fault` event is a fault set, \
        cleared or ended on its own on this replica: `{target, kind, change: \"set\"|\"cleared\"|\
        \"expired\", value?, at}`, `value` as set (on `set` only), `at` when it happened (an \
        expired fault's expiry)", body = String, content_type = "text/event-stream")),
)]
#[get("/events")]
async fn events(state: web::Data<AppState>, req: HttpRequest) -> Result<impl Responder, ApiError> {
    let slot = super::feed_slot(&state, &req)?;
    let first = snapshot(&state.console.health, &state.console.breakers);
    let health: Arc<HealthMonitor> = state.console.health.clone();
    let breakers = state.console.breakers.clone();
    let client = (state.console.metrics.sse_client("events"), slot);
    let this = state.fleet.replicas.this.name.clone();
    let stopping = state.fleet.replicas.this.stopping();
    let live = stream::unfold(
        (state.console.events.subscribe(), client),
        move |(mut rx, client)| {
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
                Some((stream::iter(batch), (rx, client)))
            }
        },
    )
    .flatten()
    // Ends when the replica stops, so the browser reconnects to one that stays.
    .take_until(stopping);
    Ok(
        sse::Sse::from_infallible_stream(stream::iter(first).chain(live))
            .with_keep_alive(KEEP_ALIVE),
    )
}
