//! The shopper's side: catalog, cart, checkout and orders.

use super::{
    answer, array, body, closed, constant, linked, path_param, query_param, response, schema,
    session_cookie,
};
use crate::domain::{Category, MAX_LINE_QUANTITY};
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    let mut categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    categories.extend(["all", ""]);
    paths.insert("/api/cars".into(), json!({ "get": {
        "operationId": "listCars",
            "summary": "The catalog (compat), optionally filtered and sorted",
        "parameters": [
            query_param("category", json!({ "type": "string", "enum": categories }),
                "One aisle; `all` or empty means every car."),
            query_param("q", json!({ "type": "string" }),
                "Words in make, model or description, case-insensitive (first 100 characters)."),
            query_param("sort", json!({ "type": "string",
                "enum": ["price_asc", "price_desc", "year_desc", ""] }), "The order."),
        ],
        "responses": {
            "200": answer("The cars", array(schema("Car"))),
            "400": response("BadRequest"),
            "422": response("Invalid"),
            "503": response("Unavailable"),
        },
    }}));
    paths.insert(
        "/api/cars/{id}".into(),
        json!({ "get": {
            "operationId": "getCar",
            "summary": "One car (compat)",
            "parameters": [car_id("id")],
            "responses": {
                "200": linked(answer("The car", schema("Car")), json!({
                    "add": { "operationId": "addToCart",
                             "requestBody": { "car_id": "$response.body#/id" } },
                })),
                "404": response("NotFound"),
                "503": response("Unavailable"),
            },
        }}),
    );
    paths.insert(
        "/api/categories".into(),
        json!({ "get": {
            "operationId": "listCategories",
            "summary": "The aisles, in the order the store shows them",
            "responses": { "200": answer("The categories", array(schema("Category"))) },
        }}),
    );
    cart(paths);
    orders(paths);
}

/// The cart a car went into, and where a stateful fuzzer goes next with its session: the
/// checkout (the body's `session_id` is the cart's), and that line's quantity.
fn added_to_cart() -> Value {
    let cart = answer("The cart with the car added", schema("Cart"));
    json!({ "201": linked(cart, json!({
        "checkout": { "operationId": "checkout",
                      "requestBody": { "session_id": "$response.body#/session_id" } },
        "set": { "operationId": "setCartLine",
                 "parameters": { "path.car_id": "$response.body#/items/0/car_id",
                                 "cookie.session_id": "$response.body#/session_id" } },
    })) })
}

/// The compat checkout answer, and the order it names, seen by the session that placed it.
fn placed() -> Value {
    let created = closed(&[
        ("order_id", json!({ "type": "integer", "minimum": 1 })),
        ("status", constant("created")),
    ]);
    linked(
        answer(
            "The order was placed (or was already, for this key)",
            created,
        ),
        json!({
            "order": { "operationId": "getOrder",
                       "parameters": { "path.id": "$response.body#/order_id",
                                       "cookie.session_id": "$request.body#/session_id" } },
            "orders": { "operationId": "listOrders",
                        "parameters": { "cookie.session_id": "$request.body#/session_id" } },
        }),
    )
}

/// A car id in the path; one that is not a number names no car (404).
fn car_id(name: &str) -> Value {
    path_param(
        name,
        json!({ "type": "integer" }),
        "A car's catalog number.",
    )
}

fn cart(paths: &mut Map<String, Value>) {
    let cart = |status: &str, what: &str| json!({ status: answer(what, schema("Cart")) });
    let with = |mut ok: Value, errors: &[(&str, &str)]| {
        for (status, name) in errors {
            ok[*status] = response(name);
        }
        ok
    };
    let quantity = |minimum: u32| json!({ "type": "integer", "minimum": minimum, "maximum": MAX_LINE_QUANTITY });
    paths.insert(
        "/api/cart".into(),
        json!({
            "get": {
                "operationId": "getCart",
            "summary": "This session's cart (compat); sets the session cookie when new",
                "parameters": [session_cookie()],
                "responses": with(cart("200", "The cart"), &[("503", "Unavailable")]),
            },
            "post": {
                "operationId": "addToCart",
            "summary": "Add a car (compat); a car already in the cart gets its quantity raised",
                "parameters": [session_cookie()],
                "requestBody": body(json!({
                    "type": "object",
                    "properties": { "car_id": { "type": "integer" }, "quantity": quantity(1) },
                    "required": ["car_id"],
                })),
                "responses": with(added_to_cart(), &[
                    ("400", "BadRequest"), ("404", "NotFound"), ("413", "TooLarge"),
                    ("422", "Invalid"), ("503", "Unavailable"),
                ]),
            },
            "delete": {
                "operationId": "emptyCart",
            "summary": "Empty the cart (compat)",
                "parameters": [session_cookie()],
                "responses": with(cart("200", "The empty cart"), &[("503", "Unavailable")]),
            },
        }),
    );
    paths.insert(
        "/api/cart/{car_id}".into(),
        json!({
            "put": {
                "operationId": "setCartLine",
            "summary": "Set one line's quantity (compat); 0 removes it",
                "parameters": [car_id("car_id"), session_cookie()],
                "requestBody": body(json!({
                    "type": "object",
                    "properties": { "quantity": quantity(0) },
                    "required": ["quantity"],
                })),
                "responses": with(cart("200", "The cart"), &[
                    ("400", "BadRequest"), ("404", "NotFound"), ("413", "TooLarge"),
                    ("422", "Invalid"), ("503", "Unavailable"),
                ]),
            },
            "delete": {
                "operationId": "removeCartLine",
            "summary": "Remove one line (compat)",
                "parameters": [car_id("car_id"), session_cookie()],
                "responses": with(cart("200", "The cart"), &[
                    ("404", "NotFound"), ("503", "Unavailable"),
                ]),
            },
        }),
    );
}

/// What trimming removes (Unicode White_Space, as `str::trim`) and what is never accepted
/// (control characters), spelled out: regex engines disagree on what `\s` means.
const SPACE: &str =
    r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// The name on an order: 1 to 200 characters once trimmed, none of them control characters.
/// The schema says only what no padding can mend (empty, a control character that is not
/// space), so whatever it refuses the store refuses too.
pub(super) fn customer_name() -> Value {
    json!({ "type": "string", "minLength": 1,
            "pattern": r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$",
            "description": "1 to 200 characters once trimmed, no control characters." })
}

/// What `Email::parse` accepts: `local@domain.tld` once trimmed, labels neither empty nor
/// starting with `-`, no space or control character inside, at most 254 characters.
pub(super) fn customer_email() -> Value {
    let never = format!("@{SPACE}{CONTROL}");
    let label = format!("[^{never}.-][^{never}.]*");
    let pattern = format!("^[{SPACE}]*[^{never}]+@{label}(\\.{label})+[{SPACE}]*$");
    json!({ "type": "string", "pattern": pattern,
            "description": "name@example.com: at most 254 characters once trimmed." })
}

fn orders(paths: &mut Map<String, Value>) {
    paths.insert("/api/checkout".into(), json!({ "post": {
        "operationId": "checkout",
            "summary": "Place an order from this session's cart (compat)",
        "description": "Prices come from the catalog, never from the client. A retry with the \
            same Idempotency-Key and session returns the same order and creates nothing. \
            400: no_session, cart_empty, invalid_idempotency_key; 422: invalid_customer_name, \
            invalid_customer_email; 503: orders_unavailable (the cart is kept).",
        "parameters": [
            session_cookie(),
            { "name": "Idempotency-Key", "in": "header", "required": false,
              "schema": { "type": "string", "minLength": 1, "maxLength": 200,
                          "pattern": "^[!-~]+$" },
              "description": "The client's name for this attempt: 1 to 200 visible ASCII characters." },
        ],
        "requestBody": body(json!({
            "type": "object",
            "properties": {
                "customer_name": customer_name(),
                "customer_email": customer_email(),
                "session_id": { "type": ["string", "null"],
                    "description": "Older clients send the session here; absent or null means the cookie's." },
            },
            "required": ["customer_name", "customer_email"],
        })),
        "responses": {
            "201": placed(),
            "400": response("BadRequest"),
            "409": { "description": "checkout_in_progress: another checkout of this cart (without \
                this one's Idempotency-Key) holds it right now",
                "content": { "application/json": { "schema": schema("Error") } } },
            "413": response("TooLarge"),
            "422": response("Invalid"),
            "503": response("Unavailable"),
        },
    }}));
    paths.insert(
        "/api/orders".into(),
        json!({ "get": {
            "operationId": "listOrders",
            "summary": "This session's orders, newest first",
            "parameters": [session_cookie()],
            "responses": {
                "200": answer("The orders", array(schema("OrderSummary"))),
                "503": response("Unavailable"),
            },
        }}),
    );
    paths.insert(
        "/api/orders/{id}".into(),
        json!({ "get": {
            "operationId": "getOrder",
            "summary": "One order (compat), only to the session that placed it",
            "parameters": [
                path_param("id", json!({ "type": "integer" }), "The order's id."),
                session_cookie(),
            ],
            "responses": {
                "200": answer("The order", schema("Order")),
                "404": response("NotFound"),
                "503": response("Unavailable"),
            },
        }}),
    );
}
