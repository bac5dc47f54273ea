//! Guessing passwords, on both backends: an unknown email and a wrong password look alike, and
//! failed sign-ins are limited per account (5 in 15 minutes) and per client (20), each with a
//! 429 that says when to come back. Each step signs in from its own loopback address, so one
//! step's client limit never decides the next.

use crate::helpers::{assert_error, TestApp};
use crate::services::on_both_backends;
use crate::shoppers::{retry_after, Account, Device};
use serde_json::Value;
use std::time::{Duration, Instant};

on_both_backends!(
    a_wrong_password_and_an_unknown_email_get_the_same_answer_in_similar_time,
    five_failures_lock_an_email_even_against_the_right_password,
    an_email_no_account_has_is_locked_like_one_that_exists,
    a_successful_sign_in_clears_the_failures_of_its_email,
    twenty_failures_from_one_client_lock_that_client_only,
);

/// Per account: failures allowed before the 429s begin.
const ACCOUNT_FAILURES: usize = 5;
/// Per client address.
const CLIENT_FAILURES: usize = 20;
/// The window failures are counted in; no 429 asks to wait longer.
const WINDOW_SECS: u64 = 15 * 60;

const WRONG: &str = "not-the-password-0123";

async fn signed_up(app: &TestApp, tag: &str) -> Account {
    let account = Account::new(tag);
    let resp = Device::from_ip(app, "127.0.0.1").sign_up(&account).await;
    assert_eq!(resp.status(), 201, "signing up {}", account.email);
    account
}

/// A refusal for too many attempts, with a wait within the window.
async fn assert_limited(resp: reqwest::Response, what: &str) {
    assert_eq!(resp.status(), 429, "{what}");
    let wait = retry_after(&resp);
    assert!(
        (1..=WINDOW_SECS).contains(&wait),
        "{what}: Retry-After {wait}"
    );
    assert_error(resp, 429, "too_many_attempts").await;
}

async fn timed_body(device: &Device, email: &str) -> (Duration, u16, Value) {
    let began = Instant::now();
    let resp = device.sign_in(email, WRONG).await;
    let took = began.elapsed();
    (
        took,
        resp.status().as_u16(),
        resp.json().await.expect("JSON"),
    )
}

/// The fastest of several: the cost of the work itself, since a busy machine only ever adds.
fn fastest(times: &[Duration]) -> Duration {
    times.iter().copied().min().expect("some timings")
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_in_similar_time(app: &TestApp) {
    let account = signed_up(app, "lookalike").await;
    let guesser = Device::from_ip(app, "127.0.0.2");
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    // Interleaved, so a slow moment of the machine falls on both kinds alike; four wrong
    // passwords stay under the account's limit.
    for n in 0..ACCOUNT_FAILURES - 1 {
        let (took, status, body) = timed_body(&guesser, &account.email).await;
        wrong.push(took);
        let nobody = Account::new(&format!("nobody{n}")).email;
        let (took, unknown_status, unknown_body) = timed_body(&guesser, &nobody).await;
        unknown.push(took);
        assert_eq!(
            (status, &body),
            (401, &unknown_body),
            "the answers tell them apart"
        );
        assert_eq!(unknown_status, 401);
        assert_eq!(body["error"], "invalid_credentials");
    }
    let (_, status, body) = timed_body(&guesser, "not-an-email").await;
    assert_eq!(
        status, 401,
        "a malformed email is just wrong credentials: {body}"
    );
    assert_eq!(body["error"], "invalid_credentials");
    // An unknown email costs a hash too; without it, it would answer in a fraction of the time.
    let (wrong, unknown) = (fastest(&wrong), fastest(&unknown));
    println!("sign-in refused: wrong password {wrong:?}, unknown email {unknown:?} (fastest of 4)");
    assert!(
        unknown * 3 >= wrong && unknown <= wrong * 3,
        "wrong password {wrong:?}, unknown email {unknown:?}"
    );
}

async fn five_failures_lock_an_email_even_against_the_right_password(app: &TestApp) {
    let account = signed_up(app, "locked").await;
    let owner = Device::from_ip(app, "127.0.0.1");
    owner.signed_in(&account).await;
    let guesser = Device::from_ip(app, "127.0.0.2");
    for _ in 0..ACCOUNT_FAILURES {
        let resp = guesser.sign_in(&account.email, WRONG).await;
        assert_error(resp, 401, "invalid_credentials").await;
    }
    let resp = guesser.sign_in(&account.email, WRONG).await;
    assert_limited(resp, "the attempt after 5 failures").await;
    let resp = guesser.sign_in(&account.email, &account.password).await;
    assert_limited(resp, "the right password while locked").await;
    // Per account: from anywhere, in any case of the email.
    let elsewhere = Device::from_ip(app, "127.0.0.3");
    let upper = account.email.to_uppercase();
    assert_limited(
        elsewhere.sign_in(&upper, &account.password).await,
        "elsewhere",
    )
    .await;
    // Not per client: the guesser's address may still sign into another account.
    let other = signed_up(app, "unlocked").await;
    guesser.signed_in(&other).await;
    // A session made before the lock keeps working.
    assert_eq!(owner.account_status().await, 200);
}

async fn an_email_no_account_has_is_locked_like_one_that_exists(app: &TestApp) {
    // Otherwise a 429 where others get 401 would tell which emails have accounts.
    let nobody = Account::new("nobody").email;
    let guesser = Device::from_ip(app, "127.0.0.2");
    for _ in 0..ACCOUNT_FAILURES {
        assert_error(
            guesser.sign_in(&nobody, WRONG).await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    assert_limited(guesser.sign_in(&nobody, WRONG).await, "an unknown email").await;
}

async fn a_successful_sign_in_clears_the_failures_of_its_email(app: &TestApp) {
    let account = signed_up(app, "cleared").await;
    let device = Device::from_ip(app, "127.0.0.2");
    for round in 1..=2 {
        for n in 1..ACCOUNT_FAILURES {
            let resp = device.sign_in(&account.email, WRONG).await;
            assert_eq!(
                resp.status(),
                401,
                "round {round}, failure {n}: counted from zero again"
            );
        }
        device.signed_in(&account).await;
    }
}

async fn twenty_failures_from_one_client_lock_that_client_only(app: &TestApp) {
    let account = signed_up(app, "client").await;
    let guesser = Device::from_ip(app, "127.0.0.2");
    // A different email each time, so no account's own limit is what stops it.
    for n in 0..CLIENT_FAILURES {
        let email = Account::new(&format!("spray{n}")).email;
        let resp = guesser.sign_in(&email, WRONG).await;
        assert_eq!(resp.status(), 401, "failure {} of {CLIENT_FAILURES}", n + 1);
    }
    let fresh = Account::new("spray-next").email;
    assert_limited(guesser.sign_in(&fresh, WRONG).await, "the 21st failure").await;
    let resp = guesser.sign_in(&account.email, &account.password).await;
    assert_limited(resp, "the right password from the locked client").await;
    // Another client, and the account itself, are not affected.
    Device::from_ip(app, "127.0.0.3").signed_in(&account).await;
}
