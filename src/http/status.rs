//! The compat status probes. Public, so they carry counts and latencies, never personal data.
//! A working service answers `"OK"` whether it runs embedded or for real (old clients light it
//! green on `"OK"`), with `mode` saying which.

use super::openapi::rules;
use super::ApiError;
use crate::adapter::{AdapterError, Mode};
use crate::orders::PipelineSnapshot;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use std::time::Instant;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(redis).service(rabbit).service(orders);
}

/// The compat "up" word; a failed probe answers `"DOWN"` through [`ApiError::ProbeDown`].
const UP: &str = "OK";

fn up() -> utoipa::openapi::Object {
    rules::word(UP)
}

fn down_word() -> utoipa::openapi::Object {
    rules::word("DOWN")
}

/// What each probe's 503 says, `{"<field>": "DOWN", "error"}`: the shape
/// [`ApiError::ProbeDown`] writes, one per field name.
macro_rules! probe_down {
    ($($name:ident: $field:ident;)*) => {$(
        #[derive(utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct $name {
            #[schema(schema_with = down_word)]
            $field: String,
            error: String,
        }
    )*};
}

probe_down! {
    RedisDown: redis;
    RabbitDown: rabbitmq;
    OrdersDown: orders;
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RedisStatus {
    #[schema(schema_with = up)]
    redis: &'static str,
    mode: Mode,
    ping: bool,
    latency_ms: f64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RabbitStatus<'a> {
    #[schema(schema_with = up)]
    rabbitmq: &'static str,
    mode: Mode,
    queue: &'a str,
    messages: u64,
    consumers: u32,
    dead_lettered: u64,
    latency_ms: f64,
    processor: PipelineSnapshot,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OrdersStatus {
    #[schema(schema_with = up)]
    orders: &'static str,
    mode: Mode,
    count: u64,
    pending: u64,
    outbox_backlog: u64,
    latency_ms: f64,
}

/// The cart store (compat)
#[utoipa::path(
    operation_id = "statusRedis",
    responses(
        (status = 200, description = "Up (embedded counts as up)", body = RedisStatus),
        (status = 503, description = "Down; nothing else is said", body = RedisDown,
            headers(("Retry-After" = String))),
    ),
)]
#[get("/status/redis")]
async fn redis(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    state
        .shop
        .carts
        .ping()
        .await
        .map_err(|e| down("redis", e))?;
    Ok(HttpResponse::Ok().json(RedisStatus {
        redis: UP,
        mode: state.shop.carts.mode(),
        ping: true,
        latency_ms: millis_since(started),
    }))
}

/// The order queue (compat)
#[utoipa::path(
    operation_id = "statusRabbit",
    responses(
        (status = 200, description = "Up (embedded counts as up)", body = RabbitStatus),
        (status = 503, description = "Down; nothing else is said", body = RabbitDown,
            headers(("Retry-After" = String))),
    ),
)]
#[get("/status/rabbit")]
async fn rabbit(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let depth = state
        .shop
        .queue
        .depth()
        .await
        .map_err(|e| down("rabbitmq", e))?;
    Ok(HttpResponse::Ok().json(RabbitStatus {
        rabbitmq: UP,
        mode: state.shop.queue.mode(),
        queue: &state.shop.queue.names().orders,
        messages: depth.messages,
        consumers: depth.consumers,
        dead_lettered: depth.dead_lettered,
        latency_ms: millis_since(started),
        processor: state.shop.pipeline.snapshot(),
    }))
}

/// The order store (compat)
#[utoipa::path(
    operation_id = "statusOrders",
    responses(
        (status = 200, description = "Up (embedded counts as up)", body = OrdersStatus),
        (status = 503, description = "Down; nothing else is said", body = OrdersDown,
            headers(("Retry-After" = String))),
    ),
)]
#[get("/status/orders")]
async fn orders(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let stats = state
        .shop
        .orders
        .stats()
        .await
        .map_err(|e| down("orders", e))?;
    Ok(HttpResponse::Ok().json(OrdersStatus {
        orders: UP,
        mode: state.shop.orders.mode(),
        count: stats.count,
        pending: stats.pending,
        outbox_backlog: stats.outbox_backlog,
        latency_ms: millis_since(started),
    }))
}

/// `field` is the compat field that answers `"DOWN"`; the message names the service as
/// people call it, never the driver's words.
fn down(field: &'static str, e: AdapterError) -> ApiError {
    tracing::warn!(service = e.service_name(), probe = field, error = %e, "status probe failed");
    let name = match field {
        "redis" => "Redis",
        "rabbitmq" => "RabbitMQ",
        _ => "The order database",
    };
    ApiError::ProbeDown {
        field,
        message: format!("{name} is not answering"),
    }
}

fn millis_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
