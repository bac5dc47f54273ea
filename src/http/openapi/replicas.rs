//! Several replicas, one store: who is in it (`/api/replicas`), and how a stopping replica
//! answers `/readyz`.

use super::{answer, array, boolean, closed, constant, integer, schema, string, timestamp};
use serde_json::{json, Map, Value};

pub fn paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/replicas".into(),
        json!({ "get": {
            "operationId": "listReplicas",
            "summary": "This replica, then every other one heard on the replica channel lately \
                (serve and worker processes sharing the store's database and Redis)",
            "responses": { "200": answer("The roster", schema("Replicas")) },
        } }),
    );
}

pub fn schemas(schemas: &mut Map<String, Value>) {
    let roles = json!({ "type": "string", "enum": ["serve", "worker"] });
    let channel = json!({ "type": "string", "enum": ["up", "down", "none"],
        "description": "up: events are shared with every replica; down: Redis is not answering \
            and this replica shows its own events only; none: one process by design." });
    let entries = [
        (
            "Replicas",
            closed(&[
                ("this", string()),
                ("channel", channel),
                ("note", string()),
                ("replicas", array(schema("Replica"))),
            ]),
        ),
        (
            "Replica",
            closed(&[
                ("instance", string()),
                ("role", roles),
                ("version", string()),
                ("started_at", timestamp()),
                ("uptime_secs", integer(0)),
                ("ready", boolean()),
                ("draining", boolean()),
                ("this", boolean()),
            ]),
        ),
        (
            "Draining",
            closed(&[("error", constant("draining")), ("message", string())]),
        ),
    ];
    for (name, value) in entries {
        schemas.insert(name.into(), value);
    }
}
