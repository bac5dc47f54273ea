//! What a new shopper and a new operator run into, in headless Chromium: the order dialog follows
//! its order on the live feed and never outlives its page, the printed sign-in link works in a
//! tab that already shows the store, and the Dashboard fits a phone and a wide screen.

use crate::browser::{browser, click, save_screenshot, start_chromedriver, text_until, type_into};
use crate::helpers::TestApp;
use carstore::config::AdminToken;
use fantoccini::{Client, Locator};
use serde_json::json;

/// True when the page needs no sideways scrolling. `clientWidth` leaves out a vertical scrollbar,
/// which `window.innerWidth` counts: a page can be wider than the space beside the scrollbar
/// and still pass `scrollWidth <= innerWidth`.
const FITS_WIDTH: &str = "const d = document.documentElement; \
     return d.scrollWidth <= window.innerWidth && d.scrollWidth <= d.clientWidth";
/// The elements that reach past the right edge, to name them when the page does not fit.
const TOO_WIDE: &str = "const w = document.documentElement.clientWidth; \
     return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5) \
     .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 12)";
const DIALOG_OPEN: &str = "return document.getElementById('order-dialog').open";
const TOKEN: &str = "browser-flows-token-0123456789";

async fn spawn_with_token() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    (crate::helpers::spawn_with(settings).await, dir)
}

/// How many requests the store answered on `route` (any method and status), from its metrics.
async fn requests_on(app: &TestApp, route: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let label = format!("route=\"{route}\"");
    text.lines()
        .filter(|l| l.starts_with("carstore_http_requests_total{") && l.contains(&label))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as u64)
        .sum()
}

/// Puts one car in the cart and places the order; returns when the dialog shows its number.
async fn place_an_order(c: &Client, app: &TestApp) {
    c.goto(&app.url("/#/catalog")).await.unwrap();
    click(c, "[data-testid=add-1]").await;
    text_until(c, "#cart-count", |t| t == "1").await;
    click(c, "a[data-nav=cart]").await;
    text_until(c, "[data-testid=cart-total]", |t| t == "$18,000").await;
    type_into(c, "#customer-name", "Grace Hopper").await;
    type_into(c, "#customer-email", "grace@example.com").await;
    click(c, "#place-order").await;
    text_until(c, "[data-testid=order-number]", |t| t.starts_with('#')).await;
}

#[tokio::test]
async fn the_order_dialog_follows_its_order_on_the_live_feed_without_asking_for_it() {
    let app = crate::helpers::spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    place_an_order(&c, &app).await;
    text_until(&c, "[data-testid=order-status]", |t| t == "processed").await;
    let help = text_until(&c, "#order-status-help", |t| !t.is_empty()).await;
    assert!(
        !help.contains("inbox") && !help.contains("receipt"),
        "no mail is sent, so none is promised: {help}"
    );
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-order-dialog.png");
    assert_eq!(
        requests_on(&app, "/api/orders/{id}").await,
        0,
        "the dialog learnt the status from /api/events, not by asking for the order"
    );
    assert!(requests_on(&app, "/api/events").await >= 1);
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_order_dialog_closes_when_the_shopper_moves_to_another_page() {
    let app = crate::helpers::spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    place_an_order(&c, &app).await;
    assert_eq!(c.execute(DIALOG_OPEN, vec![]).await.unwrap(), json!(true));
    // The dialog is modal, so the shopper leaves by the address bar or the Back button.
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=health-orders]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    assert_eq!(c.execute(DIALOG_OPEN, vec![]).await.unwrap(), json!(false));
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-dialog-left.png");

    place_an_order(&c, &app).await;
    c.back().await.unwrap();
    text_until(&c, "#result-count", |t| t.ends_with("cars")).await;
    assert_eq!(
        c.execute(DIALOG_OPEN, vec![]).await.unwrap(),
        json!(false),
        "Back to the catalog closes it too"
    );
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_sign_in_link_signs_in_a_tab_already_showing_the_store() {
    let (app, _dir) = spawn_with_token().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let link = app.url(&format!("/#/dashboard?token={TOKEN}"));

    for first in ["/#/catalog", "/#/dashboard"] {
        c.goto(&app.url(first)).await.unwrap();
        let page = format!("#page-{}:not([hidden])", &first[3..]);
        c.wait().for_element(Locator::Css(&page)).await.unwrap();
        // A mark on the page tells whether pasting the link reloaded it.
        c.execute("window.sameTab = true", vec![]).await.unwrap();
        c.goto(&link).await.unwrap();
        // The link's token waits in the form, never sent without a press.
        let focused = "return document.activeElement.id";
        let on = c.execute(focused, vec![]).await.unwrap();
        assert_eq!(
            on,
            json!("admin-signin-button"),
            "from {first}: focus on Sign in"
        );
        let state = c
            .find(Locator::Css("[data-testid=admin-state]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!state.starts_with("Signed in"), "from {first}: {state}");
        click(&c, "#admin-signin-button").await;
        text_until(&c, "[data-testid=admin-state]", |t| {
            t.starts_with("Signed in")
        })
        .await;
        let same = c.execute("return window.sameTab === true", vec![]).await;
        assert_eq!(same.unwrap(), json!(true), "from {first}: no reload");
        let address = c.current_url().await.unwrap();
        assert!(
            address.as_str().ends_with("/#/dashboard"),
            "from {first}: the token left the address bar: {address}"
        );
        click(&c, "#admin-signout").await;
        text_until(&c, "[data-testid=admin-state]", |t| {
            t.starts_with("Signed out")
        })
        .await;
    }
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_dashboard_fits_a_375px_phone_and_a_1440px_screen() {
    let (app, _dir) = spawn_with_token().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.set_window_size(375, 812).await.unwrap();
    c.goto(&app.url(&format!("/#/dashboard?token={TOKEN}")))
        .await
        .unwrap();
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    text_until(&c, "[data-testid=health-rabbit]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    text_until(&c, "[data-testid=queue-table]", |t| t.contains("orders")).await;
    let fits = c.execute(FITS_WIDTH, vec![]).await.unwrap();
    let wide = c.execute(TOO_WIDE, vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "no sideways scrolling at 375 px: {wide}");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-375-dashboard.png");
    for (part, title) in [("load", "load-title"), ("queues", "queues-title")] {
        let scroll = format!("document.getElementById('{title}').scrollIntoView()");
        c.execute(&scroll, vec![]).await.unwrap();
        save_screenshot(
            &c.screenshot().await.unwrap(),
            &format!("e2e-375-{part}.png"),
        );
    }
    // The narrowest phone the store is made for.
    c.set_window_size(360, 800).await.unwrap();
    let fits = c.execute(FITS_WIDTH, vec![]).await.unwrap();
    let wide = c.execute(TOO_WIDE, vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "nor at 360 px: {wide}");

    c.set_window_size(1440, 900).await.unwrap();
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    let fits = c.execute(FITS_WIDTH, vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "nor at 1440 px");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-1440-dashboard.png");
    c.goto(&app.url("/#/catalog")).await.unwrap();
    text_until(&c, "#result-count", |t| t == "39 cars").await;
    let chips = text_until(&c, "#category-chips", |t| t.contains("SUV")).await;
    assert!(chips.starts_with("All cars"), "{chips}");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-1440-catalog.png");
    c.close().await.unwrap();
}
