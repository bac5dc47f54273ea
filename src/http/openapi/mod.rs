//! `GET /api/openapi.json`: the HTTP contract as OpenAPI 3.1, read from the code. Each handler
//! says what it answers in its `#[utoipa::path]` beside its route, the request and answer types
//! derive their schemas, and the routes come from the one list `http::routes` registers, so a
//! route cannot be served without being documented. The tests hold the document to the running
//! store (the embedded `contract` tests walk actix's routes and validate live answers;
//! `ops/contract/schemathesis.sh` fuzzes a live store against it).

mod refusals;
pub mod rules;

pub use refusals::{
    AdminOnly, BadRequest, Conflict, Invalid, NotFound, NotSignedIn, SignInLimited, TooLarge,
    TooManySignUps, Unavailable,
};

use actix_web::{get, HttpResponse};
use bytes::Bytes;
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder};
use utoipa::{IntoParams, PartialSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(serve);
}

/// The shopper's cookie: optional, and a malformed one is a new session, never an error.
#[derive(IntoParams)]
#[into_params(parameter_in = Cookie)]
pub struct SessionCookie {
    /// The shopper's session; unknown or malformed means a new, empty one.
    #[allow(dead_code)]
    session_id: Option<String>,
}

/// The document, built once, and its bytes.
fn built() -> &'static (Value, Bytes) {
    static BUILT: OnceLock<(Value, Bytes)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let doc = document();
        let body = Bytes::from(serde_json::to_vec(&doc).expect("the document serializes"));
        (doc, body)
    })
}

#[utoipa::path(
    operation_id = "openapi",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1", body = Object)),
)]
#[get("/openapi.json")]
async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(built().1.clone())
}

/// The methods the contract gives a request path, for a 405's `Allow` (`GET, POST`): those of
/// every documented path it fits, as overlapping paths share a request. `None` for a path the
/// contract does not describe (the web page's). The contract tests hold these to the routes.
pub fn methods_for(path: &str) -> Option<String> {
    let asked: Vec<&str> = path.split('/').collect();
    let fits = |template: &str| {
        let parts: Vec<&str> = template.split('/').collect();
        parts.len() == asked.len()
            && parts
                .iter()
                .zip(&asked)
                .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
    };
    let mut methods: Vec<String> = built().0["paths"]
        .as_object()?
        .iter()
        .filter(|(template, _)| fits(template))
        .flat_map(|(_, item)| item.as_object().into_iter().flat_map(|ops| ops.keys()))
        .map(|m| m.to_uppercase())
        .collect();
    methods.sort();
    methods.dedup();
    (!methods.is_empty()).then(|| methods.join(", "))
}

/// The whole document: the paths and schemas the routes declare, and what they share.
pub fn document() -> Value {
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .configure(super::routes)
        .split_for_parts();
    api.info = InfoBuilder::new()
        .title("carstore")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "A demo car store and the operations console around it. JSON in and out; every \
             error is {\"error\": snake_code, \"message\": sentence}; a dependency outage is \
             503 with Retry-After and changes nothing. Shapes marked compat are fixed for older \
             clients: fields may be added, never renamed, retyped or dropped.",
        ))
        .build();
    let shared = ComponentsBuilder::new()
        .schema("Error", super::error::ErrorBody::schema())
        .responses_from_iter(refusals::all())
        .security_scheme(
            "adminBearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The admin token (CARSTORE_ADMIN_TOKEN)."))
                    .build(),
            ),
        )
        .security_scheme(
            "adminCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "carstore_admin",
                "Set by POST /api/admin/login.",
            ))),
        )
        .build();
    api.merge(
        utoipa::openapi::OpenApiBuilder::new()
            .components(Some(shared))
            .build(),
    );
    let mut doc = serde_json::to_value(&api).expect("the document serializes");
    refusals::every_request_may_get(&mut doc["paths"]);
    refusals::headers_always_sent(&mut doc);
    links_in_openapi_words(&mut doc["paths"]);
    doc
}

/// utoipa 5.5 writes a link's fields in Rust's words (`operation_id`, `request_body`); OpenAPI
/// and the clients that follow links (a stateful fuzzer) read `operationId` and `requestBody`.
fn links_in_openapi_words(paths: &mut Value) {
    let operations = paths
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut());
    let responses = operations
        .flat_map(|item| {
            item.as_object_mut()
                .into_iter()
                .flat_map(|ops| ops.values_mut())
        })
        .flat_map(|op| {
            op["responses"]
                .as_object_mut()
                .into_iter()
                .flat_map(|r| r.values_mut())
        });
    for response in responses {
        let links = response.get_mut("links").and_then(Value::as_object_mut);
        for link in links.into_iter().flat_map(|l| l.values_mut()) {
            let Some(link) = link.as_object_mut() else {
                continue;
            };
            for (rust, openapi) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(rust) {
                    link.insert(openapi.into(), value);
                }
            }
        }
    }
}
