use super::ApiError;
use crate::catalog::CarQuery;
use crate::domain::{CarId, Category};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/cars", web::get().to(list))
        .route("/cars/{id}", web::get().to(one));
}

#[derive(Deserialize)]
struct ListParams {
    category: Option<String>,
    q: Option<String>,
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

async fn list(
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_inner().parse()?;
    if query.is_everything() {
        let listing = state
            .catalog
            .listing()
            .await
            .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(listing));
    }
    let cars = state
        .catalog
        .search(&query)
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?;
    Ok(HttpResponse::Ok().json(cars))
}

async fn one(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_car_id(&id)?;
    match state
        .catalog
        .find(id)
        .await
        .map_err(|e| ApiError::unavailable("catalog_unavailable", e))?
    {
        Some(car) => Ok(HttpResponse::Ok().json(car)),
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
