//! The services behind the store as the dashboard sees them.

use super::admin::Admin;
use super::openapi::{AdminOnly, Conflict, NotFound, Unavailable};
use super::ApiError;
use crate::breaker::BreakerState;
use crate::events::{Health, HealthChange};
use crate::metrics::ControlLabels;
use crate::ops::audit::Audited;
use crate::ops::control::ControlError;
use crate::service::Service;
use crate::service::ServiceAction;
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::openapi::{Object, ObjectBuilder, Type};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(status)
        .service(status_post)
        .service(act)
        .service(audit);
}

/// The kinds of service, as the dashboard lists them.
fn kinds() -> Object {
    let kinds = Service::ALL.map(Service::kind);
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(kinds))
        .build()
}

/// How a service is controlled.
fn controls() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["docker", "command", "none"]))
        .build()
}

pub(super) fn find_service(name: &str) -> Result<Service, ApiError> {
    Service::from_name(name)
        .ok_or_else(|| ApiError::not_found("unknown_service", "there is no such service"))
}

/// What a start, stop or restart did.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ServiceAction)]
struct ActionView {
    service: Service,
    action: ServiceAction,
    health: Option<Health>,
    log: Vec<String>,
}

/// One service on the dashboard.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ServiceRow)]
struct ServiceView<'a> {
    name: Service,
    #[schema(schema_with = kinds)]
    kind: &'static str,
    #[schema(schema_with = controls)]
    control: &'static str,
    control_disabled_because: Option<String>,
    target: &'a str,
    health: Health,
    since: DateTime<Utc>,
    latency_ms: Option<f64>,
    logs: bool,
    /// `closed`, or `open` while requests needing the service are refused at once.
    breaker: BreakerState,
    /// `fault injected: outage` while a drill is on: a drill is never taken for an incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    detail: Option<String>,
}

/// Compat: the old dashboard's status shape.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ServiceStatus)]
struct StatusView {
    service: Service,
    health: Health,
    state: Health,
    log: Vec<String>,
}

/// Start, stop or restart a service through its control backend (audited)
///
/// Only the configured commands run; the path only picks which of them.
#[utoipa::path(
    operation_id = "serviceAction",
    security(("adminBearer" = []), ("adminCookie" = [])),
    params(("name" = Service, Path, description = "A service."),
        ("action" = ServiceAction, Path, description = "What to do.")),
    responses(
        (status = 200, description = "What the control did", body = ActionView),
        AdminOnly,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    ),
)]
#[post("/service/{name}/{action}")]
async fn act(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (name, action) = path.into_inner();
    let service = find_service(&name)?;
    let action: ServiceAction = action.parse().map_err(|_| {
        ApiError::not_found("unknown_action", "actions are start, stop and restart")
    })?;
    let control = state.console.controls.get(service);
    if let Some(why) = control.disabled_because() {
        return Err(ApiError::Conflict {
            code: "no_control",
            message: why,
        });
    }
    if matches!(action, ServiceAction::Start | ServiceAction::Restart) {
        state.console.health.mark_starting(service);
    }
    let outcome = control.act(action).await;
    count_and_audit(&state, admin.who, service, action, &outcome);
    let log = match outcome {
        Ok(lines) => lines,
        Err(ControlError::Unavailable(why)) => return Err(ApiError::ControlUnavailable(why)),
        Err(e) => vec![e.to_string()],
    };
    let health = state.console.health.health_of(service).map(|h| h.health);
    Ok(HttpResponse::Ok().json(ActionView {
        service,
        action,
        health,
        log,
    }))
}

/// Every control action is counted for the metrics and kept in the audit log, failed or not.
fn count_and_audit(
    state: &AppState,
    who: String,
    service: Service,
    action: ServiceAction,
    outcome: &Result<Vec<String>, ControlError>,
) {
    let (result, counted) = match outcome {
        Ok(_) => ("ok".to_owned(), "ok"),
        Err(e @ ControlError::Unavailable(_)) => (format!("failed: {e}"), "unavailable"),
        Err(e) => (format!("failed: {e}"), "failed"),
    };
    let labels = ControlLabels {
        service: service.as_str(),
        action: action.as_str(),
        result: counted,
    };
    let actions = &state.console.metrics.control_actions;
    actions.get_or_create(&labels).inc();
    let what = Audited::Control { service, action };
    state.console.audit.record(who, what, result);
}

/// The latest control actions and admin sign-ins, newest first
#[utoipa::path(
    operation_id = "auditLog",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "The audit log", body = [AuditEntry]),
        AdminOnly,
    ),
)]
#[get("/audit")]
async fn audit(state: web::Data<AppState>, _: Admin) -> HttpResponse {
    HttpResponse::Ok().json(state.console.audit.recent().await)
}

/// The services behind the store
#[utoipa::path(
    operation_id = "listServices",
    responses((status = 200, description = "One row per service", body = [ServiceView])),
)]
#[get("/services")]
async fn list(state: web::Data<AppState>) -> HttpResponse {
    let health = state.console.health.snapshot();
    let services: Vec<_> = health.iter().map(|h| service_view(&state, h)).collect();
    HttpResponse::Ok().json(services)
}

fn service_view<'a>(state: &'a AppState, h: &HealthChange) -> ServiceView<'a> {
    let control = state.console.controls.get(h.service);
    ServiceView {
        name: h.service,
        kind: h.service.kind(),
        control: control.kind(),
        control_disabled_because: control.disabled_because(),
        target: state.console.targets.get(h.service),
        health: h.health,
        since: h.since,
        latency_ms: h.latency_ms,
        logs: state.console.logs.of(h.service).is_some(),
        breaker: state.console.breakers.get(h.service).state(),
        detail: state.console.faults.note(h.service),
    }
}

/// What the health monitor last saw of a service (compat)
#[utoipa::path(
    operation_id = "serviceStatus",
    params(("name" = Service, Path, description = "A service.")),
    responses(
        (status = 200, description = "Its health and a log of the probe", body = StatusView),
        (status = 404, response = NotFound),
    ),
)]
#[get("/service/{name}/status")]
async fn status(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    status_of(&state, &name)
}

/// What the health monitor last saw of a service (compat)
///
/// The old dashboard asked with POST.
#[utoipa::path(
    operation_id = "serviceStatusPost",
    params(("name" = Service, Path, description = "A service.")),
    responses(
        (status = 200, description = "Its health and a log of the probe", body = StatusView),
        (status = 404, response = NotFound),
    ),
)]
#[post("/service/{name}/status")]
async fn status_post(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    status_of(&state, &name)
}

/// Compat: the old dashboard prints `log`, timestamped lines about what was probed.
fn status_of(state: &AppState, name: &str) -> Result<HttpResponse, ApiError> {
    let service = find_service(name)?;
    // A store watches every service; only a worker leaves some out.
    let h = state.console.health.health_of(service).ok_or_else(|| {
        ApiError::not_found(
            "unknown_service",
            "this process does not watch that service",
        )
    })?;
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
    Ok(HttpResponse::Ok().json(StatusView {
        service,
        health: h.health,
        state: h.health,
        log,
    }))
}
