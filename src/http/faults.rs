//! Faults on purpose, for the admin: list, set, clear. Every change is in the audit log.

use super::admin::Admin;
use super::openapi::{AdminOnly, BadRequest, Conflict, Invalid, NotFound, TooLarge};
use super::ApiError;
use crate::faults::EXEMPT_ROUTES;
use crate::faults::{covers, parse_fault, parse_path, FaultRefused, FaultRequest};
use crate::faults::{Fault, FaultKind, FaultTarget};
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{delete, get, put, web, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(clear_all)
        .service(set)
        .service(clear);
}

/// What a clear did.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FaultsCleared)]
struct Cleared {
    cleared: usize,
}

/// The faults set on purpose and still in force
#[utoipa::path(
    operation_id = "listFaults",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "The active faults", body = [Fault]),
        AdminOnly,
    ),
)]
#[get("/faults")]
async fn list(state: web::Data<AppState>, _: Admin) -> HttpResponse {
    HttpResponse::Ok().json(state.console.faults.list())
}

/// Set a fault, replacing one of the same target and kind (audited)
#[utoipa::path(
    operation_id = "setFault",
    security(("adminBearer" = []), ("adminCookie" = [])),
    params(("target" = FaultTarget, Path, description = "What the fault breaks."),
        ("kind" = FaultKind, Path, description = "How it breaks; each target takes some kinds.")),
    request_body = FaultRequest,
    responses(
        (status = 200, description = "The fault as stored", body = Fault),
        (status = 400, response = BadRequest),
        AdminOnly,
        (status = 404, description = "A target or kind that does not exist, or a kind the \
            target does not take", body = super::error::ErrorBody),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
    ),
)]
#[put("/faults/{target}/{kind}")]
async fn set(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (target, kind) = parse_path(&path.0, &path.1).map_err(refused)?;
    let asked = asked(&body)?;
    let fault = parse_fault(target, kind, &asked, chrono::Utc::now()).map_err(refused)?;
    let stored = state
        .fault_changes()
        .set(admin.who, fault)
        .map_err(|most| {
            let why = format!("at most {most} faults at once; clear one first");
            ApiError::Conflict {
                code: "too_many_faults",
                message: why,
            }
        })?;
    Ok(HttpResponse::Ok().json(stored))
}

/// Clear one fault (audited)
#[utoipa::path(
    operation_id = "clearFault",
    security(("adminBearer" = []), ("adminCookie" = [])),
    params(("target" = FaultTarget, Path, description = "What the fault breaks."),
        ("kind" = FaultKind, Path, description = "How it breaks; each target takes some kinds.")),
    responses(
        (status = 200, description = "Whether it was set", body = Cleared),
        AdminOnly,
        (status = 404, response = NotFound),
    ),
)]
#[delete("/faults/{target}/{kind}")]
async fn clear(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (target, kind) = parse_path(&path.0, &path.1).map_err(refused)?;
    let cleared = usize::from(state.fault_changes().clear(admin.who, target, kind));
    Ok(HttpResponse::Ok().json(Cleared { cleared }))
}

/// Clear every fault (audited)
#[utoipa::path(
    operation_id = "clearFaults",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "How many were cleared", body = Cleared),
        AdminOnly,
    ),
)]
#[delete("/faults")]
async fn clear_all(state: web::Data<AppState>, admin: Admin) -> HttpResponse {
    let cleared = state.fault_changes().clear_all(admin.who);
    HttpResponse::Ok().json(Cleared { cleared })
}

/// The body: none at all for an outage, else JSON read as strictly as every other body.
fn asked(body: &[u8]) -> Result<FaultRequest, ApiError> {
    if body.len() > super::MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(FaultRequest::default());
    }
    serde_json::from_slice(body).map_err(|e| match e.is_data() {
        true => ApiError::bad_request("invalid_request", e.to_string()),
        false => ApiError::bad_request("invalid_json", "request body must be valid JSON"),
    })
}

fn refused(e: FaultRefused) -> ApiError {
    match e {
        FaultRefused::NotFound(code, message) => ApiError::not_found(code, message),
        FaultRefused::Invalid(code, message) => ApiError::invalid(code, message),
    }
}

/// The store's own fault: its share of requests on its route answered 503 before any handler
/// runs, so nothing is changed. The faults themselves, the probes and the scrape never fail:
/// a drill must always be able to end, and the lights and metrics must keep telling the truth.
pub async fn refuse_on_purpose(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let path = req.path();
    let exempt = EXEMPT_ROUTES.iter().any(|route| covers(route, path));
    let state = req.app_data::<web::Data<AppState>>();
    let pattern = req.match_pattern();
    if !exempt && state.is_some_and(|s| s.console.faults.fails_request(path, pattern.as_deref())) {
        let refused = ApiError::FaultInjected.error_response();
        return Ok(req.into_response(refused).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
