//! The shopper's cart: `/api/cart` and its lines.

mod view;

use super::cars::{car_not_found, parse_car_id};
use super::openapi::{BadRequest, Invalid, NotFound, SessionCookie, TooLarge, Unavailable};
use super::session::Session;
use super::ApiError;
use crate::cache::CartAdd;
use crate::domain::{CarId, Quantity, MAX_LINE_QUANTITY};
use crate::metrics::CartLabels;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa_actix_web::service_config::ServiceConfig;
use view::{view, CartView};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_cart)
        .service(add_to_cart)
        .service(empty_cart)
        .service(set_cart_line)
        .service(remove_cart_line);
}

/// This session's cart (compat); sets the session cookie when new
#[utoipa::path(
    operation_id = "getCart",
    params(SessionCookie),
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/cart")]
async fn get_cart(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    counted(
        state.clone(),
        "view",
        respond(&state, &session, StatusCode::OK),
    )
    .await
}

/// Add a car (compat); a car already in the cart gets its quantity raised
#[utoipa::path(
    operation_id = "addToCart",
    params(SessionCookie),
    request_body = AddBody,
    responses(
        (status = 201, description = "The cart with the car added", body = CartView, links(
            ("checkout" = (operation_id = "checkout",
                request_body = json!({ "session_id": "$response.body#/session_id" }))),
            ("set" = (operation_id = "setCartLine", parameters(
                ("path.car_id" = "$response.body#/items/0/car_id"),
                ("cookie.session_id" = "$response.body#/session_id"),
            ))),
        )),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
#[post("/cart")]
async fn add_to_cart(
    state: web::Data<AppState>,
    session: Session,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    counted(state.clone(), "add", add_car(state, session, body)).await
}

/// Empty the cart (compat)
#[utoipa::path(
    operation_id = "emptyCart",
    params(SessionCookie),
    responses(
        (status = 200, description = "The empty cart", body = CartView),
        (status = 503, response = Unavailable),
    ),
)]
#[delete("/cart")]
async fn empty_cart(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let emptied = async {
        state.shop.carts.clear(&session.owner).await?;
        respond(&state, &session, StatusCode::OK).await
    };
    counted(state.clone(), "clear", emptied).await
}

/// Set one line's quantity (compat); 0 removes it
#[utoipa::path(
    operation_id = "setCartLine",
    params(("car_id" = i64, Path, description = "A car's catalog number."), SessionCookie),
    request_body = SetBody,
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
#[put("/cart/{car_id}")]
async fn set_cart_line(
    state: web::Data<AppState>,
    session: Session,
    car_id: web::Path<String>,
    body: web::Json<SetBody>,
) -> Result<HttpResponse, ApiError> {
    counted(state.clone(), "set", set_line(state, session, car_id, body)).await
}

/// Remove one line (compat)
#[utoipa::path(
    operation_id = "removeCartLine",
    params(("car_id" = i64, Path, description = "A car's catalog number."), SessionCookie),
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
#[delete("/cart/{car_id}")]
async fn remove_cart_line(
    state: web::Data<AppState>,
    session: Session,
    car_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let removed = async {
        state
            .shop
            .carts
            .set(&session.owner, parse_car_id(&car_id)?, 0)
            .await?;
        respond(&state, &session, StatusCode::OK).await
    };
    counted(state.clone(), "remove", removed).await
}

async fn respond(
    state: &AppState,
    session: &Session,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let cart = view(state, session).await?;
    Ok(session.attach(HttpResponse::build(status).json(cart)))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AddBody {
    car_id: i64,
    /// How many; one when left out.
    #[schema(schema_with = view::one_or_more, required = false)]
    quantity: Option<Value>,
}

impl AddBody {
    /// An absent `quantity` means one, but `null` is no quantity: `Option` alone would merge
    /// the two, so the body is read as an object first.
    fn from_object(object: Map<String, Value>) -> Result<AddBody, ApiError> {
        let null_quantity = object.get("quantity") == Some(&Value::Null);
        let body: AddBody = serde_json::from_value(Value::Object(object))
            .map_err(|e| ApiError::bad_request("invalid_request", e.to_string()))?;
        if null_quantity {
            return Err(ApiError::invalid(
                "invalid_quantity",
                "quantity must be a whole number; leave it out to add one",
            ));
        }
        Ok(body)
    }
}

async fn add_car(
    state: web::Data<AppState>,
    session: Session,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let body = AddBody::from_object(body.into_inner())?;
    let quantity = match &body.quantity {
        None => Quantity::parse(1).expect("1 is a valid quantity"),
        Some(v) => parse_quantity(v)?,
    };
    let car = known_car(&state, CarId(body.car_id)).await?;
    let added = state
        .shop
        .carts
        .add(&session.owner, car, quantity, MAX_LINE_QUANTITY)
        .await;
    match added? {
        CartAdd::Added => respond(&state, &session, StatusCode::CREATED).await,
        CartAdd::LineFull { current } => Err(ApiError::invalid(
            "invalid_quantity",
            format!("at most {MAX_LINE_QUANTITY} of one car per cart; this cart already holds {current}"),
        )),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
struct SetBody {
    #[schema(schema_with = view::zero_or_more)]
    quantity: Value,
}

async fn set_line(
    state: web::Data<AppState>,
    session: Session,
    car_id: web::Path<String>,
    body: web::Json<SetBody>,
) -> Result<HttpResponse, ApiError> {
    // Zero as `0.0` removes the line too: JSON says it is the same number, as `2.0` is 2.
    let quantity = match body.quantity.as_f64() {
        Some(0.0) => 0,
        _ => parse_quantity(&body.quantity)?.get(),
    };
    // Removing needs no catalog: a car no longer sold can still leave the cart.
    let car = match quantity {
        0 => parse_car_id(&car_id)?,
        _ => known_car(&state, parse_car_id(&car_id)?).await?,
    };
    state.shop.carts.set(&session.owner, car, quantity).await?;
    respond(&state, &session, StatusCode::OK).await
}

/// Counts each cart operation by its outcome for the metrics.
async fn counted(
    state: web::Data<AppState>,
    operation: &'static str,
    work: impl std::future::Future<Output = Result<HttpResponse, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    let result = work.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(ApiError::Unavailable { .. }) => "unavailable",
        Err(_) => "rejected",
    };
    let labels = CartLabels {
        operation,
        result: outcome,
    };
    state
        .console
        .metrics
        .cart_operations
        .get_or_create(&labels)
        .inc();
    result
}

fn parse_quantity(v: &Value) -> Result<Quantity, ApiError> {
    use crate::domain::QuantityError;
    Quantity::from_json(v).map_err(|e| match e {
        QuantityError::NotAnInteger => {
            ApiError::bad_request("invalid_request", "quantity must be an integer")
        }
        QuantityError::OutOfRange(why) => ApiError::invalid("invalid_quantity", why.0),
    })
}

async fn known_car(state: &AppState, id: CarId) -> Result<CarId, ApiError> {
    let found = state
        .shop
        .catalog
        .find(id)
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
    found.map(|c| c.id).ok_or_else(|| car_not_found(id.0))
}
