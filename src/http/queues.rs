//! `GET /api/queues`: the store's own queues with their messages and consumers.

use super::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/queues", web::get().to(list));
}

async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let depth = state
        .queue
        .depth()
        .await
        .map_err(|e| ApiError::unavailable("queue_unavailable", e))?;
    let name = state.queue.queue_name();
    Ok(HttpResponse::Ok().json(json!([
        { "name": name, "messages": depth.messages, "consumers": depth.consumers },
        { "name": format!("{name}.dlq"), "messages": depth.dead_lettered, "consumers": 0 },
    ])))
}
