//! Load from the dashboard: `POST /api/load {rate, mix, duration_secs}` starts a run against this
//! store (admin only), `DELETE /api/load` stops it, `GET /api/load` says whether one is going.
//! Its figures arrive each second as `load` events on `/api/events`.

use super::admin::Admin;
use super::ApiError;
use crate::load::{LoadPlan, Mix, Pace};
use crate::replicas::ChannelState;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
use std::time::Duration;

/// Enough to make any service's outage visible, not enough to take the demo machine down.
pub(super) const MAX_RATE: f64 = 2000.0;
pub(super) const MAX_SECS: u64 = 3600;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/load", web::get().to(status))
        .route("/load", web::post().to(start))
        .route("/load", web::delete().to(stop));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    rate: f64,
    #[serde(default, deserialize_with = "present")]
    mix: Option<String>,
    #[serde(default, deserialize_with = "present")]
    duration_secs: Option<u64>,
}

/// Only leaving a field out picks its default: `null` is not a value (400), as in the cart.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

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

/// Stops the run wherever it goes: here, or on the replica that started it.
async fn stop(state: web::Data<AppState>, _: Admin) -> HttpResponse {
    let elsewhere = state.console.load.running_elsewhere().is_some()
        && state.fleet.replicas.channel() == ChannelState::Up;
    let stopping = state.console.load.stop() || (elsewhere && state.fleet.fanout.ask_stop_load());
    HttpResponse::Ok().json(Stopping { stopping })
}

async fn status(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Running {
        running: state.console.load.running(),
    })
}

/// The run going now, by name; `null` (not absent) when there is none, as the page expects.
#[derive(Serialize)]
struct Running {
    running: Option<String>,
}

/// Whether there was a run to stop.
#[derive(Serialize)]
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
