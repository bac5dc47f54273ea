//! Faults on purpose: `/api/faults`, admin only. The targets, kinds and limits come from the
//! fault model's own constants.

use super::{answer, array, body, closed, constant, integer, path_param, response, schema};
use super::{nullable, string, timestamp};
use crate::faults::{FaultKind, FaultTarget, MAX_DELAY_MS, MAX_EXPIRY_SECS};
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    let admin = super::admin_only();
    paths.insert(
        "/api/faults".into(),
        json!({
            "get": {
                "operationId": "listFaults",
                "summary": "The faults set on purpose and still in force",
                "security": admin,
                "responses": {
                    "200": answer("The active faults", array(schema("Fault"))),
                    "401": response("AdminRequired"),
                    "429": response("TooManyAttempts"),
                },
            },
            "delete": {
                "operationId": "clearFaults",
                "summary": "Clear every fault (audited)",
                "security": admin,
                "responses": {
                    "200": answer("How many were cleared", schema("FaultsCleared")),
                    "401": response("AdminRequired"),
                    "429": response("TooManyAttempts"),
                },
            },
        }),
    );
    let params = json!([
        path_param("target", schema("FaultTarget"), "What the fault breaks."),
        path_param(
            "kind",
            schema("FaultKind"),
            "How it breaks; each target takes some kinds."
        ),
    ]);
    let refused = "A target or kind that does not exist, or a kind the target does not take";
    paths.insert(
        "/api/faults/{target}/{kind}".into(),
        json!({
            "put": {
                "operationId": "setFault",
                "summary": "Set a fault, replacing one of the same target and kind (audited)",
                "security": admin,
                "parameters": params,
                "requestBody": body(schema("FaultRequest")),
                "responses": {
                    "200": answer("The fault as stored", schema("Fault")),
                    "400": response("BadRequest"),
                    "401": response("AdminRequired"),
                    "429": response("TooManyAttempts"),
                    "404": { "description": refused,
                        "content": { "application/json": { "schema": schema("Error") } } },
                    "409": response("Conflict"),
                    "413": response("TooLarge"),
                    "422": response("Invalid"),
                },
            },
            "delete": {
                "operationId": "clearFault",
                "summary": "Clear one fault (audited)",
                "security": admin,
                "parameters": params,
                "responses": {
                    "200": answer("Whether it was set", schema("FaultsCleared")),
                    "401": response("AdminRequired"),
                    "429": response("TooManyAttempts"),
                    "404": response("NotFound"),
                },
            },
        }),
    );
}

pub fn schemas(schemas: &mut Map<String, Value>) {
    let targets: Vec<_> = FaultTarget::ALL.iter().map(|t| t.as_str()).collect();
    let kinds: Vec<_> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
    schemas.insert(
        "FaultTarget".into(),
        json!({ "type": "string", "enum": targets }),
    );
    schemas.insert(
        "FaultKind".into(),
        json!({ "type": "string", "enum": kinds,
        "description": "database, cache and queue take latency, errors and outage; the \
            processor slow and poison; the store errors." }),
    );
    let mut fault = closed(&[
        ("target", schema("FaultTarget")),
        ("kind", schema("FaultKind")),
        ("expires_at", nullable(timestamp())),
    ]);
    fault["properties"]["value"] = json!({ "type": "integer", "minimum": 1,
        "description": "ms (latency, slow), % (errors) or messages left (poison); none for an \
            outage." });
    fault["properties"]["jitter_ms"] = integer(0);
    fault["properties"]["route"] = string();
    schemas.insert("Fault".into(), fault);
    schemas.insert(
        "FaultRequest".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "value": { "type": "integer", "minimum": 1, "maximum": MAX_DELAY_MS,
                    "description": "Required by every kind but outage (which takes none): latency \
                        and slow 1..60000 ms, errors 1..100 %, poison 1..1000 messages." },
                "jitter_ms": { "type": "integer", "minimum": 0, "maximum": MAX_DELAY_MS,
                    "description": "latency only: up to this much more, at random." },
                "expires_in_secs": { "type": "integer", "minimum": 1, "maximum": MAX_EXPIRY_SECS },
                "route": { "type": "string", "pattern": "^/",
                    "description": "store errors only: the route that fails, e.g. /api/cart." },
            },
        }),
    );
    // A service's row says so while a drill is on it: optional, so not in `closed`'s list.
    if let Some(row) = schemas.get_mut("ServiceRow") {
        row["properties"]["detail"] = json!({ "type": "string",
            "description": "fault injected: <kinds>, while faults are set on the service" });
    }
    schemas.insert("FaultsCleared".into(), closed(&[("cleared", integer(0))]));
    schemas.insert(
        "AuditFault".into(),
        closed(&[
            ("kind", constant("fault")),
            ("at", timestamp()),
            ("instance", string()),
            ("who", string()),
            ("target", nullable(schema("FaultTarget"))),
            (
                "change",
                json!({ "type": "string", "description": "set <kind>, clear <kind>, or \
            clear all" }),
            ),
            ("result", string()),
        ]),
    );
}
