//! Load from the dashboard: `POST /api/load {rate, mix, duration_secs}` starts a run against this
//! store (admin only), `DELETE /api/load` stops it, `GET /api/load` says whether one is going.
//! Its figures arrive each second as `load` events on `/api/events`.

use super::admin::Admin;
use super::openapi::{AdminOnly, BadRequest, Conflict, Invalid, TooLarge};
use super::ApiError;
use crate::load::{LoadPlan, Mix, Pace};
use crate::replicas::ChannelState;
use crate::state::AppState;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
use std::time::Duration;

/// Enough to make any service's outage visible, not enough to take the demo machine down.
pub(super) const MAX_RATE: f64 = 2000.0;
pub(super) const MAX_SECS: u64 = 3600;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(status).service(start).service(stop);
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    #[schema(schema_with = rates)]
    rate: f64,
    /// browse=10,view=5,add_to_cart=3,checkout=1
    #[serde(default, deserialize_with = "present")]
    #[schema(required = false, nullable = false)]
    mix: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(required = false, schema_with = durations)]
    duration_secs: Option<u64>,
}

/// Shoppers a second, at most [`MAX_RATE`].
fn rates() -> utoipa::openapi::Object {
    let number = utoipa::openapi::Type::Number;
    let object = utoipa::openapi::ObjectBuilder::new().schema_type(number);
    object.minimum(Some(1)).maximum(Some(MAX_RATE)).build()
}

/// Seconds, at most [`MAX_SECS`]; a minute when left out.
fn durations() -> utoipa::openapi::Object {
    let integer = utoipa::openapi::Type::Integer;
    let object = utoipa::openapi::ObjectBuilder::new().schema_type(integer);
    object.minimum(Some(1)).maximum(Some(MAX_SECS)).build()
}

/// Only leaving a field out picks its default: `null` is not a value (400), as in the cart.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Start a load run against this store; its figures arrive as `load` events
#[utoipa::path(
    operation_id = "startLoad",
    security(("adminBearer" = []), ("adminCookie" = [])),
    request_body = StartBody,
    responses(
        (status = 202, description = "Started", body = Running),
        (status = 400, response = BadRequest),
        AdminOnly,
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
    ),
)]
#[post("/load")]
async fn start(
    state: web::Data<AppState>,
    _: Admin,
    body: web::Json<StartBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if !(body.rate >= 1.0 && body.rate <= MAX_RATE) {
        return Err(ApiError::invalid(
            "invalid_rate",
            format!("rate must be 1 to {MAX_RATE} a second"),
        ));
    }
    let mix = match body.mix.as_deref() {
        Some(text) => text
            .parse::<Mix>()
            .map_err(|why| ApiError::invalid("invalid_mix", why))?,
        None => Mix::default(),
    };
    let secs = body.duration_secs.unwrap_or(60);
    if !(1..=MAX_SECS).contains(&secs) {
        return Err(ApiError::invalid(
            "invalid_duration",
            format!("duration_secs must be 1 to {MAX_SECS}"),
        ));
    }
    let plan = LoadPlan {
        base: state.fleet.own_url.clone(),
        duration: Duration::from_secs(secs),
        pace: Pace::Rate(body.rate),
        mix,
    };
    if !state.console.load.start(plan, state.console.events.clone()) {
        return Err(ApiError::Conflict {
            code: "load_running",
            message: "a load run is already going; stop it first".into(),
        });
    }
    Ok(HttpResponse::Accepted().json(Running {
        running: state.console.load.running(),
    }))
}

/// Stop the load run
///
/// Stops the run wherever it goes: here, or on the replica that started it.
#[utoipa::path(
    operation_id = "stopLoad",
    security(("adminBearer" = []), ("adminCookie" = [])),
    responses(
        (status = 200, description = "Whether there was one", body = Stopping),
        AdminOnly,
    ),
)]
#[delete("/load")]
async fn stop(state: web::Data<AppState>, _: Admin) -> HttpResponse {
    let elsewhere = state.console.load.running_elsewhere().is_some()
        && state.fleet.replicas.channel() == ChannelState::Up;
    let stopping = state.console.load.stop() || (elsewhere && state.fleet.fanout.ask_stop_load());
    HttpResponse::Ok().json(Stopping { stopping })
}

/// The load run going now, if any
#[utoipa::path(
    operation_id = "loadStatus",
    responses((status = 200, description = "The run's name, or null", body = Running)),
)]
#[get("/load")]
async fn status(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Running {
        running: state.console.load.running(),
    })
}

/// The run going now, by name; `null` (not absent) when there is none, as the page expects.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LoadRunning)]
struct Running {
    running: Option<String>,
}

/// Whether there was a run to stop.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Stopping {
    stopping: bool,
}

#[cfg(test)]
mod tests {
    use super::StartBody;
    use serde_json::json;

    #[test]
    fn a_field_left_out_takes_its_default_but_null_is_refused() {
        let plain: StartBody = serde_json::from_value(json!({ "rate": 5.0 })).unwrap();
        assert!(plain.mix.is_none() && plain.duration_secs.is_none());
        for field in ["mix", "duration_secs"] {
            let body = json!({ "rate": 5.0, field: null });
            assert!(
                serde_json::from_value::<StartBody>(body).is_err(),
                "{field}: null"
            );
        }
    }
}
