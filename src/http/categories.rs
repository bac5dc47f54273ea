//! `GET /api/categories`: the store's aisles in the order it shows them, so the catalog page's
//! filter chips follow the catalog instead of a copy of it. `GET /api/cars` is a compat array
//! and cannot carry them.

use crate::domain::Category;
use actix_web::{web, HttpResponse};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/categories", web::get().to(list));
}

async fn list() -> HttpResponse {
    HttpResponse::Ok().json(Category::ALL)
}
