//! `GET /api/queues`: the store's own queues with their messages and consumers, then every other
//! queue of the vhost when the RabbitMQ management API is configured.

use super::ApiError;
use crate::ops::vhost_queues::ManagementApi;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Queue)]
struct QueueRow {
    name: String,
    messages: u64,
    consumers: u64,
}

/// The store's queues, then the vhost's others
#[utoipa::path(
    operation_id = "listQueues",
    responses(
        (status = 200, description = "The queues", body = [QueueRow]),
        (status = 503, response = super::openapi::Unavailable),
    ),
)]
#[get("/queues")]
async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let depth = state.shop.queue.depth().await?;
    let names = state.shop.queue.names();
    let mut rows = vec![
        QueueRow {
            name: names.orders.clone(),
            messages: depth.messages,
            consumers: depth.consumers.into(),
        },
        QueueRow {
            name: names.dead_letters.clone(),
            messages: depth.dead_lettered,
            consumers: 0,
        },
    ];
    if let Some(api) = &state.console.vhost_queues {
        rows.extend(vhost_rows(api, &[&names.orders, &names.dead_letters]).await);
    }
    Ok(HttpResponse::Ok().json(rows))
}

/// The vhost's other queues; without them (the management API is down) the store's own still show.
async fn vhost_rows(api: &ManagementApi, own: &[&str]) -> Vec<QueueRow> {
    match api.queues().await {
        Ok(queues) => queues
            .into_iter()
            .filter(|q| !own.contains(&q.name.as_str()))
            .map(|q| QueueRow {
                name: q.name,
                messages: q.messages,
                consumers: q.consumers,
            })
            .collect(),
        Err(why) => {
            tracing::warn!("{why}");
            Vec::new()
        }
    }
}
