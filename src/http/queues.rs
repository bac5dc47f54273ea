//! `GET /api/queues`: the store's own queues with their messages and consumers, then every other
//! queue of the vhost when the RabbitMQ management API is configured.

use super::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

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
    let dead_letters = format!("{name}.dlq");
    let mut rows = vec![
        json!({ "name": name, "messages": depth.messages, "consumers": depth.consumers }),
        json!({ "name": dead_letters, "messages": depth.dead_lettered, "consumers": 0 }),
    ];
    if let Some(api) = &state.vhost_queues {
        rows.extend(vhost_rows(api, &[name, &dead_letters]).await);
    }
    Ok(HttpResponse::Ok().json(rows))
}

/// The vhost's other queues; without them (the management API is down) the store's own still show.
async fn vhost_rows(api: &crate::ops::vhost_queues::ManagementApi, own: &[&str]) -> Vec<Value> {
    match api.queues().await {
        Ok(queues) => queues
            .into_iter()
            .filter(|q| !own.contains(&q.name.as_str()))
            .map(|q| json!({ "name": q.name, "messages": q.messages, "consumers": q.consumers }))
            .collect(),
        Err(why) => {
            tracing::warn!("{why}");
            Vec::new()
        }
    }
}
