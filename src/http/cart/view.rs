//! The cart as the API answers it: the compat shape with names and prices filled in from the
//! catalog.

use super::super::session::Session;
use super::super::ApiError;
use crate::domain::{Car, Money, MAX_LINE_QUANTITY};
use crate::state::AppState;
use serde::Serialize;

/// The compat cart shape, with names and prices filled in from the catalog.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Cart)]
pub(super) struct CartView {
    session_id: String,
    items: Vec<CartItemView>,
    total: Money,
    #[schema(minimum = 0)]
    total_cents: i64,
    /// Cars in the cart, counting quantities: what the header badge shows.
    count: u32,
    /// The most of one car a line may hold, so the page never has to copy the store's rule.
    #[schema(schema_with = line_limit)]
    max_line_quantity: u32,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CartItem)]
struct CartItemView {
    #[schema(minimum = 1)]
    car_id: i64,
    #[schema(schema_with = one_or_more)]
    quantity: u32,
    make: String,
    model: String,
    #[schema(minimum = 1886)]
    year: i32,
    image: String,
    price: Money,
    #[schema(minimum = 0)]
    price_cents: i64,
    line_total: Money,
    #[schema(minimum = 0)]
    line_total_cents: i64,
}

impl CartItemView {
    fn new(car: &Car, quantity: u32) -> Self {
        let line_total = car.price * quantity;
        CartItemView {
            car_id: car.id.0,
            quantity,
            make: car.make.clone(),
            model: car.model.clone(),
            year: car.year,
            image: car.image_path(),
            price: car.price,
            price_cents: car.price.cents(),
            line_total,
            line_total_cents: line_total.cents(),
        }
    }
}

pub(super) async fn view(state: &AppState, session: &Session) -> Result<CartView, ApiError> {
    let lines = state.shop.carts.lines(&session.owner).await?;
    let cars = state
        .shop
        .catalog
        .all()
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
    let items: Vec<CartItemView> = lines
        .iter()
        .filter_map(|l| {
            cars.iter()
                .find(|c| c.id == l.car_id)
                .map(|car| CartItemView::new(car, l.quantity))
        })
        .collect();
    let total: Money = items.iter().map(|i| i.line_total).sum();
    Ok(CartView {
        session_id: session.id.as_str().to_owned(),
        count: items.iter().map(|i| i.quantity).sum(),
        max_line_quantity: MAX_LINE_QUANTITY,
        total_cents: total.cents(),
        total,
        items,
    })
}

/// A line's quantity as the API takes it: 1 to [`MAX_LINE_QUANTITY`].
pub(super) fn one_or_more() -> utoipa::openapi::Object {
    quantity(1)
}

/// A quantity to set, where 0 removes the line.
pub(super) fn zero_or_more() -> utoipa::openapi::Object {
    quantity(0)
}

fn quantity(least: u32) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .minimum(Some(least))
        .maximum(Some(MAX_LINE_QUANTITY))
        .build()
}

/// The limit itself, always [`MAX_LINE_QUANTITY`].
fn line_limit() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .enum_values(Some([MAX_LINE_QUANTITY]))
        .build()
}
