//! The guessing limits as a client meets them: failures answered 401 until the first 429, and
//! the wait that 429 asks for. Each probe comes from a loopback address of its own (the store
//! must listen on 127.0.0.1), so one probe's client count never decides another's.

use crate::Credentials;
use serde_json::json;
use std::net::IpAddr;

/// Attempts at most, in case a limit never comes.
const GIVE_UP_AFTER: usize = 200;
const WRONG: &str = "not-the-password-0123";

pub struct Limits {
    pub account_failures: usize,
    pub account_retry_after: String,
    pub right_password_status: u16,
    pub client_failures: usize,
    pub client_retry_after: String,
}

pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("an IP"))
        .build()
        .expect("http client")
}

/// Sends `body(n)` until an answer is not 401; the 401s counted, and the first other answer's
/// status and Retry-After.
async fn until_refused(
    client: &reqwest::Client,
    url: &str,
    body: impl Fn(usize) -> serde_json::Value,
) -> (usize, u16, String) {
    for n in 0..GIVE_UP_AFTER {
        let resp = client.post(url).json(&body(n)).send().await;
        let resp = resp.expect("the store answers");
        if resp.status() != 401 {
            let wait = resp.headers().get("retry-after");
            let wait = wait.and_then(|v| v.to_str().ok()).unwrap_or("none");
            return (n, resp.status().as_u16(), wait.to_owned());
        }
    }
    (GIVE_UP_AFTER, 401, "none".into())
}

pub async fn measure(url: &str, run: u32) -> Limits {
    let sign_in = format!("{url}/api/session");
    let target = Credentials::new(run, usize::MAX);
    let mut body = target.body();
    body["name"] = json!("Bench Target");
    let made = client_from("127.0.0.1")
        .post(format!("{url}/api/account"))
        .json(&body)
        .send()
        .await;
    assert_eq!(made.expect("the store answers").status(), 201);

    let guesser = client_from("127.0.0.2");
    let (account_failures, status, account_retry_after) = until_refused(
        &guesser,
        &sign_in,
        |_| json!({ "email": target.email, "password": WRONG }),
    )
    .await;
    assert_eq!(status, 429, "a wrong password was answered {status}");
    let right = guesser.post(&sign_in).json(&target.body()).send().await;
    let right_password_status = right.expect("the store answers").status().as_u16();

    let sprayer = client_from("127.0.0.3");
    let (client_failures, status, client_retry_after) = until_refused(
        &sprayer,
        &sign_in,
        |n| json!({ "email": format!("nobody-{run:08x}-{n}@example.com"), "password": WRONG }),
    )
    .await;
    assert_eq!(
        status, 429,
        "a failure on a new email was answered {status}"
    );
    Limits {
        account_failures,
        account_retry_after,
        right_password_status,
        client_failures,
        client_retry_after,
    }
}
