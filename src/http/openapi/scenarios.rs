//! Guided scenarios: the list is public; a run (start, press on, abandon) is the admin's.

use super::{answer, array, body, boolean, closed, integer, nullable, path_param, response};
use super::{schema, string, timestamp};
use crate::scenarios::SCENARIOS;
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    let admin = super::admin_only();
    let guarded = |ok: Value, more: &[(&str, &str)]| {
        let mut responses = json!({
            "200": ok,
            "401": response("AdminRequired"),
            "429": response("TooManyAttempts"),
        });
        for (status, name) in more {
            responses[*status] = response(name);
        }
        responses
    };
    let run = || answer("The run as it stands", schema("ScenarioRun"));
    paths.insert(
        "/api/scenarios".into(),
        json!({ "get": {
            "operationId": "listScenarios",
            "summary": "The guided scenarios: what each teaches, its steps and their checks",
            "responses": { "200": answer("Every scenario", array(schema("Scenario"))) },
        } }),
    );
    paths.insert(
        "/api/scenarios/{name}/run".into(),
        json!({ "post": {
            "operationId": "startScenario",
            "summary": "Start a run: guided (each step waits for its button) or auto (headless)",
            "security": admin,
            "parameters": [path_param("name", schema("ScenarioName"), "The scenario.")],
            "requestBody": { "required": false, "content": body(schema("ScenarioStart"))["content"] },
            "responses": {
                "201": answer("The run, started", schema("ScenarioRun")),
                "400": response("BadRequest"),
                "401": response("AdminRequired"),
                "404": response("NotFound"),
                "409": response("Conflict"),
                "413": response("TooLarge"),
                "429": response("TooManyAttempts"),
            },
        } }),
    );
    paths.insert(
        "/api/scenarios/run".into(),
        json!({
            "get": {
                "operationId": "currentScenarioRun",
                "summary": "The run going, or the last one",
                "security": admin,
                "responses": guarded(run(), &[("404", "NotFound")]),
            },
            "delete": {
                "operationId": "abandonScenarioRun",
                "summary": "Abandon the run: its faults are cleared and its shoppers stopped",
                "security": admin,
                "responses": guarded(run(), &[("404", "NotFound")]),
            },
        }),
    );
    paths.insert(
        "/api/scenarios/run/next".into(),
        json!({ "post": {
            "operationId": "pressScenarioStep",
            "summary": "Press the step's button in a guided run",
            "security": admin,
            "responses": guarded(run(), &[("404", "NotFound"), ("409", "Conflict")]),
        } }),
    );
}

pub fn schemas(schemas: &mut Map<String, Value>) {
    let names: Vec<_> = SCENARIOS.iter().map(|s| s.name).collect();
    schemas.insert(
        "ScenarioName".into(),
        json!({ "type": "string", "enum": names }),
    );
    let phase = json!({ "type": "string", "enum": ["setup", "break", "observe", "fix"] });
    schemas.insert(
        "Scenario".into(),
        closed(&[
            ("name", schema("ScenarioName")),
            ("title", string()),
            ("teaches", string()),
            ("fix", string()),
            ("needs_worker", boolean()),
            (
                "steps",
                array(closed(&[
                    ("title", string()),
                    ("button", string()),
                    ("phase", phase),
                    ("does", string()),
                    ("watch", string()),
                    ("checks", array(string())),
                ])),
            ),
        ]),
    );
    schemas.insert(
        "ScenarioStart".into(),
        json!({ "type": "object", "additionalProperties": false,
            "properties": { "auto": { "type": "boolean",
                "description": "Perform every step at once, without waiting for presses." } } }),
    );
    let check = closed(&[
        ("says", string()),
        ("passed", boolean()),
        ("passed_at", nullable(timestamp())),
        ("after_ms", nullable(integer(0))),
        ("seen", nullable(string())),
    ]);
    let step = closed(&[
        ("title", string()),
        ("button", string()),
        ("performed_at", nullable(timestamp())),
        ("done", nullable(string())),
        ("checks", array(check)),
    ]);
    let summary = closed(&[
        ("detect_ms", nullable(integer(0))),
        ("recover_ms", nullable(integer(0))),
        ("requests_refused", integer(0)),
        ("orders_placed", integer(0)),
        ("orders_lost", integer(0)),
        ("duplicates_suppressed", integer(0)),
    ]);
    let status = json!({ "type": "string", "enum": ["running", "passed", "failed", "abandoned"] });
    schemas.insert(
        "ScenarioRun".into(),
        closed(&[
            ("scenario", schema("ScenarioName")),
            ("title", string()),
            ("auto", boolean()),
            ("status", status),
            ("step", integer(0)),
            ("waiting_for_press", boolean()),
            ("started_at", timestamp()),
            ("ended_at", nullable(timestamp())),
            ("reason", nullable(string())),
            ("steps", array(step)),
            ("summary", nullable(summary)),
        ]),
    );
}
