//! `GET /api/categories`: the store's aisles in the order it shows them, so the catalog page's
//! filter chips follow the catalog instead of a copy of it. `GET /api/cars` is a compat array
//! and cannot carry them.

use crate::domain::Category;
use actix_web::{get, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// The aisles, in the order the store shows them
#[utoipa::path(
    operation_id = "listCategories",
    responses((status = 200, description = "The categories", body = [Category])),
)]
#[get("/categories")]
async fn list() -> HttpResponse {
    HttpResponse::Ok().json(Category::ALL)
}
