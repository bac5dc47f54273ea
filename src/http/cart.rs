use super::cars::{car_not_found, parse_car_id};
use super::session::Session;
use super::ApiError;
use crate::cache::CartAdd;
use crate::domain::{Car, CarId, Money, Quantity, MAX_LINE_QUANTITY};
use crate::metrics::CartLabels;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/cart")
            .get(|state: web::Data<AppState>, session: Session| {
                counted(state.clone(), "view", show_cart(state, session))
            })
            .post(
                |state: web::Data<AppState>,
                 session: Session,
                 body: web::Json<Map<String, Value>>| {
                    counted(state.clone(), "add", add_car(state, session, body))
                },
            )
            .delete(|state: web::Data<AppState>, session: Session| {
                counted(state.clone(), "clear", empty_cart(state, session))
            }),
    )
    .service(
        web::resource("/cart/{car_id}")
            .put(
                |state: web::Data<AppState>,
                 session: Session,
                 car_id: web::Path<String>,
                 body: web::Json<SetBody>| {
                    counted(state.clone(), "set", set_line(state, session, car_id, body))
                },
            )
            .delete(
                |state: web::Data<AppState>, session: Session, car_id: web::Path<String>| {
                    counted(state.clone(), "remove", remove_line(state, session, car_id))
                },
            ),
    );
}

/// The compat cart shape, with names and prices filled in from the catalog.
#[derive(Serialize)]
struct CartView {
    session_id: String,
    items: Vec<CartItemView>,
    total: Money,
    total_cents: i64,
    /// Cars in the cart, counting quantities: what the header badge shows.
    count: u32,
    /// The most of one car a line may hold, so the page never has to copy the store's rule.
    max_line_quantity: u32,
}

#[derive(Serialize)]
struct CartItemView {
    car_id: i64,
    quantity: u32,
    make: String,
    model: String,
    year: i32,
    image: String,
    price: Money,
    price_cents: i64,
    line_total: Money,
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

async fn view(state: &AppState, session: &Session) -> Result<CartView, ApiError> {
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

async fn respond(
    state: &AppState,
    session: &Session,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let cart = view(state, session).await?;
    Ok(session.attach(HttpResponse::build(status).json(cart)))
}

async fn show_cart(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    respond(&state, &session, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AddBody {
    car_id: i64,
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

#[derive(Deserialize)]
struct SetBody {
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

async fn remove_line(
    state: web::Data<AppState>,
    session: Session,
    car_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let car = parse_car_id(&car_id)?;
    state.shop.carts.set(&session.owner, car, 0).await?;
    respond(&state, &session, StatusCode::OK).await
}

async fn empty_cart(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    state.shop.carts.clear(&session.owner).await?;
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
