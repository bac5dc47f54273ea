//! The operations side: status probes, services, events, queues, admin sign-in, load runs, and
//! the probes and metrics outside `/api`.

use super::{
    admin_only, answer, array, boolean, closed, constant, integer, number, path_param, query_param,
    response, schema, string,
};
use crate::http::logs::DEFAULT_TAIL;
use crate::ops::logs::HISTORY;
use crate::service::Service;
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    probes(paths);
    services(paths);
    super::admin_load::paths(paths);
    paths.insert(
        "/api/queues".into(),
        get(
            "listQueues",
            "The store's queues, then the vhost's others",
            json!({
                "200": answer("The queues", array(schema("Queue"))),
                "503": response("Unavailable"),
            }),
        ),
    );
    paths.insert(
        "/api/events".into(),
        get(
            "events",
            "Live feed (server-sent events): a health and breaker snapshot on connect, then \
             `health`, `breaker`, `order`, `load`, `control` and `fault` events; never ends",
            json!({ "200": stream(
                "The event stream. A `fault` event is a fault set, cleared or ended on its own \
                 on this replica: `{target, kind, change: \"set\"|\"cleared\"|\"expired\", \
                 value?, at}`, `value` as set (on `set` only), `at` when it happened (an expired \
                 fault's expiry)"
            ) }),
        ),
    );
    paths.insert(
        "/api/openapi.json".into(),
        get(
            "openapi",
            "This document",
            json!({
                "200": answer("OpenAPI 3.1", json!({ "type": "object" })),
            }),
        ),
    );
    paths.insert(
        "/healthz".into(),
        get(
            "healthz",
            "Alive: the process serves",
            json!({
                "200": answer("Serving", schema("Alive")),
            }),
        ),
    );
    paths.insert(
        "/readyz".into(),
        get(
            "readyz",
            "Ready: the order store answers and the replica is not stopping",
            json!({
                "200": answer("Ready", schema("Ready")),
                "503": { "description": "Not ready: the body names the dependency, or says the \
                            replica is draining after SIGTERM",
                         "headers": { "Retry-After": { "required": true, "schema": string() } },
                         "content": { "application/json": { "schema": {
                            "oneOf": [schema("NotReady"), schema("Draining")] } } } },
            }),
        ),
    );
    paths.insert(
        "/metrics".into(),
        get(
            "metrics",
            "Prometheus exposition",
            json!({
                "200": { "description": "The metrics",
                         "content": { "text/plain": { "schema": string() } } },
            }),
        ),
    );
}

fn get(id: &str, summary: &str, responses: Value) -> Value {
    json!({ "get": { "operationId": id, "summary": summary, "responses": responses } })
}

fn stream(description: &str) -> Value {
    json!({ "description": description,
            "content": { "text/event-stream": { "schema": string() } } })
}

/// The compat probes: `{"<field>": "OK", ...}`, or 503 `{"<field>": "DOWN", "error"}`.
fn probes(paths: &mut Map<String, Value>) {
    let probe = |id: &str, field: &str, summary: &str, up: &[(&str, Value)]| {
        let mut fields = vec![(field, constant("OK")), ("mode", schema("Mode"))];
        fields.extend(up.iter().cloned());
        get(
            id,
            summary,
            json!({
                "200": answer("Up (embedded counts as up)", closed(&fields)),
                "503": { "description": "Down; nothing else is said",
                         "headers": { "Retry-After": { "required": true, "schema": string() } },
                         "content": { "application/json": { "schema":
                            closed(&[(field, constant("DOWN")), ("error", string())]) } } },
            }),
        )
    };
    let n = || integer(0);
    paths.insert(
        "/api/status/redis".into(),
        probe(
            "statusRedis",
            "redis",
            "The cart store (compat)",
            &[("ping", boolean()), ("latency_ms", number())],
        ),
    );
    paths.insert(
        "/api/status/rabbit".into(),
        probe(
            "statusRabbit",
            "rabbitmq",
            "The order queue (compat)",
            &[
                ("queue", string()),
                ("messages", n()),
                ("consumers", n()),
                ("dead_lettered", n()),
                ("latency_ms", number()),
                ("processor", schema("Pipeline")),
            ],
        ),
    );
    paths.insert(
        "/api/status/orders".into(),
        probe(
            "statusOrders",
            "orders",
            "The order store (compat)",
            &[
                ("count", n()),
                ("pending", n()),
                ("outbox_backlog", n()),
                ("latency_ms", number()),
            ],
        ),
    );
}

fn services(paths: &mut Map<String, Value>) {
    let names: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
    let name = || {
        path_param(
            "name",
            json!({ "type": "string", "enum": names }),
            "A service.",
        )
    };
    paths.insert(
        "/api/services".into(),
        get(
            "listServices",
            "The services behind the store",
            json!({
                "200": answer("One row per service", array(schema("ServiceRow"))),
            }),
        ),
    );
    let status = |id: &str| {
        json!({
            "operationId": id,
            "summary": "What the health monitor last saw of a service (compat)",
            "parameters": [name()],
            "responses": {
                "200": answer("Its health and a log of the probe", schema("ServiceStatus")),
                "404": response("NotFound"),
            },
        })
    };
    paths.insert(
        "/api/service/{name}/status".into(),
        json!({ "get": status("serviceStatus"), "post": status("serviceStatusPost") }),
    );
    paths.insert(
        "/api/service/{name}/{action}".into(),
        json!({ "post": {
            "operationId": "serviceAction",
            "summary": "Start, stop or restart a service through its control backend (audited)",
            "security": admin_only(),
            "parameters": [name(), path_param("action", schema("Action"), "What to do.")],
            "responses": {
                "200": answer("What the control did", schema("ServiceAction")),
                "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
                "404": response("NotFound"),
                "409": response("Conflict"),
                "503": response("Unavailable"),
            },
        }}),
    );
    paths.insert(
        "/api/audit".into(),
        json!({ "get": {
            "operationId": "auditLog",
            "summary": "The latest control actions and admin sign-ins, newest first",
            "security": admin_only(),
            "responses": {
                "200": answer("The audit log", array(schema("AuditEntry"))),
                "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
            },
        }}),
    );
    let mut windows = names.clone();
    windows.push("carstore");
    paths.insert("/api/service/{name}/logs".into(), json!({ "get": {
        "operationId": "serviceLogs",
            "summary": "A live log window (server-sent `log` events {ts, stream, line}); never ends",
        "security": admin_only(),
        "parameters": [
            path_param("name", json!({ "type": "string", "enum": windows }),
                "A service, or `carstore` for the store's own log."),
            query_param("tail", json!({ "type": "integer", "minimum": 0, "maximum": HISTORY,
                "default": DEFAULT_TAIL }), "How many earlier lines to send first."),
            { "name": "Last-Event-ID", "in": "header", "required": false, "schema": string(),
              "description": "Resume after this line." },
        ],
        "responses": {
            "200": stream("The log lines"),
            "400": response("BadRequest"),
            "401": response("AdminRequired"),
                "429": response("TooManyAttempts"),
            "404": response("NotFound"),
            "409": response("Conflict"),
        },
    }}));
}
