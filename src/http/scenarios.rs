//! Guided scenarios: `GET /api/scenarios` lists them (public: they are the store's teaching
//! material); starting, pressing on and abandoning a run is for the admin, as setting a fault is.

use super::admin::Admin;
use super::ApiError;
use crate::scenarios::{find, RunRefused, ScenarioView, SCENARIOS};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/scenarios", web::get().to(list))
        .route("/scenarios/run", web::get().to(current))
        .route("/scenarios/run", web::delete().to(abandon))
        .route("/scenarios/run/next", web::post().to(press))
        .route("/scenarios/{name}/run", web::post().to(start));
}

/// `POST /api/scenarios/{name}/run`: guided unless `auto`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StartBody {
    #[serde(default)]
    auto: bool,
}

async fn list() -> HttpResponse {
    let all: Vec<ScenarioView> = SCENARIOS.iter().map(|s| ScenarioView::from(*s)).collect();
    HttpResponse::Ok().json(all)
}

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

async fn current(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let view = state
        .console
        .scenarios
        .view()
        .ok_or(RunRefused::NoRun)
        .map_err(refused)?;
    Ok(HttpResponse::Ok().json(view))
}

async fn press(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let view = state.console.scenarios.press().map_err(refused)?;
    Ok(HttpResponse::Ok().json(view))
}

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
