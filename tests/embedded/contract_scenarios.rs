//! The scenarios side of the contract walk (`contract_answers`): the public list, and a guided
//! run started, pressed on and abandoned, with the refusals each operation documents.

use crate::contract_answers::Walk;
use crate::helpers::wait_for;
use reqwest::Method as M;
use serde_json::json;
use std::time::Duration;

const START: &str = "/api/scenarios/{name}/run";
const RUN: &str = "/api/scenarios/run";
const NEXT: &str = "/api/scenarios/run/next";

pub async fn scenarios_side(w: &mut Walk) {
    let list = w
        .call(M::GET, "/api/scenarios", "/api/scenarios", None, 200)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 6, "{list}");
    w.call(M::GET, RUN, RUN, None, 401).await;
    w.admin(M::GET, RUN, RUN, None, 404).await;
    w.admin(M::POST, NEXT, NEXT, None, 404).await;
    w.admin(M::DELETE, RUN, RUN, None, 404).await;
    let flaky = "/api/scenarios/flaky-client/run";
    w.call(M::POST, START, flaky, None, 401).await;
    w.admin(M::POST, START, "/api/scenarios/nope/run", None, 404)
        .await;
    let mistyped = Some(json!({ "auto": "yes" }));
    w.admin(M::POST, START, flaky, mistyped, 400).await;
    let started = w.admin(M::POST, START, flaky, Some(json!({})), 201).await;
    assert_eq!(
        (&started["status"], &started["waiting_for_press"]),
        (&json!("running"), &json!(true))
    );
    w.admin(M::POST, START, flaky, None, 409).await; // one run at a time
    let pressed = w.admin(M::POST, NEXT, NEXT, None, 200).await;
    assert_eq!(pressed["status"], "running", "{pressed}");
    let shown = w.admin(M::GET, RUN, RUN, None, 200).await;
    assert_eq!(shown["scenario"], "flaky-client");
    let abandoned = w.admin(M::DELETE, RUN, RUN, None, 200).await;
    assert_eq!(abandoned["status"], "abandoned", "{abandoned}");
    w.admin(M::POST, NEXT, NEXT, None, 409).await; // the run is over

    // Once tidied up, the run carries its summary: checked against the document too.
    let view = wait_for("the run's summary", Duration::from_secs(10), async || {
        let view = w.admin(M::GET, RUN, RUN, None, 200).await;
        match view["summary"].is_object() {
            true => Ok(view),
            false => Err(view),
        }
    })
    .await;
    assert_eq!(view["summary"]["orders_lost"], 0, "{view}");
}
