//! Behind a reverse proxy: the session cookie is `Secure` only when a proxy the configuration
//! trusts says the request came over HTTPS, and only a trusted proxy's `X-Forwarded-For` names
//! the client a sign-in limit counts. Anyone else's headers are the client's own words.

use crate::helpers::{spawn_app, spawn_in_dir, TestApp};
use crate::shoppers::{set_cookie, Account, Device};
use carstore::config::TrustedProxies;
use reqwest::{Client, RequestBuilder};
use serde_json::json;
use std::net::IpAddr;

/// The one place these tests name the setting (`CARSTORE_TRUSTED_PROXIES`).
async fn spawn_trusting(proxies: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.trusted_proxies = TrustedProxies::parse(proxies).expect("a list of proxies");
    spawn_in_dir(dir, settings).await
}

/// A cookie-less client from `ip`, like a proxy forwarding one request each for many browsers.
fn proxy_at(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

fn is_secure(set_cookie: &str) -> bool {
    set_cookie
        .split(';')
        .any(|attr| attr.trim().eq_ignore_ascii_case("secure"))
}

/// Whether each kind of answer that sets the cookie marks it `Secure`: a new guest's first
/// cart, a sign-up, a sign-in. All three must agree.
async fn secure_flags(app: &TestApp, from: &str, https: bool) -> [bool; 3] {
    let proxy = proxy_at(from);
    let over = |req: RequestBuilder| match https {
        true => req.header("X-Forwarded-Proto", "https"),
        false => req,
    };
    let account = Account::new("proxied");
    let sign_up =
        json!({ "name": account.name, "email": account.email, "password": account.password });
    let sign_in = json!({ "email": account.email, "password": account.password });
    let requests = [
        over(proxy.get(app.url("/api/cart"))),
        over(proxy.post(app.url("/api/account")).json(&sign_up)),
        over(proxy.post(app.url("/api/session")).json(&sign_in)),
    ];
    let mut flags = [false; 3];
    for (flag, req) in flags.iter_mut().zip(requests) {
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        let cookie = set_cookie(&resp).expect("a session cookie");
        *flag = is_secure(&cookie);
        // Over HTTPS the name's prefix makes browsers refuse it from elsewhere (a planted one).
        assert_eq!(cookie.starts_with("__Host-session_id="), *flag, "{cookie}");
    }
    flags
}

#[tokio::test]
async fn a_trusted_proxy_saying_https_gets_a_secure_cookie_and_plain_http_does_not() {
    let app = spawn_trusting("127.0.0.1").await;
    assert_eq!(secure_flags(&app, "127.0.0.1", true).await, [true; 3]);
    assert_eq!(secure_flags(&app, "127.0.0.1", false).await, [false; 3]);
}

#[tokio::test]
async fn a_proxy_given_as_a_network_is_trusted_for_each_of_its_addresses() {
    let app = spawn_trusting("10.0.0.1, 127.0.0.0/30").await;
    assert_eq!(secure_flags(&app, "127.0.0.2", true).await, [true; 3]);
    assert_eq!(secure_flags(&app, "127.0.0.5", true).await, [false; 3]);
}

#[tokio::test]
async fn an_untrusted_peer_claiming_https_gets_no_secure_flag() {
    let nobody_trusted = spawn_app().await;
    assert_eq!(
        secure_flags(&nobody_trusted, "127.0.0.1", true).await,
        [false; 3]
    );
    let another_trusted = spawn_trusting("127.0.0.2").await;
    assert_eq!(
        secure_flags(&another_trusted, "127.0.0.1", true).await,
        [false; 3]
    );
    assert_eq!(
        secure_flags(&another_trusted, "127.0.0.2", true).await,
        [true; 3]
    );
}

/// Failed sign-ins on distinct emails (no account limit in play), each forwarded for `client`
/// of the round; the statuses.
async fn spray(app: &TestApp, clients: impl Iterator<Item = String>) -> Vec<u16> {
    let proxy = proxy_at("127.0.0.1");
    let mut statuses = Vec::new();
    for client in clients {
        let body =
            json!({ "email": Account::new("spray").email, "password": "wrong-password-0123" });
        let resp = proxy
            .post(app.url("/api/session"))
            .header("X-Forwarded-For", client)
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    statuses
}

fn twenty_then_limited() -> Vec<u16> {
    let mut expected = vec![401; 20];
    expected.push(429);
    expected
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_that_the_sign_in_limit_counts() {
    let app = spawn_trusting("127.0.0.1").await;
    let guesser = std::iter::repeat_n("198.51.100.7".to_owned(), 21);
    assert_eq!(spray(&app, guesser).await, twenty_then_limited());
    // The proxy's other clients are not the guesser.
    let neighbour = std::iter::once("198.51.100.8".to_owned());
    assert_eq!(spray(&app, neighbour).await, [401]);
}

#[tokio::test]
async fn an_untrusted_peer_cannot_reset_its_count_by_rotating_x_forwarded_for() {
    let app = spawn_app().await;
    let rotating = (0..21).map(|n| format!("203.0.113.{n}"));
    assert_eq!(spray(&app, rotating).await, twenty_then_limited());
    // A device of its own on the same address is the same client.
    let account = Account::new("same-address");
    let device = Device::from_ip(&app, "127.0.0.1");
    let resp = device.sign_in(&account.email, &account.password).await;
    assert_eq!(resp.status(), 429);
}
