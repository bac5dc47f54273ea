//! `GET /api/service/{name}/logs`: a live log window over server-sent events, admin only. The
//! newest lines first, then each line as it comes; a reconnect with `Last-Event-ID` resumes after
//! the last line seen. A window too slow to keep up is closed (the browser reconnects and
//! resumes), so it never holds up the source or the other windows.

use super::admin::Admin;
use super::services::find_service;
use super::ApiError;
use crate::ops::logs::{LogFeed, LogLine, HISTORY};
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, Responder};
use actix_web_lab::sse;
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

const KEEP_ALIVE: Duration = Duration::from_secs(15);
pub(super) const DEFAULT_TAIL: usize = 200;
/// The window of the store's own log.
const OWN: &str = "carstore";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(logs);
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct LogParams {
    /// How many earlier lines to send first.
    #[param(schema_with = tails)]
    tail: Option<usize>,
}

/// Up to the [`HISTORY`] a window keeps; [`DEFAULT_TAIL`] when left out.
fn tails() -> utoipa::openapi::Object {
    let integer = utoipa::openapi::Type::Integer;
    let object = utoipa::openapi::ObjectBuilder::new().schema_type(integer);
    let object = object.minimum(Some(0)).maximum(Some(HISTORY));
    object.default(Some(DEFAULT_TAIL.into())).build()
}

/// A log window: a service, or `carstore` for the store's own log.
struct Window;

impl utoipa::PartialSchema for Window {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(window_names()))
            .into()
    }
}

/// Every window's name, whether or not it has a log source now: the services, then `carstore`.
pub(super) fn window_names() -> impl Iterator<Item = &'static str> {
    let services = crate::service::Service::ALL.map(|s| s.as_str());
    services.into_iter().chain([OWN])
}

impl utoipa::ToSchema for Window {}

/// Resume after this line.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct Resume {
    #[param(rename = "Last-Event-ID")]
    last_event_id: Option<String>,
}

/// A line in a feed that carries several windows: named by its window, with its number.
#[derive(Serialize)]
struct InFeed<'a> {
    window: &'a str,
    seq: u64,
    #[serde(flatten)]
    line: &'a LogLine,
}

/// A `log` event with this `id`: the line as `{ts, stream, line}`, or, in a feed that carries
/// several windows, as `{window, seq, ts, stream, line}`.
pub(super) fn to_sse(line: &LogLine, window: Option<&str>, id: String) -> sse::Event {
    let data = match window {
        None => serde_json::to_string(line),
        Some(window) => serde_json::to_string(&InFeed {
            window,
            seq: line.seq,
            line,
        }),
    };
    let data = data.expect("a log line serializes");
    sse::Event::Data(sse::Data::new(data).event("log").id(id))
}

/// A line in a window of its own: its number is its id.
fn alone(line: &LogLine) -> sse::Event {
    to_sse(line, None, line.seq.to_string())
}

/// `carstore`'s own window, or a service's once it has a log source.
pub(super) fn window(state: &AppState, name: &str) -> Result<Arc<LogFeed>, ApiError> {
    if name == OWN {
        return Ok(state.console.logs.own.clone());
    }
    state
        .console
        .logs
        .of(find_service(name)?)
        .ok_or_else(|| ApiError::Conflict {
            code: "no_logs",
            message: "this service has no log source: it is embedded, or its control \
                      backend has no log file"
                .into(),
        })
}

/// A live log window (server-sent `log` events {ts, stream, line}); never ends
#[utoipa::path(
    operation_id = "serviceLogs",
    security(("adminBearer" = []), ("adminCookie" = [])),
    params(("name" = inline(Window), Path, description = "A service, or `carstore` for the store's \
        own log."), LogParams, Resume),
    responses(
        (status = 200, description = "The log lines", body = String,
            content_type = "text/event-stream"),
        (status = 400, response = super::openapi::BadRequest),
        super::openapi::AdminOnly,
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
    ),
)]
#[get("/service/{name}/logs")]
async fn logs(
    state: web::Data<AppState>,
    _: Admin,
    name: web::Path<String>,
    params: web::Query<LogParams>,
    req: HttpRequest,
) -> Result<impl Responder, ApiError> {
    let feed = window(&state, &name)?;
    let slot = super::feed_slot(&state, &req)?;
    let tail = params.tail.unwrap_or(DEFAULT_TAIL);
    if tail > HISTORY {
        return Err(ApiError::bad_request(
            "invalid_tail",
            format!("tail is at most {HISTORY} lines"),
        ));
    }
    let last_seen = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let sub = feed.subscribe(last_seen, tail);
    let backlog: Vec<sse::Event> = sub.backlog.iter().map(|l| alone(l)).collect();
    // A lagging or closed receiver ends the stream: the window reconnects and resumes.
    let client = (state.console.metrics.sse_client("logs"), slot);
    let live = stream::unfold((sub.live, client), |(mut rx, client)| async move {
        let line: Arc<LogLine> = rx.recv().await.ok()?;
        Some((alone(&line), (rx, client)))
    });
    // Ends when the replica stops, as the event feed does: nothing endless holds up a stop.
    let events = stream::iter(backlog)
        .chain(live)
        .take_until(state.fleet.replicas.this.stopping());
    Ok(sse::Sse::from_infallible_stream(events).with_keep_alive(KEEP_ALIVE))
}
