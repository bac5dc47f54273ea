//! `GET /metrics` in the Prometheus text format, and the middleware that counts
//! and times every request by its route pattern (and writes the access log at debug level).

use super::MetricsSources;
use crate::metrics::{RequestLabels, RouteLabels};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use std::time::Instant;

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(metrics);
}

/// Counts and times each request under its route pattern (`/api/cars/{id}`), or `unmatched`.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    // The access log: off at the default level, where it would cost more than the request.
    tracing::debug!(
        target: "carstore::http",
        "{} {method} {} {:.1}ms",
        res.status().as_u16(),
        res.request().path(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16();
        let m = &state.console.metrics;
        // What shoppers were refused: probes of readiness and the like are not requests.
        if status == 503 && route.starts_with("/api/") {
            m.refused_answers.inc();
        }
        m.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.clone(),
                status,
            })
            .inc();
        m.request_duration
            .get_or_create(&RouteLabels { method, route })
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Prometheus exposition
///
/// The store also reads how many shoppers are signed in (a worker has no sessions to count); a
/// session store that does not answer within a second leaves the last figure.
#[utoipa::path(
    operation_id = "metrics",
    responses((status = 200, description = "The metrics", body = String,
        content_type = "text/plain")),
)]
#[get("/metrics")]
async fn metrics(
    sources: web::Data<MetricsSources>,
    state: Option<web::Data<AppState>>,
) -> HttpResponse {
    if let Some(state) = state {
        let count = state.shop.accounts.signed_in_count();
        if let Ok(Ok(n)) = tokio::time::timeout(std::time::Duration::from_secs(1), count).await {
            state.console.metrics.signed_in_shoppers.set(n as i64);
        }
    }
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(sources.scrape().await)
}
