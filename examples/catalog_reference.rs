//! The benchmark's reference point for `GET /api/cars`: the smallest actix-web app that serves
//! the same catalog bytes from memory, with nothing around the handler (no middleware, no
//! headers, no metrics). carstore's catalog is measured against it in the same run, so what is
//! left between the two is carstore's own per-request work.
//!
//!     cargo run --release --example catalog_reference -- cars.json 127.0.0.1:8099

use actix_web::{web, App, HttpResponse, HttpServer};
use bytes::Bytes;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: catalog_reference CATALOG.json HOST:PORT");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(&file)?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().route(
            "/api/cars",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .bind(bind)?
    .run()
    .await
}
