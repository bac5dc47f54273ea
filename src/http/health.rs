use super::error::RETRY_AFTER_SECS;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(configure_alive)
        .route("/readyz", web::get().to(readyz));
}

/// Only `/healthz`: what a worker answers, having no store to be ready for.
pub fn configure_alive(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz));
}

/// Alive: the process serves requests.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the order store answers, so checkout can work.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.orders.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", RETRY_AFTER_SECS.to_string()))
                .json(json!({ "error": "not_ready", "message": "the order database is not answering", "dependency": "database" }))
        }
    }
}
