//! One live feed per tab, its other topics: without the admin each topic asked for is refused
//! once and the store's events go on; a bad `logs` is a 400 before any stream; the scenario run
//! arrives as it changes. And `GET /api/admin`, the page's one admin check, reads the cookie.

use crate::events_feed::{as_admin, snapshot, SOON};
use crate::faults::{admin, spawn_embedded, TOKEN};
use crate::helpers::{assert_error, nothing_more_for, shopper, wait_for};
use crate::services::unique;
use crate::sse::EventReader;
use carstore::ops::logs::push_own_line;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn without_the_admin_each_topic_is_refused_once_and_the_store_events_go_on() {
    let app = spawn_embedded().await;
    let url = app.url("/api/events?logs=carstore,redis&scenario=true");
    let mut feed = EventReader::send(reqwest::Client::new().get(url)).await;
    snapshot(&mut feed).await;
    let mut refused = Vec::new();
    for _ in 0..2 {
        let (event, data) = feed.next(SOON).await.expect("a refusal");
        assert_eq!(event, "refused");
        assert_eq!(data["error"], "admin_required", "{data}");
        assert!(data["message"].as_str().is_some_and(|m| !m.is_empty()));
        refused.push(data["topic"].as_str().unwrap().to_owned());
    }
    assert_eq!(refused, ["logs", "scenario"]);
    push_own_line(&unique("not for this feed "));
    let order = app.buy(&[(2, 1)]).await;
    loop {
        let (event, data) = feed.next(SOON).await.expect("the order's events");
        assert!(
            !["log", "scenario", "refused"].contains(&event.as_str()),
            "{event}"
        );
        if event == "order" && data["order_id"] == order && data["status"] == "processed" {
            break;
        }
    }
}

#[tokio::test]
async fn a_bad_logs_parameter_is_refused_before_any_stream() {
    let app = spawn_embedded().await;
    for query in [
        "logs=nope",
        "logs=carstore,carstore",
        "logs=carstore:x",
        "logs=",
        "logs=postgres,redis,rabbit,carstore,postgres",
    ] {
        let resp = as_admin(&app, &format!("?{query}"), None)
            .send()
            .await
            .unwrap();
        assert_error(resp, 400, "invalid_logs").await;
        let anyone = app.get(&format!("/api/events?{query}")).await;
        assert_error(anyone, 400, "invalid_logs").await;
    }
    let resp = as_admin(&app, "?scenario=maybe", None)
        .send()
        .await
        .unwrap();
    assert_error(resp, 400, "invalid_query").await;
    // A parameter the feed does not know is ignored, as it always was: existing clients send some.
    let resp = as_admin(&app, "?log=carstore", None).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_scenario_run_started_abandoned_and_summed_up_arrives_on_an_open_feed() {
    let app = spawn_embedded().await;
    let mut feed = EventReader::send(as_admin(&app, "?scenario=true", None)).await;
    snapshot(&mut feed).await;
    assert_eq!(
        feed.next(SOON).await,
        Some(("scenario".into(), Value::Null))
    );
    let start = admin(&app, Method::POST, "/api/scenarios/flaky-client/run");
    assert_eq!(start.send().await.unwrap().status(), 201);
    let is_run =
        |status: &'static str| move |e: &str, d: &Value| e == "scenario" && d["status"] == status;
    let started = feed.until(SOON, is_run("running")).await;
    assert_eq!(started["scenario"], "flaky-client");
    let abandon = admin(&app, Method::DELETE, "/api/scenarios/run");
    assert_eq!(abandon.send().await.unwrap().status(), 200);
    // Abandoned, then tidied up: the run gains its summary (both may come as one change).
    let summed = loop {
        let (event, run) = feed
            .next(Duration::from_secs(15))
            .await
            .expect("the run's end");
        assert_eq!(event, "scenario");
        assert_eq!(run["status"], "abandoned", "{run}");
        if run["summary"].is_object() {
            break run;
        }
    };
    // The feed's last word is what the API answers.
    let answered = admin(&app, Method::GET, "/api/scenarios/run").send().await;
    assert_eq!(answered.unwrap().json::<Value>().await.unwrap(), summed);
    nothing_more_for(Duration::from_millis(600)).await;
    let after = feed.next(Duration::from_millis(200)).await;
    assert_eq!(after, None, "nothing sent unchanged");
}

#[tokio::test]
async fn admin_state_reads_the_cookie_only_and_counts_no_guess() {
    let app = spawn_embedded().await;
    let state = async |request: RequestBuilder| {
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.unwrap()
    };
    let browser = shopper();
    let url = app.url("/api/admin");
    assert_eq!(state(browser.get(&url)).await, json!({ "admin": false }));
    let with = |token: &str| reqwest::Client::new().get(&url).bearer_auth(token);
    assert_eq!(
        state(with(TOKEN)).await,
        json!({ "admin": false }),
        "a bearer is not read"
    );
    assert_eq!(
        state(with("a-wrong-guess-0123")).await,
        json!({ "admin": false })
    );
    let login = browser.post(app.url("/api/admin/login"));
    let signed_in = login.json(&json!({ "token": TOKEN })).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    assert_eq!(state(browser.get(&url)).await, json!({ "admin": true }));
    let forged = browser.get(&url).header("Cookie", "carstore_admin=1.2.3");
    assert_eq!(state(forged).await, json!({ "admin": false }));
    let out = browser
        .post(app.url("/api/admin/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(state(browser.get(&url)).await, json!({ "admin": false }));
    // The wrong bearer above was not a guess: the audit log holds the sign-in only.
    let audit = wait_for("the sign-in audited", SOON, async || {
        let entries: Value = admin(&app, Method::GET, "/api/audit")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match entries.as_array().unwrap().is_empty() {
            true => Err(entries),
            false => Ok(entries),
        }
    })
    .await;
    let results: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["result"])
        .collect();
    assert_eq!(results, [&json!("ok")], "{audit}");
}
