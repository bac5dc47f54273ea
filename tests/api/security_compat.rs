//! The checks against cross-site requests must not break the clients that exist: the original
//! vanilla front end, served by its own nginx that proxies `/api/` and forwards `Host` without
//! the port, shopping in a real browser; and a curl-like script that sends no `Origin`.

use crate::browser::{browser, start_chromedriver};
use crate::helpers::{spawn_app, wait_for_blocking};
use crate::private::free_port;
use crate::security_store::say;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The old front end's way of talking to the store: same-origin fetches with JSON bodies.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>Old shop</title>
<p id="out">waiting</p><script src="/app.js"></script>"#;
const SCRIPT: &str = r#"(async () => {
  const post = (path, body) => fetch(path, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const added = await post('/api/cart', { car_id: 1, quantity: 1 });
  const paid = await post('/api/checkout', { customer_name: 'Old Client', customer_email: 'old@example.com', session_id: null });
  document.getElementById('out').textContent = `cart ${added.status} checkout ${paid.status}`;
})();"#;

// One process (no master and workers), so stopping it leaves nothing running.
const NGINX: &str = "pid {dir}/nginx.pid;
error_log {dir}/error.log;
daemon off;
master_process off;
events {}
http {
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  server {
    listen 127.0.0.1:{port};
    root {dir}/www;
    location /api/ { proxy_pass {store}; proxy_set_header Host $host; }
  }
}
";

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_in_front_of(store: &str, dir: &std::path::Path, port: u16) -> Nginx {
    let installed = Command::new("nginx").arg("-v").output().is_ok();
    assert!(
        installed,
        "nginx is not installed; `apt-get install -y nginx` (or run ops/test.sh)"
    );
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(dir.join("www/index.html"), PAGE).unwrap();
    std::fs::write(dir.join("www/app.js"), SCRIPT).unwrap();
    let conf = NGINX
        .replace("{dir}", &dir.display().to_string())
        .replace("{port}", &port.to_string())
        .replace("{store}", store);
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    // Its workers run as nobody: they must be able to read the page.
    Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir)
        .status()
        .unwrap();
    let child = Command::new("nginx")
        .args(["-p"])
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let what = format!("nginx listening on {port}");
    wait_for_blocking(&what, Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).map(drop)
    });
    Nginx(child)
}

#[tokio::test]
async fn the_original_front_end_behind_its_nginx_still_shops() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _nginx = nginx_in_front_of(&app.address, dir.path(), port);
    let driver = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    c.goto(&format!("http://127.0.0.1:{port}/")).await.unwrap();
    let text = crate::browser::text_until(&c, "#out", |t| t.starts_with("cart")).await;
    say(
        "the vanilla front end behind nginx (Host without port): add to cart, check out",
        &text,
    );
    assert_eq!(text, "cart 201 checkout 201");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_script_without_origin_still_shops() {
    let app = spawn_app().await;
    let script = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let added = script
        .post(app.url("/api/cart"))
        .json(&serde_json::json!({ "car_id": 2 }))
        .send()
        .await
        .unwrap();
    let paid = script
        .post(app.url("/api/checkout"))
        .json(&serde_json::json!({ "customer_name": "Script", "customer_email": "s@example.com" }))
        .send()
        .await
        .unwrap();
    say(
        "a script with no Origin: add to cart, check out",
        format!("{} {}", added.status(), paid.status()),
    );
    assert_eq!(
        (added.status().as_u16(), paid.status().as_u16()),
        (201, 201)
    );
}
