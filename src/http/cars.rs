use super::openapi::{BadRequest, Invalid, NotFound, Unavailable};
use super::ApiError;
use crate::catalog::CarQuery;
use crate::domain::{Car, CarId, Category, Money};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(one);
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// One aisle (a category's name); `all` or empty means every car.
    category: Option<String>,
    /// Words in make, model or description, case-insensitive (first 100 characters).
    q: Option<String>,
    /// The order: `price_asc`, `price_desc`, `year_desc`, or empty for the catalog's.
    sort: Option<String>,
}

impl ListParams {
    fn parse(self) -> Result<CarQuery, ApiError> {
        let category = match self
            .category
            .as_deref()
            .filter(|c| !c.is_empty() && *c != "all")
        {
            Some(c) => Some(c.parse::<Category>().map_err(|_| {
                let known: Vec<_> = Category::ALL.iter().map(|c| c.as_str()).collect();
                ApiError::invalid(
                    "invalid_category",
                    format!("category must be one of {}", known.join(", ")),
                )
            })?),
            None => None,
        };
        let sort = match self.sort.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(
                s.parse()
                    .map_err(|m: String| ApiError::invalid("invalid_sort", m))?,
            ),
            None => None,
        };
        let text = self.q.map(|q| q.trim().chars().take(100).collect());
        Ok(CarQuery {
            category,
            text,
            sort,
        })
    }
}

/// The catalog (compat), optionally filtered and sorted
#[utoipa::path(
    operation_id = "listCars",
    params(ListParams),
    responses(
        (status = 200, description = "The cars", body = [CarView]),
        (status = 400, response = BadRequest),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/cars")]
async fn list(
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_inner().parse()?;
    if query.is_everything() {
        let listing = state
            .shop
            .catalog
            .listing()
            .await
            .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(listing));
    }
    let cars = state
        .shop
        .catalog
        .search(&query)
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
    Ok(HttpResponse::Ok().json(cars.iter().map(CarView::from).collect::<Vec<_>>()))
}

/// One car (compat)
#[utoipa::path(
    operation_id = "getCar",
    params(("id" = i64, Path, description = "A car's catalog number.")),
    responses(
        (status = 200, description = "The car", body = CarView, links(
            ("add" = (operation_id = "addToCart", request_body = json!({ "car_id": "$response.body#/id" }))),
        )),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/cars/{id}")]
async fn one(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_car_id(&id)?;
    match state
        .shop
        .catalog
        .find(id)
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?
    {
        Some(car) => Ok(HttpResponse::Ok().json(CarView::from(&car))),
        None => Err(car_not_found(id.0)),
    }
}

/// A path segment that is not a number names no car.
pub fn parse_car_id(raw: &str) -> Result<CarId, ApiError> {
    raw.parse::<i64>()
        .map(CarId)
        .map_err(|_| ApiError::not_found("car_not_found", "no car has that id"))
}

pub fn car_not_found(id: i64) -> ApiError {
    ApiError::not_found("car_not_found", format!("there is no car with id {id}"))
}

/// The compat `Car` shape, `{id, make, model, year, price, description, image}`, plus
/// `price_cents` and `category`. The domain's `Car` knows nothing of JSON; this is the one
/// place its wire form is written.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Car)]
struct CarView<'a> {
    #[schema(minimum = 1)]
    id: i64,
    make: &'a str,
    model: &'a str,
    #[schema(minimum = 1886)]
    year: i32,
    price: Money,
    #[schema(minimum = 0)]
    price_cents: i64,
    category: Category,
    description: &'a str,
    image: String,
}

impl<'a> From<&'a Car> for CarView<'a> {
    fn from(car: &'a Car) -> Self {
        CarView {
            id: car.id.0,
            make: &car.make,
            model: &car.model,
            year: car.year,
            price: car.price,
            price_cents: car.price.cents(),
            category: car.category,
            description: &car.description,
            image: car.image_path(),
        }
    }
}

/// The body of `GET /api/cars` with no filter; the catalog calls this once per copy it takes.
pub fn listing(cars: &[Car]) -> Bytes {
    let views: Vec<CarView> = cars.iter().map(CarView::from).collect();
    Bytes::from(serde_json::to_vec(&views).expect("a car serializes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BodyType;

    #[test]
    fn car_serialises_to_the_compat_shape() {
        let car = Car {
            id: CarId(1),
            make: "Toyota".into(),
            model: "Corolla".into(),
            year: 2020,
            price: Money::from_dollars(18_000),
            category: Category::Starter,
            description: "d".into(),
            body: BodyType::Sedan,
            colour: "#c0392b".into(),
        };
        let v = serde_json::to_value(CarView::from(&car)).unwrap();
        assert_eq!(v["id"], 1);
        assert_eq!(v["price"], 18000.0);
        assert_eq!(v["price_cents"], 1_800_000);
        assert_eq!(v["category"], "starter");
        assert_eq!(v["image"], "/images/cars/1.svg");
        let listed: serde_json::Value = serde_json::from_slice(&listing(&[car])).unwrap();
        assert_eq!(listed, serde_json::json!([v]));
    }
}
