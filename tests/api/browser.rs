//! The real UI in headless Chromium (Debian's `chromium` + `chromium-driver`), through WebDriver.

use crate::helpers::{spawn_app, wait_for, wait_for_blocking};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// True when the page needs no horizontal scrolling.
const FITS_WIDTH: &str = "return document.documentElement.scrollWidth <= window.innerWidth";
const HOW_TO_INSTALL: &str =
    "install them with `apt-get install -y chromium chromium-driver` (ops/test.sh does this)";

/// A chromedriver process, killed when dropped.
pub struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start_chromedriver() -> Driver {
    for path in [CHROMEDRIVER, CHROMIUM] {
        assert!(
            std::path::Path::new(path).exists(),
            "{path} is missing: {HOW_TO_INSTALL}"
        );
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}; {HOW_TO_INSTALL}"));
    let driver = Driver(child, port);
    let what = format!("chromedriver listening on {port}");
    wait_for_blocking(&what, Duration::from_secs(15), || {
        TcpStream::connect(("127.0.0.1", port)).map(drop)
    });
    driver
}

impl Driver {
    /// Delays every request the browser sends from now on by `latency_ms` (0: no delay), as a
    /// slow network would: chromedriver's own network emulation for the session `c` runs.
    pub async fn slow_network(&self, c: &Client, latency_ms: u64) {
        let id = c.session_id().await.unwrap().expect("a session");
        let url = format!(
            "http://127.0.0.1:{}/session/{id}/chromium/network_conditions",
            self.1
        );
        let conditions = json!({ "network_conditions": {
            "offline": false, "latency": latency_ms, "download_throughput": -1, "upload_throughput": -1,
        }});
        let answer = reqwest::Client::new()
            .post(&url)
            .json(&conditions)
            .send()
            .await;
        let answer = answer.expect("chromedriver answers");
        assert!(
            answer.status().is_success(),
            "network conditions: {}",
            answer.status()
        );
    }
}

pub async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ];
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let caps = json!({ "goog:chromeOptions": { "binary": CHROMIUM, "args": args } });
    let caps = caps.as_object().unwrap().clone();
    ClientBuilder::rustls()
        .expect("TLS setup")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a Chromium session")
}

/// Waits until the element's text satisfies `ok`, and returns it.
pub async fn text_until(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let what = format!("{css} matching");
    wait_for(&what, Duration::from_secs(10), async || {
        let text = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(e) => return Err(format!("no element ({e})")),
        };
        match ok(&text) {
            true => Ok(text),
            false => Err(format!("text {text:?}")),
        }
    })
    .await
}

/// Clicks the element `css` names. A page that re-renders between finding the element and
/// clicking it (the catalog redrawing its cards) leaves a stale element: it is found again.
pub async fn click(c: &Client, css: &str) {
    for attempt in 1..=3 {
        let el = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match el.click().await {
            Ok(_) => return,
            Err(e) if attempt < 3 && e.to_string().contains("stale element") => continue,
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

pub async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Types `keys` on the keyboard into whatever has focus, as a person would: no element is named,
/// so the keys land where the page put focus. `fantoccini::key::Key`s (Tab, Enter, Escape) are
/// characters too and mix in: `&format!("{}", Key::Tab)`.
pub async fn press(c: &Client, keys: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut keyboard = KeyActions::new("keyboard".into());
    for value in keys.chars() {
        keyboard = keyboard
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    c.perform_actions(keyboard).await.unwrap();
}

/// The id of the element that has focus ("" for none).
pub async fn focused(c: &Client) -> String {
    let id = c.execute("return document.activeElement?.id ?? ''", vec![]);
    id.await.unwrap().as_str().unwrap_or_default().to_owned()
}

/// The embedded store with a known admin token, for a page signed in as the admin; its data
/// directory lives as long as it does.
pub async fn store_with_admin(token: &str) -> crate::helpers::TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    let token = carstore::config::AdminToken::new(token.into()).unwrap();
    settings.admin_token = Some(token);
    crate::helpers::spawn_in_dir(dir, settings).await
}

/// A store on real services with a Redis of its own that the dashboard can stop, start and read
/// the log of, and `token` as its admin token. Its parts end in the order they would as locals.
pub struct RedisControlledStore {
    pub app: crate::helpers::TestApp,
    _dir: tempfile::TempDir,
    _redis: crate::private::CommandRedis,
    pub env: crate::services::OwnRedisEnv,
}

pub async fn store_with_redis_control(token: &str) -> RedisControlledStore {
    let env = crate::services::OwnRedisEnv::new().await;
    let redis = crate::private::CommandRedis::start();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path(), &redis.url());
    settings.control.redis = Some(redis.control());
    let token = carstore::config::AdminToken::new(token.into()).unwrap();
    settings.admin_token = Some(token);
    let app = crate::helpers::spawn_with(settings).await;
    app.wait_until_ready().await;
    RedisControlledStore {
        app,
        _dir: dir,
        _redis: redis,
        env,
    }
}

pub fn save_screenshot(png: &[u8], name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[tokio::test]
async fn a_shopper_buys_two_cars_in_the_browser_and_sees_the_order_processed() {
    let app = spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/")).await.unwrap();
    click(&c, "[data-testid=add-1]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    click(&c, "[data-testid=add-18]").await;
    text_until(&c, "#cart-count", |t| t == "2").await;
    let feedback = c
        .find(Locator::Css("#toast"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(feedback.contains("added to your cart"), "{feedback}");

    click(&c, "a[data-nav=cart]").await;
    text_until(&c, "[data-testid=cart-total]", |t| t == "$60,000").await;
    // Inline validation before anything is sent.
    click(&c, "#place-order").await;
    text_until(&c, "#customer-name-error", |t| !t.is_empty()).await;
    type_into(&c, "#customer-name", "Ada Lovelace").await;
    type_into(&c, "#customer-email", "ada@example.com").await;
    click(&c, "#place-order").await;

    let number = text_until(&c, "[data-testid=order-number]", |t| t.starts_with('#')).await;
    let status = text_until(&c, "[data-testid=order-status]", |t| t == "processed").await;
    assert_eq!(status, "processed");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-checkout.png");
    let order_id: i64 = number.trim_start_matches('#').parse().unwrap();
    assert_eq!(app.order_count().await, 1);
    assert!(order_id >= 1);
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_page_survives_a_refresh_and_fits_a_360px_screen() {
    let app = spawn_app().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=health-orders]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    text_until(&c, "[data-testid=health-redis]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    text_until(&c, "[data-testid=health-rabbit]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    c.refresh().await.unwrap();
    text_until(&c, "[data-testid=health-orders]", |t| {
        t.starts_with("Embedded")
    })
    .await;
    // Without a hash, the last page comes back from localStorage.
    c.goto(&app.url("/")).await.unwrap();
    text_until(&c, "#dashboard-title", |t| t == "Service dashboard").await;
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-dashboard.png");

    c.set_window_size(360, 800).await.unwrap();
    c.goto(&app.url("/#/catalog")).await.unwrap();
    text_until(&c, "#result-count", |t| t == "39 cars").await;
    let fits = c.execute(FITS_WIDTH, vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "no horizontal scrolling at 360 px");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-catalog-360.png");
    click(&c, "[data-testid=add-33]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    c.goto(&app.url("/#/cart")).await.unwrap();
    text_until(&c, "[data-testid=cart-total]", |t| t == "$54,000").await;
    let fits = c.execute(FITS_WIDTH, vec![]).await.unwrap();
    assert_eq!(fits, json!(true), "the cart fits 360 px too");
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-cart-360.png");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_says_plainly_when_carts_are_unavailable_and_when_they_are_back() {
    use crate::private::PrivateRedis;
    use crate::services::OwnRedisEnv;
    let (env, mut redis) = (OwnRedisEnv::new().await, PrivateRedis::start());
    let dir = tempfile::tempdir().unwrap();
    let settings = env.settings(dir.path(), &redis.url());
    let app = crate::helpers::spawn_with(settings).await;
    app.wait_until_ready().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/catalog")).await.unwrap();
    click(&c, "[data-testid=add-1]").await;
    text_until(&c, "#cart-count", |t| t == "1").await;
    tokio::task::block_in_place(|| redis.down());
    click(&c, "[data-testid=add-2]").await;
    let banner = text_until(&c, "#outage", |t| !t.is_empty()).await;
    assert!(
        banner.starts_with("The cart service is unavailable"),
        "{banner}"
    );
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-outage-catalog.png");

    c.goto(&app.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Down")).await;
    text_until(&c, "[data-testid=health-orders]", |t| t.starts_with("Up")).await;
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-outage-dashboard.png");
    tokio::task::block_in_place(|| redis.up());
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Up")).await;
    c.close().await.unwrap();
    app.stop().await;
}
