//! Starts the store on port 0 with a fresh data dir, and one helper per endpoint.

use carstore::ops::audit::{AuditEntry, Audited, SignInVia};
use carstore::service::Service;
use carstore::service::ServiceAction;
use carstore::{Application, Settings};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// The carstore binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_carstore");

pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// A shopper: a client that keeps its cookies.
    pub client: Client,
    server: Option<(
        actix_web::dev::ServerHandle,
        JoinHandle<std::io::Result<()>>,
    )>,
    _dir: Option<TempDir>,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings::for_tests(dir.path());
    spawn_in_dir(dir, settings).await
}

/// Starts the store with these settings; `dir` (its data dir) lives as long as the app.
pub async fn spawn_in_dir(dir: TempDir, settings: Settings) -> TestApp {
    let mut app = spawn_with(settings).await;
    app._dir = Some(dir);
    app
}

/// Starts the store on an existing data dir (to test restarts), with or without the worker.
pub async fn spawn_app_in(data_dir: PathBuf, run_worker: bool) -> TestApp {
    spawn_with(Settings {
        run_worker,
        ..Settings::for_tests(&data_dir)
    })
    .await
}

pub async fn spawn_with(settings: Settings) -> TestApp {
    let app = Application::build(settings)
        .await
        .expect("the store starts");
    let port = app.port();
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: shopper(),
        server: Some((handle, task)),
        _dir: None,
    }
}

/// How often `wait_for` and its kin ask again.
const POLL: Duration = Duration::from_millis(20);

/// The one way the tests wait for something to happen. Asks `check` every 20 ms until it gives
/// `Ok(what it waited for)`, and returns that; `Err(what it saw instead)` means not yet. After
/// `within` it fails naming `what` and the last thing it saw.
pub async fn wait_for<T, O: std::fmt::Display>(
    what: &str,
    within: Duration,
    check: impl AsyncFnMut() -> Result<T, O>,
) -> T {
    match try_wait_for(within, check).await {
        Ok(found) => found,
        Err(last) => panic!("{what} did not happen within {within:?}; last seen: {last}"),
    }
}

/// `wait_for` for a test that judges a miss itself (notes it, prints it, takes a screenshot)
/// instead of failing at once: the value waited for, or the last thing seen after `within`.
pub async fn try_wait_for<T, O>(
    within: Duration,
    mut check: impl AsyncFnMut() -> Result<T, O>,
) -> Result<T, O> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let seen = check().await;
        if seen.is_ok() || std::time::Instant::now() >= deadline {
            return seen;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `wait_for` for the few functions that are not async (a process started, then its port
/// waited for): the same asking, the same failure, blocking the thread meanwhile.
pub fn wait_for_blocking<T, O: std::fmt::Display>(
    what: &str,
    within: Duration,
    mut check: impl FnMut() -> Result<T, O>,
) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        match check() {
            Ok(found) => return found,
            Err(last) if std::time::Instant::now() >= deadline => {
                panic!("{what} did not happen within {within:?}; last seen: {last}")
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// `wait_for` for a check that only says yes or no.
pub async fn eventually(what: &str, within: Duration, check: impl AsyncFn() -> bool) {
    wait_for(what, within, async || match check().await {
        true => Ok(()),
        false => Err("its check still said no"),
    })
    .await
}

/// Lets `d` pass so that a check after it proves nothing more happened meanwhile: no second
/// delivery, no late event, nothing started before its button. The one fixed sleep a test may
/// use to prove an absence; to wait for something to happen, use `wait_for`.
pub async fn nothing_more_for(d: Duration) {
    tokio::time::sleep(d).await;
}

/// Lets `d` pass on purpose, as part of what the test does, not to wait for a state: load
/// running before and between outages, an outage's length, requests spaced out or sent a moment
/// apart, a window held open for its figures.
pub async fn pace(d: Duration) {
    tokio::time::sleep(d).await;
}

pub fn shopper() -> Client {
    Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

impl TestApp {
    /// Waits (up to 15 s) until the order store, the cart store and the queue all answer.
    pub async fn wait_until_ready(&self) {
        let paths = ["/readyz", "/api/status/redis", "/api/status/rabbit"];
        wait_for(
            "every service answering",
            Duration::from_secs(15),
            async || {
                let mut not_yet = Vec::new();
                for path in paths {
                    let status = self.get(path).await.status();
                    if status != StatusCode::OK {
                        not_yet.push(format!("{path} {status}"));
                    }
                }
                match not_yet.is_empty() {
                    true => Ok(()),
                    false => Err(not_yet.join(", ")),
                }
            },
        )
        .await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Stops the server gracefully and waits for it and its workers to end.
    pub async fn stop(mut self) {
        if let Some((handle, task)) = self.server.take() {
            handle.stop(true).await;
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn json(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.expect("JSON body")
    }

    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> Response {
        self.client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn send_raw_body(
        &self,
        method: reqwest::Method,
        path: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .request(method, self.url(path))
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn add_to_cart(&self, car_id: i64, quantity: i64) -> Response {
        self.send_json(
            reqwest::Method::POST,
            "/api/cart",
            json!({ "car_id": car_id, "quantity": quantity }),
        )
        .await
    }

    pub async fn cart(&self) -> Value {
        self.json("/api/cart").await
    }

    pub async fn checkout(&self, name: &str, email: &str) -> Response {
        self.send_json(
            reqwest::Method::POST,
            "/api/checkout",
            json!({ "customer_name": name, "customer_email": email }),
        )
        .await
    }

    /// Adds cars and checks out; returns the new order id.
    pub async fn buy(&self, cars: &[(i64, i64)]) -> i64 {
        for &(car, qty) in cars {
            assert_eq!(
                self.add_to_cart(car, qty).await.status(),
                StatusCode::CREATED
            );
        }
        let resp = self.checkout("Ada Lovelace", "ada@example.com").await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        resp.json::<Value>().await.unwrap()["order_id"]
            .as_i64()
            .expect("order id")
    }

    /// Polls the order until it reaches `status`, failing after 10 s; returns it then.
    pub async fn wait_for_status(&self, order_id: i64, status: &str) -> Value {
        let path = format!("/api/orders/{order_id}");
        let what = format!("order {order_id} reaching {status}");
        wait_for(&what, Duration::from_secs(10), async || {
            let order = self.json(&path).await;
            match order["order"]["status"] == status {
                true => Ok(order),
                false => Err(order["order"]["status"].clone()),
            }
        })
        .await
    }

    pub async fn order_count(&self) -> i64 {
        self.json("/api/status/orders").await["count"]
            .as_i64()
            .expect("count")
    }

    /// Sends exactly these bytes (no client-side path normalisation) and returns status and body.
    pub async fn raw(&self, request: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
            .await
            .expect("an answer")
            .expect("read");
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        (status, text)
    }
}

/// Asserts a JSON error answer: status, stable code, and a human message.
pub async fn assert_error(resp: Response, status: u16, code: &str) {
    assert_eq!(resp.status().as_u16(), status, "status for {code}");
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(ct.starts_with("application/json"), "content type {ct}");
    let body: Value = resp.json().await.expect("JSON error body");
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// GET with any client (another shopper, one without cookies) and read the JSON body.
pub async fn get_json(client: &Client, url: &str) -> Value {
    let resp = client.get(url).send().await.expect("GET");
    resp.json().await.expect("JSON body")
}

/// The `n`th audit entry of a kind, `n` seconds after 2024 began; its id names `n` and the
/// kind, so ids never repeat across kinds.
pub fn audit_entry(n: i64, control: bool) -> AuditEntry {
    let what = match control {
        true => Audited::Control {
            service: Service::Redis,
            action: ServiceAction::Restart,
        },
        false => Audited::SignIn {
            via: SignInVia::Cookie,
        },
    };
    AuditEntry {
        id: n * 2 + i64::from(control),
        at: chrono::DateTime::from_timestamp(1_704_067_200 + n, 0).unwrap(),
        instance: "store-a".into(),
        who: format!("admin from 192.0.2.{}", n % 200),
        what,
        result: "ok".into(),
    }
}
