//! Liveness and readiness, for load balancers and container healthchecks.

use super::ApiError;
use crate::breaker::BreakerState;
use crate::service::Service;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(configure_alive)
        .route("/readyz", web::get().to(readyz));
}

/// Only `/healthz`: what a worker answers, having no store to be ready for.
pub fn configure_alive(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz));
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
}

/// Alive: the process serves requests.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Ready: the order store answers and its breaker lets orders through, so checkout can work.
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
