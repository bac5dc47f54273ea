use super::openapi::{NotFound, SessionCookie, Unavailable};
use super::session::Session;
use super::ApiError;
use crate::domain::{Money, OrderId, OrderStatus};
use crate::state::AppState;
use crate::store::{OrderRecord, OrderSummary, PricedLine};
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(one);
}

/// This session's orders, newest first
#[utoipa::path(
    operation_id = "listOrders",
    params(SessionCookie),
    responses(
        (status = 200, description = "The orders", body = [SummaryView]),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/orders")]
async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    if session.is_new {
        return Ok(HttpResponse::Ok().json(Vec::<SummaryView>::new()));
    }
    let orders = state.shop.orders.orders_of(&session.owner).await?;
    let body: Vec<_> = orders.iter().map(SummaryView::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One order (compat), only to the session that placed it
///
/// To any other session it does not exist.
#[utoipa::path(
    operation_id = "getOrder",
    params(("id" = i64, Path, description = "The order's id."), SessionCookie),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/orders/{id}")]
async fn one(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::not_found("order_not_found", "there is no such order in this session");
    let id = id.parse::<i64>().map(OrderId).map_err(|_| not_found())?;
    let order = state
        .shop
        .orders
        .order(id)
        .await?
        .filter(|o| !session.is_new && o.session == session.owner);
    order
        .map(|o| HttpResponse::Ok().json(OrderView::from(&o)))
        .ok_or_else(not_found)
}

/// One line of `GET /api/orders`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrderSummary)]
struct SummaryView {
    #[schema(minimum = 1)]
    id: i64,
    status: OrderStatus,
    total: Money,
    #[schema(minimum = 0)]
    total_cents: i64,
    created_at: DateTime<Utc>,
    #[schema(minimum = 1)]
    item_count: u32,
}

impl From<&OrderSummary> for SummaryView {
    fn from(o: &OrderSummary) -> Self {
        SummaryView {
            id: o.id.0,
            status: o.status,
            total: o.total,
            total_cents: o.total.cents(),
            created_at: o.created_at,
            item_count: o.item_count,
        }
    }
}

/// The compat `GET /api/orders/{id}` shape: `{order:{...}, items:[{car_id, quantity, price}]}`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Order)]
struct OrderView<'a> {
    order: OrderHead<'a>,
    items: Vec<OrderItemView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OrderHead<'a> {
    #[schema(minimum = 1)]
    id: i64,
    status: OrderStatus,
    total: Money,
    #[schema(minimum = 0)]
    total_cents: i64,
    created_at: DateTime<Utc>,
    customer_name: &'a str,
    customer_email: &'a str,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrderItem)]
struct OrderItemView {
    #[schema(minimum = 1)]
    car_id: i64,
    #[schema(minimum = 1)]
    quantity: u32,
    price: Money,
    #[schema(minimum = 0)]
    price_cents: i64,
}

impl<'a> From<&'a OrderRecord> for OrderView<'a> {
    fn from(o: &'a OrderRecord) -> Self {
        OrderView {
            order: OrderHead {
                id: o.id.0,
                status: o.status,
                total: o.total,
                total_cents: o.total.cents(),
                created_at: o.created_at,
                customer_name: &o.customer_name,
                customer_email: &o.customer_email,
            },
            items: o.items.iter().map(OrderItemView::from).collect(),
        }
    }
}

impl From<&PricedLine> for OrderItemView {
    fn from(i: &PricedLine) -> Self {
        OrderItemView {
            car_id: i.car_id.0,
            quantity: i.quantity,
            price: i.unit_price,
            price_cents: i.unit_price.cents(),
        }
    }
}
