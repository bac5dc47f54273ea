//! The compat status probes. Public, so they carry counts and latencies, never personal data.
//! A working service answers `"OK"` whether it runs embedded or for real (old clients light it
//! green on `"OK"`), with `mode` saying which.

use super::ApiError;
use crate::adapter::{AdapterError, Mode};
use crate::orders::PipelineSnapshot;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::time::Instant;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/status/redis", web::get().to(redis))
        .route("/status/rabbit", web::get().to(rabbit))
        .route("/status/orders", web::get().to(orders));
}

/// The compat "up" word; a failed probe answers `"DOWN"` through [`ApiError::ProbeDown`].
const UP: &str = "OK";

#[derive(Serialize)]
struct RedisStatus {
    redis: &'static str,
    mode: Mode,
    ping: bool,
    latency_ms: f64,
}

#[derive(Serialize)]
struct RabbitStatus<'a> {
    rabbitmq: &'static str,
    mode: Mode,
    queue: &'a str,
    messages: u64,
    consumers: u32,
    dead_lettered: u64,
    latency_ms: f64,
    processor: PipelineSnapshot,
}

#[derive(Serialize)]
struct OrdersStatus {
    orders: &'static str,
    mode: Mode,
    count: u64,
    pending: u64,
    outbox_backlog: u64,
    latency_ms: f64,
}

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
