use super::session::Session;
use super::ApiError;
use crate::domain::OrderId;
use crate::state::AppState;
use crate::store::OrderRecord;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::get().to(list))
        .route("/orders/{id}", web::get().to(one));
}

async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    if session.is_new {
        return Ok(HttpResponse::Ok().json(json!([])));
    }
    let orders = state.orders.orders_of(&session.id).await?;
    let body: Vec<Value> = orders
        .iter()
        .map(|o| {
            json!({
                "id": o.id.0, "status": o.status, "total": o.total, "total_cents": o.total.cents(),
                "created_at": o.created_at, "item_count": o.item_count,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Only the session that placed an order sees it; to anyone else it does not exist.
async fn one(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::not_found("order_not_found", "there is no such order in this session");
    let id = id.parse::<i64>().map(OrderId).map_err(|_| not_found())?;
    let order = state
        .orders
        .order(id)
        .await?
        .filter(|o| !session.is_new && o.session == session.id);
    order
        .map(|o| HttpResponse::Ok().json(order_body(&o)))
        .ok_or_else(not_found)
}

fn order_body(o: &OrderRecord) -> Value {
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| json!({ "car_id": i.car_id.0, "quantity": i.quantity, "price": i.unit_price, "price_cents": i.unit_price.cents() }))
        .collect();
    json!({
        "order": {
            "id": o.id.0, "status": o.status, "total": o.total, "total_cents": o.total.cents(),
            "created_at": o.created_at, "customer_name": o.customer_name, "customer_email": o.customer_email,
        },
        "items": items,
    })
}
