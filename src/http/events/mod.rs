//! `GET /api/events`: the live feed, one per browser tab. Everyone gets the store's events
//! ([`public`]); an admin may add log windows (`logs`) and the guided scenario run
//! (`scenario`), all on the one connection, with keep-alives, until the replica stops.
//!
//! An admin topic asked for without the admin gets one `refused` event, and the rest of the
//! feed goes on; the admin is only checked when a topic needs it, so a plain feed never counts a
//! stale cookie or token as a guess.

mod cursor;
mod public;
mod scenario;
mod windows;

use super::admin::Admin;
use super::ApiError;
use crate::state::AppState;
use actix_web::{get, web, FromRequest, HttpRequest, Responder};
use actix_web_lab::sse;
use futures_util::future::ready;
use futures_util::stream::{self, LocalBoxStream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// A keep-alive comment this often. It is also how a feed the browser closed is noticed (the
/// server hears of a closed connection only when it writes, and a write fails only after the
/// first one has been refused), so a closed tab's feed slot is free within two of these.
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// A source of the feed; `None` from it ends the whole feed.
type Source = LocalBoxStream<'static, Option<sse::Event>>;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(events);
}

/// Other parameters are ignored, as they always were here: existing clients may send some.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedParams {
    /// Log windows to follow (admin only): comma-separated, each `NAME` (starting with its
    /// newest 200 lines) or `NAME:SEQ` (resuming after line SEQ). NAME is a service (`postgres`,
    /// `redis`, `rabbit`) or `carstore`, the store's own log, each at most once; anything else
    /// is 400 `invalid_logs`.
    #[param(pattern = r"^[a-z]+(:[0-9]+)?(,[a-z]+(:[0-9]+)?)*$")]
    logs: Option<String>,
    /// `true`: the guided scenario run too (admin only).
    scenario: Option<bool>,
}

/// Where each log window resumes after a reconnect.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct Resume {
    /// The id of the last `log` event seen (`carstore:41,postgres:12`): each window it names
    /// resumes after its line, whatever `logs` says; one that does not read so is ignored.
    #[param(rename = "Last-Event-ID")]
    last_event_id: Option<String>,
}

/// A `refused` event: a topic the feed does not carry, and why.
fn refused(data: serde_json::Value) -> sse::Event {
    sse::Event::Data(sse::Data::new(data.to_string()).event("refused"))
}

fn admin_required(topic: &str) -> sse::Event {
    let e = ApiError::Unauthorized;
    refused(json!({ "topic": topic, "error": e.code(), "message": e.message() }))
}

/// Adds each admin topic asked for (log windows, the scenario run): its source, or a `refused`
/// event.
fn topics(
    state: &AppState,
    admin: bool,
    (logs, scenario): (Option<Vec<cursor::Position>>, bool),
    first: &mut Vec<sse::Event>,
    sources: &mut Vec<Source>,
) {
    if let Some(logs) = logs {
        match admin {
            true => {
                let (refusals, lines) = windows::open(state, logs);
                first.extend(refusals);
                sources.push(lines);
            }
            false => first.push(admin_required("logs")),
        }
    }
    if scenario {
        match admin {
            true => {
                let (now, changes) = scenario::follow(state.console.scenarios.clone());
                first.push(now);
                sources.push(changes.map(Some).boxed_local());
            }
            false => first.push(admin_required("scenario")),
        }
    }
}

/// Live feed (server-sent events): the store's events for everyone, and log windows and the scenario run for the admin; never ends
#[utoipa::path(
    operation_id = "events",
    params(FeedParams, Resume),
    responses(
        (status = 200, description = "The event stream. For everyone: a `health` and \
            `breaker` snapshot on connect, then `health`, `breaker`, `order`, `load`, `control` \
            and `fault` events. A `fault` event is a fault set, cleared or ended on its own on \
            this replica: `{target, kind, change: \"set\"|\"cleared\"|\"expired\", value?, at}`, \
            `value` as set (on `set` only), `at` when it happened (an expired fault's expiry). \
            With `logs`, for the admin: `log` events `{window, seq, ts, stream, line}`, each \
            window's unseen lines first, each event's id the cursor of every window's last line \
            (`carstore:41,postgres:12`, in the order `logs` names them); a window too slow to \
            keep up ends the stream, to be resumed with `Last-Event-ID`. With `scenario=true`, \
            for the admin: a `scenario` event on connect and on each change, its data what \
            `GET /api/scenarios/run` answers (a ScenarioRun), or `null` before any run. A topic \
            not carried is told once as a `refused` event `{topic: \"logs\"|\"scenario\", \
            window?, error, message}`: `admin_required` without the admin cookie or token (a \
            wrong token counts as a guess, as on every admin operation), `no_logs` for a window \
            without a log source.", body = String, content_type = "text/event-stream"),
        (status = 400, response = super::openapi::BadRequest),
    ),
)]
#[get("/events")]
async fn events(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<FeedParams>,
) -> Result<impl Responder, ApiError> {
    let FeedParams { logs, scenario } = params.into_inner();
    let mut logs = logs.as_deref().map(cursor::requested).transpose()?;
    let slot = super::feed_slot(&state, &req)?;
    let scenario = scenario == Some(true);
    let admin = (logs.is_some() || scenario) && Admin::extract(&req).await.is_ok();
    let last_seen = req.headers().get("Last-Event-ID");
    if let (Some(logs), Some(Ok(cursor))) = (&mut logs, last_seen.map(|v| v.to_str())) {
        cursor::resume(logs, cursor);
    }
    let mut first = public::snapshot(&state.console.health, &state.console.breakers);
    // One feed, counted once however many topics it carries.
    let held = (state.console.metrics.sse_client("events"), slot);
    let everyone = public::live(&state, held).map(Some);
    // The store's bus closing ends the feed, as it always has.
    let mut sources: Vec<Source> = vec![everyone.chain(stream::once(ready(None))).boxed_local()];
    topics(&state, admin, (logs, scenario), &mut first, &mut sources);
    let merged = stream::select_all(sources)
        .take_while(|event| ready(event.is_some()))
        .filter_map(ready);
    // Ends when the replica stops, so the browser reconnects to one that stays.
    let feed = stream::iter(first)
        .chain(merged)
        .take_until(state.fleet.replicas.this.stopping());
    Ok(sse::Sse::from_infallible_stream(feed).with_keep_alive(KEEP_ALIVE))
}
