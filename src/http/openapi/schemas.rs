//! The shared shapes: what the handlers' view structs serialize to, and the error answers.

use super::{
    array, boolean, closed, constant, integer, nullable, number, schema, string, timestamp,
};
use crate::domain::{Category, MAX_LINE_QUANTITY};
use crate::http::admin::{OVERALL, PER_CLIENT, WINDOW};
use crate::http::error::RETRY_AFTER_SECS;
use crate::ops::audit::SignInVia;
use crate::service::Service;
use serde_json::{json, Value};

pub fn schemas() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let services: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
    let ways: Vec<&str> = SignInVia::ALL.iter().map(|v| v.as_str()).collect();
    json!({
        "Error": closed(&[
            ("error", string()),
            ("message", string()),
        ]),
        "Category": { "type": "string", "enum": categories },
        "Car": closed(&[
            ("id", integer(1)),
            ("make", string()),
            ("model", string()),
            ("year", integer(1886)),
            ("price", number()),
            ("price_cents", integer(0)),
            ("category", schema("Category")),
            ("description", string()),
            ("image", string()),
        ]),
        "Cart": closed(&[
            ("session_id", string()),
            ("items", array(schema("CartItem"))),
            ("total", number()),
            ("total_cents", integer(0)),
            ("count", integer(0)),
            ("max_line_quantity", json!({ "const": MAX_LINE_QUANTITY })),
        ]),
        "CartItem": closed(&[
            ("car_id", integer(1)),
            ("quantity", json!({ "type": "integer", "minimum": 1, "maximum": MAX_LINE_QUANTITY })),
            ("make", string()),
            ("model", string()),
            ("year", integer(1886)),
            ("image", string()),
            ("price", number()),
            ("price_cents", integer(0)),
            ("line_total", number()),
            ("line_total_cents", integer(0)),
        ]),
        "OrderStatus": { "type": "string", "enum": ["pending", "processed", "failed"] },
        "OrderSummary": closed(&[
            ("id", integer(1)),
            ("status", schema("OrderStatus")),
            ("total", number()),
            ("total_cents", integer(0)),
            ("created_at", timestamp()),
            ("item_count", integer(1)),
        ]),
        "Order": closed(&[
            ("order", closed(&[
                ("id", integer(1)),
                ("status", schema("OrderStatus")),
                ("total", number()),
                ("total_cents", integer(0)),
                ("created_at", timestamp()),
                ("customer_name", string()),
                ("customer_email", string()),
            ])),
            ("items", array(closed(&[
                ("car_id", integer(1)),
                ("quantity", integer(1)),
                ("price", number()),
                ("price_cents", integer(0)),
            ]))),
        ]),
        "Mode": { "type": "string", "enum": ["embedded", "service"] },
        "Service": { "type": "string", "enum": services },
        "Health": { "type": "string", "enum": ["up", "starting", "degraded", "down", "embedded"] },
        "Breaker": { "type": "string", "enum": ["closed", "open", "half_open"],
            "description": "`open` (or `half_open`, trying it) while requests needing the \
                service are refused at once." },
        "Action": { "type": "string", "enum": ["start", "stop", "restart"] },
        "ServiceRow": closed(&[
            ("name", schema("Service")),
            ("kind", json!({ "type": "string", "enum": ["database", "cache", "queue"] })),
            ("control", json!({ "type": "string", "enum": ["docker", "command", "none"] })),
            ("control_disabled_because", nullable(string())),
            ("target", string()),
            ("health", schema("Health")),
            ("since", timestamp()),
            ("latency_ms", nullable(number())),
            ("logs", boolean()),
            ("breaker", schema("Breaker")),
        ]),
        "ServiceStatus": closed(&[
            ("service", schema("Service")),
            ("health", schema("Health")),
            ("state", schema("Health")),
            ("log", array(string())),
        ]),
        "ServiceAction": closed(&[
            ("service", schema("Service")),
            ("action", schema("Action")),
            ("health", nullable(schema("Health"))),
            ("log", array(string())),
        ]),
        "AuditEntry": {
            "description": "A control action (`kind: control`) or an admin sign-in, failed ones \
                included (`kind: sign_in`).",
            "oneOf": [schema("AuditControl"), schema("AuditSignIn"), schema("AuditFault")],
            "discriminator": { "propertyName": "kind", "mapping": {
                "control": "#/components/schemas/AuditControl",
                "sign_in": "#/components/schemas/AuditSignIn",
                "fault": "#/components/schemas/AuditFault",
            } },
        },
        "AuditControl": closed(&[
            ("kind", constant("control")),
            ("at", timestamp()),
            ("instance", json!({ "type": "string",
                "description": "The replica that recorded it." })),
            ("who", string()),
            ("service", schema("Service")),
            ("action", schema("Action")),
            ("result", string()),
        ]),
        "AuditSignIn": closed(&[
            ("kind", constant("sign_in")),
            ("at", timestamp()),
            ("instance", json!({ "type": "string",
                "description": "The replica that recorded it." })),
            ("who", string()),
            ("via", json!({ "type": "string", "enum": ways,
                "description": "The sign-in form (`login`), or a token sent with an admin \
                    request (`bearer`, `cookie`)." })),
            ("result", string()),
        ]),
        "Queue": closed(&[
            ("name", string()),
            ("messages", integer(0)),
            ("consumers", integer(0)),
        ]),
        "Pipeline": closed(&[
            ("consumed", integer(0)),
            ("processed", integer(0)),
            ("duplicates", integer(0)),
            ("postponed", integer(0)),
            ("dead_lettered", integer(0)),
        ]),
        "LoadRunning": closed(&[("running", nullable(string()))]),
        "AdminState": closed(&[("admin", boolean())]),
        "Alive": closed(&[("status", constant("ok"))]),
        "Ready": closed(&[("status", constant("ready"))]),
        "NotReady": closed(&[
            ("error", constant("not_ready")),
            ("message", string()),
            ("dependency", json!({ "type": "string", "enum": ["database", "cache", "queue"] })),
        ]),
    })
}

/// The error answers operations share; each lists the codes it may carry.
pub fn responses() -> Value {
    let error = |description: &str| {
        json!({ "description": description,
                "content": { "application/json": { "schema": schema("Error") } } })
    };
    json!({
        "BadRequest": error("Malformed request: invalid_json, invalid_request (missing or \
            mistyped field), invalid_query, or a code naming what cannot be acted on."),
        "AdminRequired": error("admin_required: the admin token is missing or wrong (and an \
            admin cookie is dropped). A wrong token counts towards a limit, see 429."),
        "NotFound": error("No such thing (or not yours to see): a code naming what."),
        "Conflict": error("The request conflicts with how things are set up."),
        "TooLarge": error("payload_too_large: the body is over 64 KiB."),
        "Invalid": error("Well-formed but invalid value: a code naming the field."),
        "TooManyAttempts": {
            "description": format!("too_many_attempts: past {PER_CLIENT} wrong admin tokens \
                from this client, or {OVERALL} from all clients, within {} s, a wrong token is \
                answered 429 instead of 401 until the window ends; the right token is always \
                let in. Retry after the seconds given.", WINDOW.as_secs()),
            "headers": { "Retry-After": { "required": true,
                "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
            "content": { "application/json": { "schema": schema("Error") } },
        },
        "TooManyStreams": {
            "description": format!("too_many_streams: this client holds {} live feeds, or \
                the store {}; close one and retry after the seconds given.",
                crate::access::FEEDS_PER_CLIENT, crate::access::FEEDS_IN_ALL),
            "headers": { "Retry-After": { "required": true,
                "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
            "content": { "application/json": { "schema": schema("Error") } },
        },
        "TooManySignUps": {
            "description": format!("too_many_sign_ups: {} sign-ups from this client within {} \
                min, made or refused alike; retry after the seconds given.",
                crate::accounts::limits::SIGN_UPS_PER_CLIENT,
                crate::accounts::limits::SIGN_UP_WINDOW.as_secs() / 60),
            "headers": { "Retry-After": { "required": true,
                "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
            "content": { "application/json": { "schema": schema("Error") } },
        },
        "NotJson": error("unsupported_media_type: the body was sent as something other than \
            application/json (a form, text/plain)."),
        "CrossSite": error("cross_site_request: a state change sent from another site's page \
            (Sec-Fetch-Site other than same-origin or none, or an Origin naming another host)."),
        "Unavailable": {
            "description": format!("A dependency is down; nothing was changed. Retry after \
                {RETRY_AFTER_SECS} s."),
            "headers": { "Retry-After": { "required": true,
                "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
            "content": { "application/json": { "schema": schema("Error") } },
        },
    })
}
