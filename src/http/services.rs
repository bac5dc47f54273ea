//! The services behind the store as the dashboard sees them.

use super::ApiError;
use crate::events::{Health, Service};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/services", web::get().to(list))
        .route("/service/{name}/status", web::get().to(status))
        .route("/service/{name}/status", web::post().to(status));
}

fn target(state: &AppState, service: Service) -> &str {
    state
        .targets
        .iter()
        .find(|(s, _)| *s == service)
        .map_or("", |(_, t)| t.as_str())
}

async fn list(state: web::Data<AppState>) -> HttpResponse {
    let services: Vec<_> = state
        .health
        .snapshot()
        .into_iter()
        .map(|h| {
            json!({
                "name": h.service, "kind": h.service.kind(), "control": "none",
                "target": target(&state, h.service), "health": h.health, "since": h.since,
                "latency_ms": h.latency_ms, "detail": "no control backend configured",
            })
        })
        .collect();
    HttpResponse::Ok().json(services)
}

/// Compat: the old dashboard prints `log`, timestamped lines about what was probed.
async fn status(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = Service::ALL
        .into_iter()
        .find(|s| s.as_str() == name.as_str())
        .ok_or_else(|| ApiError::not_found("unknown_service", "there is no such service"))?;
    let h = state
        .health
        .health_of(service)
        .expect("every service is monitored");
    let probe = match (h.health, h.latency_ms) {
        (Health::Embedded, _) => format!(
            "{} runs inside carstore; nothing to probe",
            service.as_str()
        ),
        (_, Some(ms)) => format!("{} probe answered in {ms:.1} ms", service.as_str()),
        (_, None) => format!("{} probe got no answer", service.as_str()),
    };
    let log = vec![
        format!(
            "{} {}: {:?} since {}",
            chrono::Utc::now().to_rfc3339(),
            service.as_str(),
            h.health,
            h.since.to_rfc3339()
        ),
        format!("{} {probe}", chrono::Utc::now().to_rfc3339()),
    ];
    Ok(HttpResponse::Ok()
        .json(json!({ "service": service, "health": h.health, "state": h.health, "log": log })))
}
