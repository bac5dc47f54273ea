//! Shopper accounts on both backends: signing up, refusals that store nothing, signing in
//! without session fixation, and signing out. Limits are in accounts_limits.rs, devices and
//! carts in accounts_devices.rs.

use crate::helpers::{assert_error, TestApp};
use crate::services::on_both_backends;
use crate::shoppers::{cookie_value, replay, set_cookie, Account, Device};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    signing_up_answers_201_with_a_new_cookie_and_keeps_the_guest_cart,
    an_email_taken_in_another_case_is_409_and_changes_nothing,
    each_invalid_field_is_422_and_stores_nothing,
    malformed_or_incomplete_sign_ups_are_400,
    signing_in_issues_a_new_session_id_and_the_old_one_stays_a_guest,
    signing_out_ends_this_session_and_leaves_an_empty_guest,
);

/// The cookie a sign-up or sign-in sets: a new session id, HttpOnly, SameSite=Lax, site-wide.
fn assert_new_session_cookie(set: Option<String>, old: &str) -> String {
    let set = set.expect("a session cookie is set");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    let new = cookie_value(&set).to_owned();
    let hex = new.chars().all(|c| c.is_ascii_hexdigit());
    assert!(new.len() >= 32 && hex, "at least 128 bits in hex: {set}");
    assert_ne!(new, old, "the session id must change (no fixation)");
    new
}

async fn signing_up_answers_201_with_a_new_cookie_and_keeps_the_guest_cart(app: &TestApp) {
    let device = Device::new(app);
    device.add(3, 1).await;
    let guest = device.session_id().await;
    let account = Account::new("signup");

    let resp = device.sign_up(&account).await;
    assert_eq!(resp.status(), 201);
    let cookie = assert_new_session_cookie(set_cookie(&resp), &guest);
    let body: Value = resp.json().await.unwrap();
    let expected = json!({ "name": account.name, "email": account.email });
    assert_eq!(body, expected, "name and email only, never the password");

    assert_eq!(device.json("/api/account").await, expected);
    assert_eq!(
        device.session_id().await,
        cookie,
        "the cart view names the cookie"
    );
    assert_eq!(
        device.cart_lines().await,
        [(3, 1)],
        "the guest cart came along"
    );
    assert_error(
        replay(app, &guest, "/api/account").await,
        401,
        "not_signed_in",
    )
    .await;
    assert_error(Device::new(app).account().await, 401, "not_signed_in").await;
}

async fn an_email_taken_in_another_case_is_409_and_changes_nothing(app: &TestApp) {
    let first = Device::new(app);
    let account = Account::new("taken");
    assert_eq!(first.sign_up(&account).await.status(), 201);

    let second = Device::new(app);
    let rival = Account {
        name: "Someone Else".into(),
        email: account.email.to_uppercase(),
        password: "another-password-0123".into(),
    };
    assert_error(second.sign_up(&rival).await, 409, "email_taken").await;
    assert_eq!(
        second.account_status().await,
        401,
        "a refused sign-up signs nobody in"
    );
    assert_eq!(
        first.account_status().await,
        200,
        "the owner is still signed in"
    );

    // Nothing of the rival was stored: its password opens nothing, the owner's name stands.
    let third = Device::new(app);
    let refused = third.sign_in(&account.email, &rival.password).await;
    assert_error(refused, 401, "invalid_credentials").await;
    // A login no account can have, with a character the database refuses to compare: the
    // same answer as an unknown email, never a 500.
    let odd = third
        .sign_in("ada\u{0}@example.com", &account.password)
        .await;
    assert_error(odd, 401, "invalid_credentials").await;
    let resp = third
        .sign_in(&account.email.to_uppercase(), &account.password)
        .await;
    assert_eq!(
        resp.status(),
        200,
        "the login is the email without regard to case"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "name": account.name, "email": account.email })
    );
}

/// One bad field at a time, each with the code that names it.
fn invalid_variants(good: &Account) -> Vec<(Account, &'static str)> {
    let with = |f: &dyn Fn(&mut Account)| {
        let mut a = good.clone();
        f(&mut a);
        a
    };
    let mut out = Vec::new();
    for name in ["", "   ", &"é".repeat(201), "Ada\u{7}Lovelace"] {
        out.push((with(&|a| a.name = name.into()), "invalid_name"));
    }
    for email in ["ada", "ada@example", "a b@example.com", "@example.com"] {
        out.push((with(&|a| a.email = email.into()), "invalid_email"));
    }
    for password in ["123456789", &"x".repeat(129), "correct\nhorse battery"] {
        out.push((with(&|a| a.password = password.into()), "invalid_password"));
    }
    out
}

async fn each_invalid_field_is_422_and_stores_nothing(app: &TestApp) {
    let cases = invalid_variants(&Account::new("count")).len();
    for case in 0..cases {
        let good = Account::new("invalid");
        let (bad, code) = invalid_variants(&good).swap_remove(case);
        // A device of its own per case: sign-ups are limited per client.
        let device = Device::from_ip(app, &format!("127.0.4.{}", case + 1));
        assert_error(device.sign_up(&bad).await, 422, code).await;
        assert_eq!(
            device.account_status().await,
            401,
            "{code}: signed nobody in"
        );
        // Stored nothing: the same sign-up with the field fixed is a new account, not a 409.
        let resp = device.sign_up(&good).await;
        assert_eq!(resp.status(), 201, "{code}: {bad:?} fixed");
    }
}

async fn malformed_or_incomplete_sign_ups_are_400(app: &TestApp) {
    let device = Device::new(app);
    let account = Account::new("malformed");
    let raw = device
        .client
        .post(app.url("/api/account"))
        .header("Content-Type", "application/json")
        .body(format!(
            r#"{{"name": "Ada", "email": "{}", "password":"#,
            account.email
        ))
        .send()
        .await
        .unwrap();
    assert_error(raw, 400, "invalid_json").await;
    let missing = json!({ "name": account.name, "email": account.email });
    let resp = device
        .send(Method::POST, "/api/account", Some(missing))
        .await;
    assert_error(resp, 400, "invalid_request").await;
    assert_eq!(device.account_status().await, 401);
    assert_eq!(
        device.sign_up(&account).await.status(),
        201,
        "nothing was stored"
    );
}

async fn signing_in_issues_a_new_session_id_and_the_old_one_stays_a_guest(app: &TestApp) {
    let account = Account::new("fixation");
    assert_eq!(Device::new(app).sign_up(&account).await.status(), 201);

    // An attacker's planted id: the victim's browser carries it into the sign-in.
    let device = Device::new(app);
    device.add(8, 1).await;
    let planted = device.session_id().await;
    let resp = device.sign_in(&account.email, &account.password).await;
    assert_eq!(resp.status(), 200);
    let fresh = assert_new_session_cookie(set_cookie(&resp), &planted);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "name": account.name, "email": account.email })
    );

    assert_eq!(device.account_status().await, 200);
    assert_eq!(device.session_id().await, fresh);
    assert_error(
        replay(app, &planted, "/api/account").await,
        401,
        "not_signed_in",
    )
    .await;
    let planted_cart = replay(app, &planted, "/api/cart").await;
    let planted_cart: Value = planted_cart.json().await.unwrap();
    assert_eq!(
        planted_cart["items"],
        json!([]),
        "the old id reaches no cart of the account"
    );
    // The new id works from anywhere, which is what makes it worth keeping secret.
    assert_eq!(replay(app, &fresh, "/api/account").await.status(), 200);
}

async fn signing_out_ends_this_session_and_leaves_an_empty_guest(app: &TestApp) {
    let account = Account::new("signout");
    let device = Device::new(app);
    assert_eq!(device.sign_up(&account).await.status(), 201);
    device.add(11, 2).await;
    let signed_in = device.session_id().await;

    let resp = device.sign_out().await;
    assert_eq!(resp.status(), 200);
    let guest = assert_new_session_cookie(set_cookie(&resp), &signed_in);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({ "ended": 1 }));

    assert_error(device.account().await, 401, "not_signed_in").await;
    assert_eq!(device.session_id().await, guest);
    assert_eq!(
        device.cart_lines().await,
        [],
        "the browser is an empty guest"
    );
    assert_error(
        replay(app, &signed_in, "/api/account").await,
        401,
        "not_signed_in",
    )
    .await;
    // Signing out again is no error: there is nothing left to end.
    let again = device.sign_out().await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["ended"], 0);
    // The account kept its cart.
    device.signed_in(&account).await;
    assert_eq!(device.cart_lines().await, [(11, 2)]);
}
