//! The security tier, one store on the real services: each attack a review found, tried against
//! the real binary's HTTP answers, failing if it succeeds. Each prints what it tried and what it
//! got (`security: ...`). The same attacks across three replicas are in security_replicas.rs, the clients that must
//! keep working in security_compat.rs;
//! the Docker proxy and the demo stack's secrets and logins in ops/security/.

use crate::helpers::{assert_error, spawn_in_dir, TestApp};
use crate::services::RealEnv;
use crate::shoppers::{set_cookie, Account, Device};
use carstore::config::AdminToken;
use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;

pub fn say(what: &str, got: impl std::fmt::Display) {
    println!("security: {what} -> {got}");
}

/// How many answers had each status.
pub fn tally(statuses: impl IntoIterator<Item = StatusCode>) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for s in statuses {
        *counts.entry(s.as_u16()).or_default() += 1;
    }
    counts
}

/// `n` wrong passwords for `email` sent at once from one client; the statuses counted.
pub async fn parallel_wrong_passwords(base: &str, email: &str, n: usize) -> BTreeMap<u16, usize> {
    let client = Client::new();
    let guesses = (0..n).map(|i| {
        let body = json!({ "email": email, "password": format!("wrong-guess-{i:04}") });
        client
            .post(format!("{base}/api/session"))
            .json(&body)
            .send()
    });
    let answers = join_all(guesses).await;
    tally(
        answers
            .into_iter()
            .map(|r| r.expect("the store answers").status()),
    )
}

pub const TOKEN: &str = "security-tier-admin-token-7f3a9c";

/// A store on the real services with a known admin token.
async fn store() -> (RealEnv, TestApp) {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = spawn_in_dir(dir, settings).await;
    app.wait_until_ready().await;
    (env, app)
}

#[tokio::test]
async fn a_hundred_parallel_wrong_passwords_get_at_most_five_401s() {
    let (_env, app) = store().await;
    let account = Account::new("raced");
    assert_eq!(Device::new(&app).sign_up(&account).await.status(), 201);
    let counts = parallel_wrong_passwords(&app.address, &account.email, 100).await;
    say(
        "100 parallel wrong passwords for one email, one store",
        format!("{counts:?}"),
    );
    let wrong = counts.get(&401).copied().unwrap_or(0);
    assert!(wrong <= 5, "{wrong} guesses were checked: {counts:?}");
    assert_eq!(
        counts.get(&429).copied().unwrap_or(0),
        100 - wrong,
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_sign_up_flood_is_refused_past_the_limit_and_sign_ins_still_work() {
    let (_env, app) = store().await;
    let regular = Account::new("regular");
    assert_eq!(
        Device::from_ip(&app, "127.0.2.1")
            .sign_up(&regular)
            .await
            .status(),
        201
    );
    let flooder = Device::from_ip(&app, "127.0.2.2");
    let accounts: Vec<Account> = (0..40)
        .map(|i| Account::new(&format!("flood{i}")))
        .collect();
    let flood = accounts.iter().map(|a| flooder.sign_up(a));
    let counts = tally(join_all(flood).await.into_iter().map(|r| r.status()));
    say("40 sign-ups at once from one client", format!("{counts:?}"));
    assert_eq!(counts.get(&201).copied().unwrap_or(0), 10, "{counts:?}");
    assert_eq!(counts.get(&429).copied().unwrap_or(0), 30, "{counts:?}");
    // A taken email counts too, so emails cannot be tried faster than the limit.
    let prober = Device::from_ip(&app, "127.0.2.3");
    let mut probes = Vec::new();
    for _ in 0..12 {
        probes.push(prober.sign_up(&regular).await.status().as_u16());
    }
    say(
        "12 sign-ups with a taken email from one client",
        format!("{probes:?}"),
    );
    assert_eq!(probes[..10], [409; 10]);
    assert_eq!(probes[10..], [429; 2]);
    let signed_in = Device::from_ip(&app, "127.0.2.4")
        .sign_in(&regular.email, &regular.password)
        .await;
    say("a sign-in meanwhile", signed_in.status());
    assert_eq!(signed_in.status(), 200);
}

#[tokio::test]
async fn a_cross_site_text_plain_form_cannot_sign_a_browser_in() {
    let (_env, app) = store().await;
    let attacker = Account::new("attacker");
    assert_eq!(Device::new(&app).sign_up(&attacker).await.status(), 201);
    let form = format!(
        r#"{{"email":"{}","password":"{}","x":"="}}"#,
        attacker.email, attacker.password
    );
    let post = |headers: &[(&str, &str)]| {
        let mut req = Client::new()
            .post(app.url("/api/session"))
            .header("Content-Type", "text/plain")
            .body(form.clone());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u16, &'a str);
    let cases: [Case; 3] = [
        (
            "a browser's cross-site form",
            &[("Sec-Fetch-Site", "cross-site")],
            403,
            "cross_site_request",
        ),
        (
            "an older browser's, Origin only",
            &[("Origin", "https://evil.example")],
            403,
            "cross_site_request",
        ),
        (
            "text/plain from the same origin",
            &[("Sec-Fetch-Site", "same-origin")],
            415,
            "unsupported_media_type",
        ),
    ];
    for (what, headers, status, code) in cases {
        let resp = post(headers).await.unwrap();
        say(&format!("text/plain sign-in body, {what}"), resp.status());
        assert!(set_cookie(&resp).is_none(), "{what}: no session was set");
        assert_error(resp, status, code).await;
    }
    let urlencoded = Client::new()
        .post(app.url("/api/cart"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("car_id=1")
        .send()
        .await
        .unwrap();
    say("a urlencoded form to the cart", urlencoded.status());
    assert_error(urlencoded, 415, "unsupported_media_type").await;
    // curl and the vanilla front end behind nginx (Host without its port) still work.
    let curl = Device::new(&app)
        .sign_in(&attacker.email, &attacker.password)
        .await;
    assert_eq!(curl.status(), 200);
}

#[tokio::test]
async fn a_planted_guest_id_is_never_honoured() {
    let (_env, app) = store().await;
    let planted = "0b6f3e0c6c1e4f5a9d842a7c1f0e9b110b6f3e0c6c1e4f5a9d842a7c1f0e9b11";
    let victim = Client::new();
    let added = victim
        .post(app.url("/api/cart"))
        .header("Cookie", format!("session_id={planted}"))
        .json(&json!({ "car_id": 3 }))
        .send()
        .await
        .unwrap();
    let issued = set_cookie(&added).expect("a fresh session for a planted id");
    say(
        "a cart call with a planted session id",
        &issued[..issued.find(';').unwrap_or(0)],
    );
    assert!(!issued.contains(planted));
    let attacker = Client::new()
        .get(app.url("/api/cart"))
        .header("Cookie", format!("session_id={planted}"))
        .send()
        .await
        .unwrap();
    let cart: serde_json::Value = attacker.json().await.unwrap();
    say("the planter reads the planted id's cart", &cart["items"]);
    assert_eq!(cart["items"], json!([]));
    assert_ne!(cart["session_id"], planted);
    let checkout = Client::new()
        .post(app.url("/api/checkout"))
        .json(&json!({ "customer_name": "A", "customer_email": "a@example.com", "session_id": planted }))
        .send()
        .await
        .unwrap();
    say(
        "a checkout naming the planted id in its body",
        checkout.status(),
    );
    assert_error(checkout, 400, "cart_empty").await;
}

#[tokio::test]
async fn a_flood_of_live_feeds_from_one_client_is_capped() {
    let (_env, app) = store().await;
    let client = Client::new();
    let feeds = (0..300).map(|_| client.get(app.url("/api/events")).send());
    let answers: Vec<_> = join_all(feeds)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let counts = tally(answers.iter().map(|r| r.status()));
    say("300 /api/events from one client", format!("{counts:?}"));
    assert_eq!(counts.get(&200).copied(), Some(16), "{counts:?}");
    assert_eq!(counts.get(&429).copied(), Some(284), "{counts:?}");
    let other = Device::from_ip(&app, "127.0.3.1")
        .client
        .get(app.url("/api/events"))
        .send();
    let other = other.await.unwrap();
    say("another client meanwhile", other.status());
    assert_eq!(other.status(), 200);
    drop(answers);
}

#[tokio::test]
async fn answers_refused_by_a_fault_carry_the_security_headers() {
    let (_env, app) = store().await;
    let set = Client::new()
        .put(app.url("/api/faults/store/errors"))
        .bearer_auth(TOKEN)
        .json(&json!({ "value": 100, "route": "/api/cars" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let refused = app.get("/api/cars").await;
    say("GET /api/cars under a store errors fault", refused.status());
    assert_eq!(refused.status(), 503);
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
    ] {
        assert!(refused.headers().contains_key(header), "no {header}");
    }
}
