//! The compat status probes. Public, so they carry counts and latencies, never personal data.

use super::error::RETRY_AFTER_SECS;
use crate::backend::BackendKind;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;
use std::time::Instant;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/status/redis", web::get().to(redis))
        .route("/status/rabbit", web::get().to(rabbit))
        .route("/status/orders", web::get().to(orders));
}

/// `OK` for a real service, `EMBEDDED` when the store runs it in-process.
fn up_word(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Embedded => "EMBEDDED",
        BackendKind::External => "OK",
    }
}

/// `key` is the compat field name; `name` is how people call the service.
fn down(key: &str, name: &str, e: impl std::fmt::Display) -> HttpResponse {
    tracing::warn!(service = key, error = %e, "status probe failed");
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", RETRY_AFTER_SECS.to_string()))
        .json(json!({ key: "DOWN", "error": format!("{name} is not answering") }))
}

async fn redis(state: web::Data<AppState>) -> HttpResponse {
    match state.carts.ping().await {
        Ok(ms) => HttpResponse::Ok()
            .json(json!({ "redis": up_word(state.carts.kind()), "ping": true, "latency_ms": ms })),
        Err(e) => down("redis", "Redis", e),
    }
}

async fn rabbit(state: web::Data<AppState>) -> HttpResponse {
    let started = Instant::now();
    match state.queue.depth().await {
        Ok(d) => HttpResponse::Ok().json(json!({
            "rabbitmq": up_word(state.queue.kind()), "queue": state.queue.queue_name(),
            "messages": d.messages, "consumers": d.consumers, "dead_lettered": d.dead_lettered,
            "latency_ms": millis_since(started), "processor": state.pipeline.snapshot(),
        })),
        Err(e) => down("rabbitmq", "RabbitMQ", e),
    }
}

async fn orders(state: web::Data<AppState>) -> HttpResponse {
    let started = Instant::now();
    match state.orders.stats().await {
        Ok(s) => HttpResponse::Ok().json(json!({
            "orders": up_word(state.orders.kind()), "count": s.count, "pending": s.pending,
            "outbox_backlog": s.outbox_backlog, "latency_ms": millis_since(started),
        })),
        Err(e) => down("orders", "The order database", e),
    }
}

fn millis_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
