//! The admin sign-in and load runs.

use super::{admin_only, answer, body, boolean, closed, response, schema, string};
use crate::http::load::{MAX_RATE, MAX_SECS};
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/admin/login".into(),
        json!({ "post": {
            "operationId": "adminLogin",
            "summary": "Sign in to the dashboard: sets the HttpOnly admin cookie",
            "requestBody": body(json!({
                "type": "object", "properties": { "token": string() }, "required": ["token"],
            })),
            "responses": {
                "200": answer("Signed in", schema("AdminState")),
                "400": response("BadRequest"),
                "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
                "413": response("TooLarge"),
            },
        }}),
    );
    paths.insert(
        "/api/admin/logout".into(),
        json!({ "post": {
            "operationId": "adminLogout",
            "summary": "Sign out: removes the admin cookie",
            "responses": { "200": answer("Signed out", schema("AdminState")) },
        }}),
    );
    paths.insert("/api/load".into(), json!({
        "get": {
            "operationId": "loadStatus",
            "summary": "The load run going now, if any",
            "responses": { "200": answer("The run's name, or null", schema("LoadRunning")) },
        },
        "post": {
            "operationId": "startLoad",
            "summary": "Start a load run against this store; its figures arrive as `load` events",
            "security": admin_only(),
            "requestBody": body(json!({
                "type": "object",
                "properties": {
                    "rate": { "type": "number", "minimum": 1, "maximum": MAX_RATE },
                    "mix": { "type": "string",
                             "description": "browse=10,view=5,add_to_cart=3,checkout=1" },
                    "duration_secs": { "type": "integer", "minimum": 1, "maximum": MAX_SECS },
                },
                "required": ["rate"],
                "additionalProperties": false,
            })),
            "responses": {
                "202": answer("Started", schema("LoadRunning")),
                "400": response("BadRequest"),
                "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
                "409": response("Conflict"),
                "413": response("TooLarge"),
                "422": response("Invalid"),
            },
        },
        "delete": {
            "operationId": "stopLoad",
            "summary": "Stop the load run",
            "security": admin_only(),
            "responses": {
                "200": answer("Whether there was one", closed(&[("stopping", boolean())])),
                "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
            },
        },
    }));
}
