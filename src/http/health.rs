//! Liveness and readiness, for load balancers and container healthchecks.

use super::ApiError;
use crate::breaker::BreakerState;
use crate::service::Service;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(configure_alive).service(readyz);
}

/// Only `/healthz`: what a worker answers, having no store to be ready for.
pub fn configure_alive(cfg: &mut ServiceConfig) {
    cfg.service(healthz);
}

/// `{"status": "ok"}` or `{"status": "ready"}`.
#[derive(Serialize)]
struct Status {
    status: &'static str,
}

/// `/healthz`'s answer, always `ok`.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Alive {
    #[schema(schema_with = ok)]
    status: String,
}

/// `/readyz`'s answer when ready.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Ready {
    #[schema(schema_with = ready)]
    status: String,
}

fn ok() -> utoipa::openapi::Object {
    super::openapi::rules::word("ok")
}

fn ready() -> utoipa::openapi::Object {
    super::openapi::rules::word("ready")
}

/// Alive: the process serves
#[utoipa::path(
    operation_id = "healthz",
    responses((status = 200, description = "Serving", body = Alive)),
)]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Ready: the order store answers and the replica is not stopping
///
/// Its breaker lets orders through, so checkout can work.
#[utoipa::path(
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Ready),
        (status = 503, description = "Not ready: the body names the dependency, or says the \
            replica is draining after SIGTERM", body = super::error::ErrorBody,
            headers(("Retry-After" = String))),
    ),
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.fleet.replicas.this.draining() {
        return Err(ApiError::Draining);
    }
    // An open breaker already knows the answer: no need to wait for a ping.
    if state.console.breakers.postgres.state() != BreakerState::Closed {
        return Err(ApiError::NotReady(Service::Postgres));
    }
    if let Err(e) = state.shop.orders.ping().await {
        tracing::warn!(service = e.service_name(), error = %e, "not ready");
        return Err(ApiError::NotReady(Service::Postgres));
    }
    Ok(HttpResponse::Ok().json(Status { status: "ready" }))
}
