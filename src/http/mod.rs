//! The HTTP layer: one module per resource, each with its own `configure`. Handlers parse input
//! into domain types, call a use case or an adapter trait, and map errors through `ApiError`.

mod account;
pub mod admin;
mod cars;
mod cart;
mod categories;
mod checkout;
mod error;
mod events;
mod faults;
mod forwarded;
mod guard;
mod health;
mod load;
mod logs;
mod metrics;
mod openapi;
mod orders;
mod queues;
mod replicas;
mod scenarios;
mod scrape;
mod services;
mod session;
mod spa;
mod status;

pub use cars::listing as car_listing;
pub use error::ApiError;
pub use faults::refuse_on_purpose;
pub use guard::check as guard_requests;
pub use metrics::record as record_metrics;
pub use replicas::{mark as mark_replica, INSTANCE_HEADER};
pub use scrape::MetricsSources;
pub use spa::ASSET_VERSION;

use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// A place for one more live feed from this client, or the 429 that says why there is none.
fn feed_slot(
    state: &crate::state::AppState,
    req: &HttpRequest,
) -> Result<crate::access::FeedSlot, ApiError> {
    let client = forwarded::address(req, &state.access.trusted_proxies);
    state.access.feeds.take(client).map_err(|full| {
        let whose = if full.by_client {
            "from this address"
        } else {
            "on this store"
        };
        ApiError::Limited {
            code: "too_many_streams",
            message: format!("too many live feeds open {whose}; close one and try again"),
            retry_after_secs: crate::access::FEEDS_RETRY_AFTER_SECS,
        }
    })
}

/// Largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of the store, registered on actix's own configuration.
pub fn configure(cfg: &mut web::ServiceConfig) {
    routes(&mut ServiceConfig::new(cfg));
}

/// Every route of the store, and through `utoipa` what each says of itself: the one list both
/// the server and the OpenAPI document read. The UI routes come last and answer GET only, so an
/// unknown `/api/...` path is a JSON 404 from the API scope, never the web page.
fn routes(cfg: &mut ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            ApiError::bad_request("invalid_query", format!("query string: {e}")).into()
        }))
        .service(
            scope("/api")
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed),
                )
                .configure(cars::configure)
                .configure(categories::configure)
                .configure(cart::configure)
                .configure(checkout::configure)
                .configure(account::configure)
                .configure(orders::configure)
                .configure(status::configure)
                .configure(admin::configure)
                .configure(services::configure)
                .configure(faults::configure)
                .configure(scenarios::configure)
                .configure(queues::configure)
                .configure(events::configure)
                .configure(logs::configure)
                .configure(load::configure)
                .configure(replicas::configure)
                .configure(openapi::configure)
                .default_service(web::to(api_not_found)),
        )
        .configure(health::configure)
        .configure(metrics::configure)
        .configure(spa::configure)
        .default_service(web::to(page_not_found));
}

/// What `carstore worker` answers: its metrics and that it is alive; nothing of the store.
pub fn configure_worker(cfg: &mut web::ServiceConfig) {
    ServiceConfig::new(cfg)
        .configure(health::configure_alive)
        .configure(metrics::configure)
        .default_service(web::to(page_not_found));
}

/// Request bodies: at most 64 KiB, and every failure as our JSON error. A body that names a
/// type other than JSON was already refused with 415 (`guard`); one that names none is read as
/// JSON.
fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .content_type_required(false)
        .error_handler(|e, _| ApiError::from(e).into())
}

/// Headers on every response. JSON and text answers get the strictest CSP, which lets them load
/// nothing and be framed nowhere; the page and its assets replace it with the page's own
/// ([`PAGE_CSP`], set in `spa.rs`). Keeping the page-only headers off the API saves a third of
/// a kilobyte on every answer.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
}

/// The page's policy: no inline script or style, nothing from elsewhere.
pub(crate) const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What the page and its assets carry besides [`security_headers`].
pub(crate) const PAGE_HEADERS: [(&str, &str); 3] = [
    ("Content-Security-Policy", PAGE_CSP),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// A path the API has, asked with a method none of its routes takes, is a 405 whichever way the
/// routes were registered; any other path under `/api` is a JSON 404. Outside `/api` likewise.
async fn api_not_found(req: HttpRequest) -> HttpResponse {
    if req.resource_map().has_resource(req.path()) {
        return not_allowed(&req);
    }
    ApiError::not_found("not_found", "there is no such API endpoint").error_response()
}

async fn page_not_found(req: HttpRequest) -> HttpResponse {
    if req.resource_map().has_resource(req.path()) {
        return not_allowed(&req);
    }
    ApiError::not_found("not_found", "there is nothing at this address").error_response()
}

/// 405 with the `Allow` header HTTP requires: the methods the contract lists for this path, or
/// GET and HEAD on the web page's routes (which the contract leaves out).
fn not_allowed(req: &HttpRequest) -> HttpResponse {
    let allow = openapi::methods_for(req.path()).unwrap_or_else(|| "GET, HEAD".into());
    let mut resp = ApiError::MethodNotAllowed.error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(header::ALLOW, value);
    }
    resp
}

fn method_not_allowed<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let resp = not_allowed(&req);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, resp).map_into_right_body(),
    ))
}
