//! `GET /api/openapi.json`: the HTTP contract as OpenAPI 3.1, written here beside the handlers it
//! describes. Enumerations and limits come from the code's own constants, so they cannot differ;
//! the routes and the response shapes are held to the running store by tests (the embedded
//! `contract` tests walk actix's routes and validate live answers; `ops/contract/schemathesis.sh`
//! fuzzes a live store against this document).

mod accounts;
mod admin_load;
mod faults;
mod replicas;
mod scenarios;
mod schemas;
mod shop;
mod system;

use actix_web::{web, HttpResponse};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(serve));
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

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    shop::paths(&mut paths);
    system::paths(&mut paths);
    replicas::paths(&mut paths);
    accounts::paths(&mut paths);
    faults::paths(&mut paths);
    scenarios::paths(&mut paths);
    refusals_every_request_may_get(&mut paths);
    let mut schemas = schemas::schemas();
    if let Value::Object(schemas) = &mut schemas {
        replicas::schemas(schemas);
        accounts::schemas(schemas);
        faults::schemas(schemas);
        scenarios::schemas(schemas);
    }
    let mut responses = schemas::responses();
    if let Value::Object(responses) = &mut responses {
        accounts::responses(responses);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "carstore",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A demo car store and the operations console around it. JSON in and out; \
                every error is {\"error\": snake_code, \"message\": sentence}; a dependency outage \
                is 503 with Retry-After and changes nothing. Shapes marked compat are fixed for \
                older clients: fields may be added, never renamed, retyped or dropped.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "securitySchemes": {
                "adminBearer": {"type": "http", "scheme": "bearer",
                    "description": "The admin token (CARSTORE_ADMIN_TOKEN)."},
                "adminCookie": {"type": "apiKey", "in": "cookie", "name": "carstore_admin",
                    "description": "Set by POST /api/admin/login."},
            },
        },
    })
}

/// The refusals made before any route (`http::guard`): 403 to a state change from another site,
/// 415 to a body that is not JSON; and 429 to a live feed past its limit.
fn refusals_every_request_may_get(paths: &mut Map<String, Value>) {
    for (path, item) in paths.iter_mut() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let responses = &mut op["responses"];
            if method != "get" && method != "head" {
                responses["403"] = response("CrossSite");
            }
            if op.get("requestBody").is_some() {
                op["responses"]["415"] = response("NotJson");
            }
            let feed = path == "/api/events" || path == "/api/service/{name}/logs";
            if feed && op["responses"].get("429").is_none() {
                op["responses"]["429"] = response("TooManyStreams");
            }
        }
    }
}

/// `{"$ref": "#/components/schemas/<name>"}`.
fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `{"$ref": "#/components/responses/<name>"}`.
fn response(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// A JSON answer with this schema.
fn answer(description: &str, body: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": body } } })
}

/// A response with OpenAPI links: where a stateful client goes next with values from it.
fn linked(mut response: Value, links: Value) -> Value {
    response["links"] = links;
    response
}

/// A required JSON request body.
fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

/// An object that has exactly these fields: a field the code adds without the document fails
/// the contract tests.
fn closed(required: &[(&str, Value)]) -> Value {
    let properties: Map<String, Value> = required
        .iter()
        .map(|(name, s)| ((*name).to_owned(), s.clone()))
        .collect();
    let names: Vec<&str> = required.iter().map(|(name, _)| *name).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": names,
        "additionalProperties": false,
    })
}

fn path_param(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": schema,
            "description": description })
}

fn query_param(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema,
            "description": description })
}

/// The shopper's cookie: optional, and a malformed one is a new session, never an error.
fn session_cookie() -> Value {
    json!({ "name": "session_id", "in": "cookie", "required": false,
            "schema": { "type": "string" },
            "description": "The shopper's session; unknown or malformed means a new, empty one." })
}

/// What an admin operation accepts: the bearer token or the cookie from signing in.
fn admin_only() -> Value {
    json!([{ "adminBearer": [] }, { "adminCookie": [] }])
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn integer(minimum: i64) -> Value {
    json!({ "type": "integer", "minimum": minimum })
}

fn number() -> Value {
    json!({ "type": "number", "minimum": 0 })
}

fn boolean() -> Value {
    json!({ "type": "boolean" })
}

fn constant(value: &str) -> Value {
    json!({ "const": value })
}

fn timestamp() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}
