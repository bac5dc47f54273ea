//! Which replica answered, and who else is in the store: `GET /api/replicas` for the dashboard's
//! Store panels, and the `X-Carstore-Instance` header on every answer.

use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};

pub const INSTANCE_HEADER: HeaderName = HeaderName::from_static("x-carstore-instance");

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(replicas);
}

/// This replica, then every other one heard on the replica channel lately (serve and worker processes sharing the store's database and Redis)
#[utoipa::path(
    operation_id = "listReplicas",
    responses((status = 200, description = "The roster", body = crate::replicas::RosterView)),
)]
#[get("/replicas")]
async fn replicas(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.fleet.replicas.view())
}

/// Names the replica on every answer and counts the requests in flight. While draining, each
/// answer also closes its connection, so clients holding a kept-alive connection to this
/// replica open their next one through the load balancer, to a replica that stays.
pub async fn mark(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let this = &state.fleet.replicas.this;
    let counted = this.request();
    let mut res = next.call(req).await?;
    drop(counted);
    // A checked DNS label (config/replica.rs), always a valid header value.
    if let Ok(name) = HeaderValue::from_str(&this.name) {
        res.headers_mut().insert(INSTANCE_HEADER, name);
    }
    if this.draining() {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}
