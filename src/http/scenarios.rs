//! Guided scenarios: `GET /api/scenarios` lists them (public: they are the store's teaching
//! material); starting, pressing on and abandoning a run is for the admin, as setting a fault is.

use super::admin::Admin;
use super::openapi::{AdminOnly, BadRequest, Conflict, NotFound, TooLarge};
use super::ApiError;
use crate::scenarios::{find, scenario_names, RunRefused, RunView, ScenarioView, SCENARIOS};
use crate::state::AppState;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(current)
        .service(abandon)
        .service(press)
        .service(start);
}

/// `POST /api/scenarios/{name}/run`: guided unless `auto`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ScenarioStart)]
struct StartBody {
    /// Perform every step at once, without waiting for presses.
    #[serde(default)]
    auto: bool,
}

/// A scenario named in the path.
struct ScenarioName;

impl utoipa::PartialSchema for ScenarioName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        scenario_names().into()
    }
}

impl utoipa::ToSchema for ScenarioName {}

/// The guided scenarios: what each teaches, its steps and their checks
#[utoipa::path(
    operation_id = "listScenarios",
    responses((status = 200, description = "Every scenario", body = [ScenarioView])),
)]
#[get("/scenarios")]
async fn list() -> HttpResponse {
    let all: Vec<ScenarioView> = SCENARIOS.iter().map(|s| ScenarioView::from(*s)).collect();
    HttpResponse::Ok().json(all)
}

/// Start a run: guided (each step waits for its button) or auto (headless)
#[utoipa::path(
    operation_id = "startScenario",
    security(("adminBearer" = []), ("adminCookie" = [])),
    params(("name" = inline(ScenarioName), Path, description = "The scenario.")),
    request_body(content = Option<StartBody>),
    responses(
        (status = 201, description = "The run, started", body = RunView),
        (status = 400, response = BadRequest),
        AdminOnly,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
    ),
)]
#[post("/scenarios/{name}/run")]
async fn start(
    state: web::Data<AppState>,
    _: Admin,
    name: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let scenario = find(&name).ok_or_else(|| {
        let names: Vec<_> = SCENARIOS.iter().map(|s| s.name).collect();
        let message = format!("no scenario called that; there are {}", names.join(", "));
        ApiError::not_found("unknown_scenario", message)
    })?;
    let body = start_body(&body)?;
    let runs = state.console.scenarios.clone();
    let view = runs
        .start(state.store_reach(), scenario, body.auto)
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(view))
}

/// The run going, or the last one
#[utoipa::path(
    operation_id = "currentScenarioRun",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "The run as it stands", body = RunView),
        AdminOnly,
        (status = 404, response = NotFound),
    ),
)]
#[get("/scenarios/run")]
async fn current(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let view = state
        .console
        .scenarios
        .view()
        .ok_or(RunRefused::NoRun)
        .map_err(refused)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Press the step's button in a guided run
#[utoipa::path(
    operation_id = "pressScenarioStep",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "The run as it stands", body = RunView),
        AdminOnly,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ),
)]
#[post("/scenarios/run/next")]
async fn press(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let view = state.console.scenarios.press().map_err(refused)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Abandon the run: its faults are cleared and its shoppers stopped
#[utoipa::path(
    operation_id = "abandonScenarioRun",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "The run as it stands", body = RunView),
        AdminOnly,
        (status = 404, response = NotFound),
    ),
)]
#[delete("/scenarios/run")]
async fn abandon(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let view = state.console.scenarios.abandon().map_err(refused)?;
    Ok(HttpResponse::Ok().json(view))
}

/// No body at all is a guided run; otherwise JSON read as strictly as every other body.
fn start_body(body: &[u8]) -> Result<StartBody, ApiError> {
    if body.len() > super::MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StartBody::default());
    }
    serde_json::from_slice(body).map_err(|e| match e.is_data() {
        true => ApiError::bad_request("invalid_request", e.to_string()),
        false => ApiError::bad_request("invalid_json", "request body must be valid JSON"),
    })
}

fn refused(e: RunRefused) -> ApiError {
    match e {
        RunRefused::Running(name) => ApiError::Conflict {
            code: "scenario_running",
            message: format!("the scenario {name} is running; abandon it first"),
        },
        RunRefused::NeedsWorker(name) => ApiError::Conflict {
            code: "scenario_needs_worker",
            message: format!(
                "{name} drills the order processor, which runs in a carstore worker, not in this \
                 process; run it where the worker runs (carstore serve without --no-worker)"
            ),
        },
        RunRefused::NoRun => ApiError::not_found("no_run", "no scenario has been run yet"),
        RunRefused::NotWaiting => ApiError::Conflict {
            code: "step_not_ready",
            message: "the run is not waiting for a press: a step's checks are still showing, \
                      or the run is over"
                .into(),
        },
    }
}
