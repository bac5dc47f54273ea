//! Shopper accounts in headless Chromium: the cart follows the account into a browser that never
//! saw it, a device can be ended from another, and the Dashboard counts who is signed in. The
//! dialog's keyboard use and refusals are in browser_accounts_forms.rs.

use crate::browser::{browser, click, press, save_screenshot, start_chromedriver};
use crate::browser::{text_until, type_into};
use crate::helpers::{eventually, spawn_app, TestApp};
use fantoccini::{key::Key, Client, Locator};
use serde_json::json;
use std::time::Duration;

pub const NAME: &str = "Ada Lovelace";
pub const PASSWORD: &str = "analytical engine 1843";

/// An email no other test uses: the real-service tests share one database.
pub fn unique_email(who: &str) -> String {
    crate::services::unique(&format!("{who}-")) + "@example.com"
}

/// Creates an account over HTTP, for a test whose subject is not the sign-up form; `client`
/// (a cookie jar of its own) is then signed in, like another device.
pub async fn sign_up_elsewhere(app: &TestApp, client: &reqwest::Client, name: &str, email: &str) {
    let body = json!({ "name": name, "email": email, "password": PASSWORD });
    let resp = client.post(app.url("/api/account")).json(&body).send();
    let resp = resp.await.unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}

async fn sign_out_elsewhere(app: &TestApp, client: &reqwest::Client) {
    let resp = client.delete(app.url("/api/session")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

async fn sign_up(c: &Client, name: &str, email: &str) {
    click(c, "[data-testid=account-signin]").await;
    click(c, "#show-signup").await;
    type_into(c, "#signup-name", name).await;
    type_into(c, "#signup-email", email).await;
    type_into(c, "#signup-password", PASSWORD).await;
    click(c, "#signup-submit").await;
    text_until(c, "[data-testid=account-name]", |t| t == name).await;
}

async fn sign_in(c: &Client, email: &str) {
    click(c, "[data-testid=account-signin]").await;
    type_into(c, "#signin-email", email).await;
    type_into(c, "#signin-password", PASSWORD).await;
    click(c, "#signin-submit").await;
    text_until(c, "[data-testid=account-name]", |t| t == NAME).await;
}

/// Signs out from the menu under the shopper's name; returns once the header says "Sign in".
async fn sign_out(c: &Client, item: &str) {
    click(c, "[data-testid=account-menu-button]").await;
    click(c, &format!("[data-testid={item}]")).await;
    text_until(c, "[data-testid=account-signin]", |t| t == "Sign in").await;
}

pub async fn value_of(c: &Client, css: &str) -> String {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.prop("value").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn a_shopper_signs_in_on_a_fresh_browser_finds_the_cart_and_checks_it_out() {
    let app = spawn_app().await;
    let driver = start_chromedriver();
    let email = unique_email("story");
    let first = tempfile::tempdir().unwrap();
    let c = browser(&driver, first.path()).await;
    c.goto(&app.url("/#/catalog")).await.unwrap();
    sign_up(&c, NAME, &email).await;
    // The password is in no address, storage, cookie or field once it has been sent.
    let kept = "return [location.href, JSON.stringify({...localStorage}), JSON.stringify({...sessionStorage}), \
        document.cookie, ...[...document.querySelectorAll('input')].map(i => i.value)].join(' ')";
    let kept = c.execute(kept, vec![]).await.unwrap();
    assert!(!kept.as_str().unwrap().contains(PASSWORD), "{kept}");
    click(&c, "[data-testid=add-1]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    sign_out(&c, "account-signout").await;
    // This browser is a new guest now: its cart is empty, the car stays with the account.
    text_until(&c, "#cart-count", |t| t == "0").await;
    c.close().await.unwrap();

    // A new WebDriver session on a profile of its own: an empty cookie jar, as on another device.
    let second = tempfile::tempdir().unwrap();
    let c = browser(&driver, second.path()).await;
    c.goto(&app.url("/#/cart")).await.unwrap();
    text_until(&c, "#cart-empty", |t| t.starts_with("Your cart is empty")).await;
    sign_in(&c, &email).await;
    // The open cart page switches to the account's cart without being reloaded.
    text_until(&c, "#cart-count", |t| t == "1").await;
    text_until(&c, "[data-testid=cart-total]", |t| t == "$18,000").await;
    let filled = async || {
        value_of(&c, "#customer-name").await == NAME
            && value_of(&c, "#customer-email").await == email
    };
    eventually(
        "checkout pre-filled from the account",
        Duration::from_secs(5),
        filled,
    )
    .await;
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-account-cart.png");

    click(&c, "#place-order").await;
    let number = text_until(&c, "[data-testid=order-number]", |t| t.starts_with('#')).await;
    text_until(&c, "[data-testid=order-status]", |t| t == "processed").await;
    click(&c, "#order-dialog-close").await;
    // Listed once the order settled: the list is read again then.
    text_until(&c, "#order-history", |t| {
        t.contains(&format!("Order {number}")) && t.contains("processed")
    })
    .await;
    text_until(&c, "#cart-count", |t| t == "0").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_shopper_ends_another_devices_session_from_your_devices() {
    let app = spawn_app().await;
    let email = unique_email("devices");
    // Made over HTTP and signed out there, so the two browsers are the account's only sessions.
    let maker = crate::helpers::shopper();
    sign_up_elsewhere(&app, &maker, NAME, &email).await;
    sign_out_elsewhere(&app, &maker).await;
    let driver = start_chromedriver();
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (
        browser(&driver, one.path()).await,
        browser(&driver, two.path()).await,
    );
    for c in [&a, &b] {
        c.goto(&app.url("/#/catalog")).await.unwrap();
        sign_in(c, &email).await;
    }

    click(&a, "[data-testid=account-menu-button]").await;
    click(&a, "[data-testid=account-devices]").await;
    let rows = "[data-testid=devices-list] [data-testid=device]";
    let listed = async |n: usize| {
        let count = async || a.find_all(Locator::Css(rows)).await.unwrap().len() == n;
        eventually(
            &format!("{n} sessions listed"),
            Duration::from_secs(5),
            count,
        )
        .await
    };
    listed(2).await;
    let mine = text_until(&a, "[data-current=true]", |t| !t.is_empty()).await;
    // Compared without case: the tag is drawn in capitals.
    assert!(mine.to_lowercase().contains("this device"), "{mine}");
    save_screenshot(&a.screenshot().await.unwrap(), "e2e-account-devices.png");
    // The other one is b's.
    click(&a, "[data-current=false] button").await;
    listed(1).await;
    // b learns it when it next asks: opening its cart.
    click(&b, "a[data-nav=cart]").await;
    text_until(&b, "[data-testid=account-signin]", |t| t == "Sign in").await;

    sign_in(&b, &email).await;
    press(&a, &Key::Escape).await;
    sign_out(&a, "account-signout-everywhere").await;
    b.refresh().await.unwrap();
    text_until(&b, "[data-testid=account-signin]", |t| t == "Sign in").await;
    for c in [a, b] {
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn the_dashboard_counts_shoppers_as_they_sign_in_and_out() {
    let app = spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    let figure = "[data-testid=shoppers-signed-in]";
    text_until(&c, figure, |t| t == "0").await;

    // Someone signs in on another device: the open dashboard sees it without a reload.
    let elsewhere = crate::helpers::shopper();
    sign_up_elsewhere(&app, &elsewhere, "Grace Hopper", &unique_email("count")).await;
    text_until(&c, figure, |t| t == "1").await;
    sign_up(&c, NAME, &unique_email("count")).await;
    text_until(&c, figure, |t| t == "2").await;
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-account-dashboard.png");
    sign_out_elsewhere(&app, &elsewhere).await;
    text_until(&c, figure, |t| t == "1").await;
    c.close().await.unwrap();
}
