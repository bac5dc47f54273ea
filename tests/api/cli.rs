//! The real binary on the command line: startup, clear failures, graceful stop, restart.

use crate::helpers::{get_json, wait_for_blocking, BIN};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A carstore process and the URL it printed.
pub struct Served {
    pub child: Child,
    pub url: String,
    pub log: std::sync::mpsc::Receiver<String>,
    /// What it printed before its URL.
    pub startup: Vec<String>,
}

pub fn serve(data_dir: &std::path::Path) -> Served {
    serve_with(data_dir, &[], &[])
}

/// `carstore serve` with extra flags and environment.
pub fn serve_with(data_dir: &std::path::Path, args: &[&str], env: &[(String, String)]) -> Served {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        // No load balancer to wait for: stop at once, unless the test asks for a drain.
        .env("CARSTORE_DRAIN", "0")
        .envs(env.iter().cloned());
    start(command, "serving the store at ")
}

/// Starts the command and waits (up to 15 s) for the line where it says `says`, then its URL.
pub fn start(mut command: Command, says: &str) -> Served {
    let mut child = command
        .env("CARSTORE_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("carstore starts");
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Held as a Served from the start, so a timeout's panic stops the process too.
    let mut served = Served {
        child,
        url: String::new(),
        log: rx,
        startup: Vec::new(),
    };
    let what = format!("carstore saying {says:?}");
    served.url = wait_for_blocking(&what, Duration::from_secs(15), || {
        while let Ok(line) = served.log.try_recv() {
            if let Some(url) = line.split(says).nth(1) {
                return Ok(url.trim().trim_end_matches('/').to_owned());
            }
            served.startup.push(line);
        }
        Err(format!("it said:\n{}", served.startup.join("\n")))
    });
    served
}

/// A test that fails before `terminate` still leaves no server behind.
impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("exit status");
        (status, self.log.try_iter().collect())
    }
}

pub fn run_failing(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("carstore runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn assert_one_clear_line(code: i32, stderr: &str, expected: &str) {
    assert_eq!(code, 1, "exit code; stderr: {stderr}");
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].contains(expected), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_prints_its_url_logs_its_backends_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    let cars = get_json(&reqwest::Client::new(), &format!("{}/api/cars", served.url)).await;
    assert_eq!(cars.as_array().unwrap().len(), 39);
    let (status, log) = served.terminate();
    assert!(status.success(), "graceful stop exits 0, got {status}");
    let log = log.join("\n");
    assert!(log.contains("carstore stopped"), "{log}");
}

#[tokio::test]
async fn the_binary_keeps_orders_and_carts_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    let shopper = crate::helpers::shopper();
    let post = |path: &str, body: serde_json::Value| {
        shopper
            .post(format!("{}{path}", served.url))
            .json(&body)
            .send()
    };
    post(
        "/api/cart",
        serde_json::json!({ "car_id": 26, "quantity": 1 }),
    )
    .await
    .unwrap();
    let placed: serde_json::Value = post(
        "/api/checkout",
        serde_json::json!({ "customer_name": "Ada", "customer_email": "ada@example.com" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    post(
        "/api/cart",
        serde_json::json!({ "car_id": 27, "quantity": 2 }),
    )
    .await
    .unwrap();
    let cart_url = format!("{}/api/cart", served.url);
    let before = get_json(&shopper, &cart_url).await;
    let session = before["session_id"].as_str().unwrap().to_owned();
    assert!(served.terminate().0.success());

    let again = serve(dir.path());
    let client = reqwest::Client::new();
    let cookie = format!("session_id={session}");
    let get = |path: String| {
        client
            .get(format!("{}{path}", again.url))
            .header("Cookie", cookie.clone())
            .send()
    };
    let after: serde_json::Value = get("/api/cart".into()).await.unwrap().json().await.unwrap();
    assert_eq!(after["items"], before["items"]);
    let order = get(format!("/api/orders/{}", placed["order_id"]))
        .await
        .unwrap();
    assert_eq!(order.status(), 200);
    assert!(again.terminate().0.success());
}

#[test]
fn a_taken_port_is_one_clear_line_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run_failing(&[
        "serve",
        "--bind",
        &addr,
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_one_clear_line(code, &stderr, "cannot listen on");
}

#[test]
fn an_unwritable_data_dir_is_one_clear_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let data_dir = file.join("data");
    let (code, stderr) = run_failing(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    assert_one_clear_line(code, &stderr, "cannot create data dir");
}

#[test]
fn bad_config_values_are_one_clear_line_and_exit_1() {
    let (code, stderr) = run_failing(&["serve", "--bind", "not-an-address"]);
    assert_one_clear_line(code, &stderr, "bind address");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("carstore.toml");
    std::fs::write(&config, "bind = 8000\n").unwrap();
    let (code, stderr) = run_failing(&["serve", "--config", config.to_str().unwrap()]);
    assert_one_clear_line(code, &stderr, "config file");
    let (code, stderr) = run_failing(&["serve", "--config", "/nonexistent/carstore.toml"]);
    assert_one_clear_line(code, &stderr, "cannot read config file");
    let (code, stderr) = run_failing(&["serve", "--no-such-flag"]);
    assert_one_clear_line(code, &stderr, "--no-such-flag");
}

#[test]
fn version_and_help_answer_and_exit_0() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with(&format!("carstore {}", env!("CARGO_PKG_VERSION"))));
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--data-dir",
        "--config",
        "CARSTORE_BIND",
        "CARSTORE_DATA_DIR",
    ] {
        assert!(help.contains(flag), "{flag} missing from help");
    }
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    let addr = served.url.trim_start_matches("http://").to_owned();
    let body = r#"{"car_id": 5, "quantity": 1}"#;
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    let head = format!(
        "POST /api/cart HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&body.as_bytes()[..10]).unwrap();
    // Connections are accepted in order: once a later one is answered, ours is in the server.
    let mut later = std::net::TcpStream::connect(&addr).unwrap();
    write!(later, "GET /healthz HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    later.read_to_string(&mut answer).unwrap();
    assert_eq!(answer.split(' ').nth(1), Some("200"), "{answer}");
    // Stop while the request is half sent; it must still be answered.
    let _ = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status();
    // The listener closes when the shutdown begins: only then does the rest of the body go.
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    crate::private::wait_until(port, false, "the listener", Duration::from_secs(10));
    conn.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (status, _) = served.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn healthcheck_exits_0_for_a_running_store_and_1_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    let url = format!("{}/healthz", served.url);
    let ok = Command::new(BIN)
        .args(["healthcheck", "--url", &url])
        .status()
        .unwrap();
    assert!(ok.success(), "{ok}");
    let missing = format!("{}/nope", served.url);
    let (code, stderr) = run_failing(&["healthcheck", "--url", &missing]);
    assert_one_clear_line(code, &stderr, "answered 404");
    served.terminate();
    let (code, stderr) = run_failing(&["healthcheck", "--url", &url]);
    assert_eq!(code, 1, "{stderr}");
}
