//! Admin sign-in under guessing: wrong tokens are counted per client address, past a few a wrong
//! token is answered 429 with Retry-After, the right token still gets in, other addresses are
//! not affected, and the failures are in the audit log without the tokens tried.

use crate::helpers::{assert_error, eventually, spawn_in_dir, spawn_with, TestApp};
use carstore::config::AdminToken;
use carstore::http::admin::{PER_CLIENT, WINDOW};
use carstore::store::sqlite::DB_FILE;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

const TOKEN: &str = "the-right-admin-token-0123";

async fn spawn_with_token() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_with_token(dir.path());
    spawn_in_dir(dir, settings).await
}

fn settings_with_token(data_dir: &Path) -> carstore::Settings {
    let mut settings = carstore::Settings::for_tests(data_dir);
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    settings
}

/// A client whose requests come from `ip` (any 127.x.y.z reaches the store on loopback).
fn client_from(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn login(app: &TestApp, client: &Client, token: &str) -> Response {
    client
        .post(app.url("/api/admin/login"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn three_hundred_guesses_get_429_after_the_fifth_and_the_right_token_still_gets_in() {
    let app = spawn_with_token().await;
    let guesser = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for n in 0..300 {
        let resp = login(&app, &guesser, &format!("guess-number-{n:04}-abcdef")).await;
        statuses.push(resp.status().as_u16());
    }
    let first = PER_CLIENT as usize;
    assert!(statuses[..first].iter().all(|&s| s == 401), "{statuses:?}");
    assert!(statuses[first..].iter().all(|&s| s == 429), "{statuses:?}");
    let refused = login(&app, &guesser, "one-more-guess-abcdef").await;
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=WINDOW.as_secs()).contains(&wait), "Retry-After {wait}");
    assert_error(refused, 429, "too_many_attempts").await;

    // The admin shares the guesser's address (an ingress, Docker Desktop): not locked out.
    assert_eq!(login(&app, &guesser, TOKEN).await.status(), 200);
    let bearer = guesser
        .get(app.url("/api/audit"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200, "the right token is always let in");
    app.stop().await;
}

#[tokio::test]
async fn another_address_is_not_limited_and_the_audit_shows_every_wrong_token_once() {
    let app = spawn_with_token().await;
    let guesser = client_from("127.0.0.1");
    // Fewer than the limit over all clients, which would refuse every address's wrong token.
    for n in 0..40 {
        let resp = guesser
            .post(app.url("/api/service/redis/stop"))
            .bearer_auth(format!("bearer-guess-{n:04}-abcdef"))
            .send()
            .await
            .unwrap();
        assert!([401, 429].contains(&resp.status().as_u16()));
    }
    assert_eq!(
        login(&app, &guesser, "still-not-it-0123456").await.status(),
        429
    );

    let admin = client_from("127.0.0.2");
    assert_eq!(
        login(&app, &admin, "not-it-either-0123456").await.status(),
        401
    );
    assert_eq!(login(&app, &admin, TOKEN).await.status(), 200);
    let audit: Value = admin
        .get(app.url("/api/audit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sign_ins = |who: &str| -> Vec<String> {
        let who = format!("client from {who}");
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "sign_in" && e["who"] == who.as_str())
            .map(|e| {
                format!(
                    "{} {}",
                    e["via"].as_str().unwrap(),
                    e["result"].as_str().unwrap()
                )
            })
            .collect()
    };
    let from_guesser = sign_ins("127.0.0.1");
    assert_eq!(
        from_guesser.len(),
        41,
        "every wrong token, once: {from_guesser:?}"
    );
    let plain = from_guesser
        .iter()
        .filter(|e| e.ends_with("wrong token"))
        .count();
    assert_eq!(plain, PER_CLIENT as usize, "{from_guesser:?}");
    assert!(from_guesser[0].starts_with("login wrong token; over the limit for "));
    assert_eq!(sign_ins("127.0.0.2"), ["login ok", "login wrong token"]);
    let text = audit.to_string();
    assert!(
        !text.contains("guess") && !text.contains(TOKEN),
        "no token in {text}"
    );
    app.stop().await;
}

/// The admin cookie is a session, never the token: `Secure` when a trusted proxy says HTTPS,
/// and signing out ends it, so a copy of the cookie taken earlier no longer works.
#[tokio::test]
async fn the_admin_cookie_is_a_secure_session_that_signing_out_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings_with_token(dir.path());
    settings.trusted_proxies = carstore::config::TrustedProxies::parse("127.0.0.1").unwrap();
    let app = spawn_in_dir(dir, settings).await;
    let over_https = app
        .client
        .post(app.url("/api/admin/login"))
        .header("X-Forwarded-Proto", "https")
        .json(&json!({ "token": TOKEN }))
        .send()
        .await
        .unwrap();
    assert_eq!(over_https.status(), 200);
    let set = over_https.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!set.contains(TOKEN), "{set}");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api"] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    let plain = login(&app, &Client::new(), TOKEN).await;
    let set = plain.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let pair = set.split(';').next().unwrap().to_owned();
    let with_cookie = |path: &str| {
        Client::new()
            .request(reqwest::Method::POST, app.url(path))
            .header("Cookie", &pair)
            .send()
    };
    assert_eq!(
        with_cookie("/api/admin/logout").await.unwrap().status(),
        200
    );
    let replayed = with_cookie("/api/admin/logout").await.unwrap();
    assert_eq!(replayed.status(), 401, "the copy taken before signing out");
    app.stop().await;
}

#[tokio::test]
async fn requests_without_a_token_are_no_guesses_and_a_wrong_cookie_is_dropped() {
    let app = spawn_with_token().await;
    for _ in 0..20 {
        assert_error(app.get("/api/audit").await, 401, "admin_required").await;
    }
    let stale = app
        .client
        .get(app.url("/api/audit"))
        .header("Cookie", "carstore_admin=a-token-from-an-earlier-run")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401);
    let dropped = stale.headers()["set-cookie"].to_str().unwrap();
    assert!(dropped.starts_with("carstore_admin=;"), "{dropped}");
    assert!(dropped.contains("Max-Age=0"), "{dropped}");
    assert_eq!(login(&app, &app.client, TOKEN).await.status(), 200);
    app.stop().await;
}

/// Rows in the embedded file's audit table, read behind the store's back.
fn audit_rows(data_dir: &Path) -> i64 {
    let c = rusqlite::Connection::open(data_dir.join(DB_FILE)).unwrap();
    c.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn the_audit_log_survives_a_restart_and_names_the_instance_that_recorded_each_entry() {
    let dir = tempfile::tempdir().unwrap();
    let named = |instance: &str| carstore::Settings {
        instance: instance.to_owned(),
        ..settings_with_token(dir.path())
    };
    let first = spawn_with(named("first")).await;
    let admin = client_from("127.0.0.3");
    let wrong = login(&first, &admin, "not-the-token-0123456").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(login(&first, &admin, TOKEN).await.status(), 200);
    // Written behind the requests: stop only once the file holds both.
    eventually("both entries written", Duration::from_secs(5), async || {
        audit_rows(dir.path()) == 2
    })
    .await;
    first.stop().await;

    let second = spawn_with(named("second")).await;
    let admin = client_from("127.0.0.3");
    assert_eq!(login(&second, &admin, TOKEN).await.status(), 200);
    let audit: Value = admin
        .get(second.url("/api/audit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen: Vec<String> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["instance"].as_str().unwrap(),
                e["via"],
                e["result"]
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            r#"second "login" "ok""#,
            r#"first "login" "ok""#,
            r#"first "login" "wrong token""#,
        ],
        "newest first, each once"
    );
    second.stop().await;
}
