//! The account dialog in headless Chromium, for a shopper on the keyboard alone and for one who
//! slips: focus goes into the dialog and back out, and every refusal, the page's own or the
//! store's, shows by the field it concerns.

use crate::browser::{browser, click, focused, press, save_screenshot, text_until, type_into};
use crate::browser::{start_chromedriver, Driver};
use crate::browser_accounts::{sign_up_elsewhere, unique_email, value_of, NAME, PASSWORD};
use crate::helpers::{eventually, spawn_app, TestApp};
use fantoccini::{key::Key, Client, Locator};
use serde_json::json;
use std::time::Duration;

/// A fresh store with one account, made over HTTP: these tests are about signing in.
async fn store_with_an_account(who: &str) -> (TestApp, String) {
    let app = spawn_app().await;
    let email = unique_email(who);
    sign_up_elsewhere(&app, &crate::helpers::shopper(), NAME, &email).await;
    (app, email)
}

/// A browser showing the catalog, once the header offers "Sign in".
async fn guest_on_the_catalog(app: &TestApp, driver: &Driver, profile: &std::path::Path) -> Client {
    let c = browser(driver, profile).await;
    c.goto(&app.url("/#/catalog")).await.unwrap();
    text_until(&c, "[data-testid=account-signin]", |t| t == "Sign in").await;
    c
}

async fn attr_of(c: &Client, css: &str, name: &str) -> Option<String> {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.attr(name).await.unwrap()
}

/// Waits until focus is on the element with this id.
async fn focus_reaches(c: &Client, id: &str) {
    let what = format!("focus on #{id}");
    eventually(&what, Duration::from_secs(5), async || {
        focused(c).await == id
    })
    .await;
}

/// Sign-ins the store counted with this outcome, from its metrics.
async fn sign_ins(app: &TestApp, outcome: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let label = format!("outcome=\"{outcome}\"");
    text.lines()
        .filter(|l| l.starts_with("carstore_sign_ins_total{") && l.contains(&label))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as u64)
        .sum()
}

#[tokio::test]
async fn a_shopper_signs_in_and_out_with_the_keyboard_alone() {
    let (app, email) = store_with_an_account("keys").await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = guest_on_the_catalog(&app, &driver, profile.path()).await;

    // Tab reaches Sign in; Enter opens the dialog with focus in it; Escape closes it and focus
    // comes back.
    for _ in 0..12 {
        if focused(&c).await == "account-signin" {
            break;
        }
        press(&c, &Key::Tab).await;
    }
    assert_eq!(focused(&c).await, "account-signin", "Tab reaches Sign in");
    press(&c, &Key::Enter).await;
    focus_reaches(&c, "signin-email").await;
    press(&c, &Key::Escape).await;
    focus_reaches(&c, "account-signin").await;
    let open = "return document.getElementById('account-dialog').open";
    assert_eq!(c.execute(open, vec![]).await.unwrap(), json!(false));

    // Filled and sent with keys only: email, Tab, password, Enter.
    press(&c, &Key::Enter).await;
    focus_reaches(&c, "signin-email").await;
    press(&c, &format!("{email}{}{PASSWORD}{}", Key::Tab, Key::Enter)).await;
    text_until(&c, "[data-testid=account-name]", |t| t == NAME).await;
    focus_reaches(&c, "account-menu-button").await;
    // The menu too: Enter opens it, Tab walks to Sign out.
    press(&c, &Key::Enter).await;
    eventually("the menu open", Duration::from_secs(5), async || {
        attr_of(&c, "#account-menu-button", "aria-expanded").await == Some("true".into())
    })
    .await;
    press(&c, &format!("{}{}", Key::Tab, Key::Tab)).await;
    assert_eq!(focused(&c).await, "account-signout");
    press(&c, &Key::Enter).await;
    text_until(&c, "[data-testid=account-signin]", |t| t == "Sign in").await;
    assert_eq!(sign_ins(&app, "ok").await, 1);
    focus_reaches(&c, "account-signin").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn refusals_show_by_their_fields_and_what_the_page_can_check_is_never_sent() {
    let (app, email) = store_with_an_account("refused").await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = guest_on_the_catalog(&app, &driver, profile.path()).await;
    let open = "return document.getElementById('account-dialog').open";

    // What the page can tell is wrong is said before anything is sent.
    click(&c, "[data-testid=account-signin]").await;
    type_into(&c, "#signin-email", "ada-at-example.com").await;
    type_into(&c, "#signin-password", "short").await;
    click(&c, "#signin-submit").await;
    text_until(&c, "#signin-email-error", |t| {
        t.contains("name@example.com")
    })
    .await;
    text_until(&c, "#signin-password-error", |t| t.contains("10")).await;
    let invalid = attr_of(&c, "#signin-password", "aria-invalid").await;
    assert_eq!(invalid.as_deref(), Some("true"));
    let described = attr_of(&c, "#signin-password", "aria-describedby").await;
    assert!(described.unwrap().contains("signin-password-error"));

    // A wrong password: the store's refusal above the buttons, the dialog still open.
    let wrong = [
        ("#signin-email", &*email),
        ("#signin-password", "not the password"),
    ];
    for (css, text) in wrong {
        let field = c.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    click(&c, "#signin-submit").await;
    let refusal = text_until(&c, "[data-testid=signin-error]", |t| !t.is_empty()).await;
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-account-refused.png");
    assert_eq!(
        c.execute(open, vec![]).await.unwrap(),
        json!(true),
        "{refusal}"
    );
    assert_eq!(value_of(&c, "#signin-password").await, "", "typed again");
    // One refusal, not two: the malformed email was never sent (the store would count it).
    assert_eq!(sign_ins(&app, "invalid_credentials").await, 1);

    // Four more wrong guesses elsewhere reach the email's limit: even the right password is
    // refused now, and the page says how long to wait.
    let body = json!({ "email": email, "password": "still not the password" });
    for _ in 0..4 {
        let resp = app.client.post(app.url("/api/session")).json(&body).send();
        assert_eq!(resp.await.unwrap().status(), 401);
    }
    type_into(&c, "#signin-password", PASSWORD).await;
    click(&c, "#signin-submit").await;
    text_until(&c, "[data-testid=signin-error]", |t| {
        t.starts_with("Too many sign-in attempts. Please try again in ") && t.ends_with("minutes.")
    })
    .await;

    // Creating an account with a taken email: the refusal by the email field.
    click(&c, "#show-signup").await;
    assert_eq!(value_of(&c, "#signup-email").await, email, "carried over");
    type_into(&c, "#signup-name", "Someone Else").await;
    type_into(&c, "#signup-password", PASSWORD).await;
    click(&c, "#signup-submit").await;
    text_until(&c, "#signup-email-error", |t| !t.is_empty()).await;
    let invalid = attr_of(&c, "#signup-email", "aria-invalid").await;
    assert_eq!(invalid.as_deref(), Some("true"));
    assert_eq!(focused(&c).await, "signup-email");
    c.close().await.unwrap();
}
