//! The real UI in headless Chromium (Debian's `chromium` + `chromium-driver`), through WebDriver.

use crate::helpers::spawn_app;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// True when the page needs no horizontal scrolling.
const FITS_WIDTH: &str = "return document.documentElement.scrollWidth <= window.innerWidth";
const HOW_TO_INSTALL: &str =
    "install them with `apt-get install -y chromium chromium-driver` (ops/test.sh does this)";

/// A chromedriver process, killed when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_chromedriver() -> Driver {
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
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
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
async fn text_until(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never matched; last text {last:?}");
}

async fn click(c: &Client, css: &str) {
    let el = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

fn save_screenshot(png: &[u8], name: &str) {
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
    use crate::services::{
        real_settings, require_shared_services, TestDb, TestQueues, AMQP, PG_ADMIN,
    };
    require_shared_services();
    let (db, queues, mut redis) = (
        TestDb::create(PG_ADMIN).await,
        TestQueues::new(),
        PrivateRedis::start(),
    );
    let dir = tempfile::tempdir().unwrap();
    let settings = real_settings(
        dir.path(),
        &db.url(),
        &redis.url(),
        AMQP,
        "carstore:",
        &queues.orders,
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_stops_and_starts_redis_from_the_page_and_watches_the_light() {
    use crate::control::{STARTED, STOPPED};
    use crate::private::CommandRedis;
    use crate::services::{
        real_settings, require_shared_services, TestDb, TestQueues, AMQP, PG_ADMIN,
    };
    use carstore::config::AdminToken;
    require_shared_services();
    let (db, queues) = (TestDb::create(PG_ADMIN).await, TestQueues::new());
    let redis = CommandRedis::start();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = real_settings(
        dir.path(),
        &db.url(),
        &redis.url(),
        AMQP,
        "carstore:",
        &queues.orders,
    );
    settings.control.redis = Some(redis.control());
    let token = "browser-admin-token-0123456789";
    settings.admin_token = Some(AdminToken::new(token.into()).unwrap());
    let app = crate::helpers::spawn_with(settings).await;
    app.wait_until_ready().await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    c.goto(&app.url("/#/dashboard")).await.unwrap();
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Up")).await;
    let disabled = c
        .find(Locator::Css("[data-testid=stop-redis]"))
        .await
        .unwrap()
        .attr("disabled")
        .await
        .unwrap();
    assert!(disabled.is_some(), "signed out, the buttons are disabled");
    type_into(&c, "#admin-token", token).await;
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    // Signed in, the log window opens with the server's recent lines.
    let started_lines = |t: &str| t.to_lowercase().matches(STARTED).count();
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 1).await;
    text_until(&c, "[data-testid=queue-table]", |t| {
        t.contains(&queues.orders)
    })
    .await;

    click(&c, "[data-testid=stop-redis]").await;
    let stopped = std::time::Instant::now();
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Down")).await;
    let red = stopped.elapsed();
    text_until(&c, "[data-testid=log-redis]", |t| {
        t.to_lowercase().contains(STOPPED)
    })
    .await;
    let logged = stopped.elapsed();
    println!("browser: red after {red:?}, shutdown in the log window after {logged:?}");
    assert!(
        red < Duration::from_secs(3),
        "the light turned red in {red:?}"
    );
    assert!(
        logged < Duration::from_secs(2),
        "the log window showed the shutdown after {logged:?}"
    );
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-stopped.png");
    click(&c, "[data-testid=start-redis]").await;
    text_until(&c, "[data-testid=health-redis]", |t| t.starts_with("Up")).await;
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 2).await;
    // The window follows the newest line while at the bottom; scrolled up, it stays put.
    const WINDOW: &str = "const w = document.querySelector('[data-testid=log-redis]');";
    let at_bottom = format!("{WINDOW} return w.scrollTop + w.clientHeight >= w.scrollHeight - 8;");
    assert_eq!(c.execute(&at_bottom, vec![]).await.unwrap(), true);
    let scroll_up = format!("{WINDOW} w.scrollTop = 0; return w.scrollHeight > w.clientHeight;");
    assert_eq!(c.execute(&scroll_up, vec![]).await.unwrap(), true);
    click(&c, "[data-testid=restart-redis]").await;
    text_until(&c, "[data-testid=log-redis]", |t| started_lines(t) == 3).await;
    let top = format!("{WINDOW} return w.scrollTop;");
    assert_eq!(
        c.execute(&top, vec![]).await.unwrap(),
        0,
        "reading older lines is not interrupted"
    );
    text_until(&c, "[data-testid=audit-log]", |t| {
        t.contains("start redis") && t.contains("stop redis")
    })
    .await;
    let postgres = c
        .find(Locator::Css("[data-testid=stop-postgres]"))
        .await
        .unwrap();
    assert!(postgres
        .attr("title")
        .await
        .unwrap()
        .unwrap_or_default()
        .starts_with("No control:"));
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-started.png");
    c.execute("window.scrollTo(0, 520)", vec![]).await.unwrap();
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-control-logs.png");
    c.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_puts_load_on_the_store_from_the_page_and_watches_the_chart() {
    use carstore::config::AdminToken;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = carstore::Settings::for_tests(dir.path());
    let token = "browser-load-token-0123456789";
    settings.admin_token = Some(AdminToken::new(token.into()).unwrap());
    let app = crate::helpers::spawn_with(settings).await;
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&app.url("/#/dashboard")).await.unwrap();
    let start = c
        .find(Locator::Css("[data-testid=load-start]"))
        .await
        .unwrap();
    assert!(
        start.attr("disabled").await.unwrap().is_some(),
        "signed out, no load"
    );
    type_into(&c, "#admin-token", token).await;
    click(&c, "#admin-signin-button").await;
    text_until(&c, "[data-testid=admin-state]", |t| {
        t.starts_with("Signed in")
    })
    .await;
    let rate = c.find(Locator::Css("#load-rate")).await.unwrap();
    rate.clear().await.unwrap();
    rate.send_keys("80").await.unwrap();
    click(&c, "[data-testid=load-start]").await;
    text_until(&c, "[data-testid=load-figures]", |t| {
        t.starts_with("Running 80/s")
    })
    .await;
    // Three seconds of figures make three points on each line of the chart.
    let points = "return document.querySelector('[data-testid=load-chart] .rps').getAttribute('points').split(' ').filter(Boolean).length;";
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.execute(points, vec![]).await.unwrap().as_u64() < Some(3) {
        assert!(Instant::now() < deadline, "the chart never grew");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    save_screenshot(&c.screenshot().await.unwrap(), "e2e-load-running.png");
    click(&c, "[data-testid=load-stop]").await;
    let stopped = text_until(&c, "[data-testid=load-figures]", |t| {
        t.starts_with("Stopped.")
    })
    .await;
    assert!(stopped.contains(" 0 errors"), "{stopped}");
    c.close().await.unwrap();
    app.stop().await;
}
