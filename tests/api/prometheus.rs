//! A real Prometheus scrapes a real carstore, and every query of the Grafana dashboard is run
//! through it: a panel whose query errors or finds nothing after traffic fails the test.

use crate::events::EventReader;
use crate::helpers::{pace, spawn_with, wait_for, TestApp};
use crate::metrics::shop;
use crate::private::{free_port, wait_until};
use crate::services::RealEnv;
use carstore::config::AdminToken;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Grafana's `$__rate_interval`, for a 1 s scrape: at least four samples per window.
const RATE_INTERVAL: &str = "15s";

struct Prometheus {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    fn scraping(target_port: u16) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "scrape_configs:\n  - job_name: carstore\n    scrape_interval: 1s\n    \
                 static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
            ),
        )
        .unwrap();
        let port = free_port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus is missing: apt-get install prometheus (ops/test.sh does this)");
        wait_until(port, true, "prometheus", Duration::from_secs(20));
        Prometheus {
            child,
            port,
            _dir: dir,
        }
    }

    async fn query(&self, expr: &str) -> Value {
        let url = format!("http://127.0.0.1:{}/api/v1/query", self.port);
        let resp = reqwest::Client::new()
            .get(url)
            .query(&[("query", expr)])
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TOKEN: &str = "prometheus-test-admin-token";

/// A new account signed into (and once a wrong password), so the sign-up and sign-in panels
/// have series.
async fn sign_up_and_in(app: &TestApp, round: u32) {
    let email = format!("prom-{round}-{:x}@example.com", rand::random::<u64>());
    let account = json!({ "name": "Prom", "email": email, "password": "prometheus test" });
    // Each round from an address of its own: sign-ups are limited per client.
    let from = std::net::Ipv4Addr::new(127, 0, 7, (round % 250) as u8 + 1);
    let signer = reqwest::Client::builder()
        .local_address(std::net::IpAddr::V4(from))
        .build()
        .unwrap();
    let created = signer.post(app.url("/api/account")).json(&account).send();
    assert_eq!(created.await.unwrap().status(), 201);
    let right = json!({ "email": email, "password": "prometheus test" });
    let signed_in = app.client.post(app.url("/api/session")).json(&right).send();
    assert_eq!(signed_in.await.unwrap().status(), 200);
    // One wrong password only: this client's twentieth would be refused with 429.
    if round == 1 {
        let wrong = json!({ "email": email, "password": "not the password" });
        let refused = app.client.post(app.url("/api/session")).json(&wrong).send();
        assert_eq!(refused.await.unwrap().status(), 401);
    }
}

/// Every PromQL expression in the dashboard, with the panel it belongs to.
fn dashboard_queries() -> Vec<(String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ops/grafana/dashboards/carstore.json"
    );
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut queries = Vec::new();
    // The annotation queries too: Grafana asks Prometheus for them as for a panel.
    for annotation in dashboard["annotations"]["list"].as_array().unwrap() {
        let name = format!("annotation {}", annotation["name"].as_str().unwrap());
        queries.push((name, annotation["expr"].as_str().unwrap().to_owned()));
    }
    for panel in dashboard["panels"].as_array().unwrap() {
        assert_ne!(
            panel["type"], "graph",
            "the deprecated graph panel: use timeseries"
        );
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"]
                .as_str()
                .unwrap()
                .replace("$__rate_interval", RATE_INTERVAL);
            queries.push((panel["title"].as_str().unwrap().to_owned(), expr));
        }
    }
    queries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_carstore_and_every_dashboard_query_returns_series() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = env.settings(dir.path());
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    // A fault in force while Prometheus scrapes: what the "Faults injected" annotation shows.
    let fault = app
        .client
        .put(app.url("/api/faults/cache/latency"))
        .bearer_auth(TOKEN)
        .json(&json!({ "value": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), 200);
    let prometheus = Prometheus::scraping(app.port);
    let _watching = EventReader::open(&app.url("/api/events")).await;
    // Traffic across several scrapes, so rates and increases have something to work on.
    let mut round = 0;
    wait_for(
        "8 scrapes of carstore",
        Duration::from_secs(60),
        async || {
            shop(&app, 2).await;
            round += 1;
            sign_up_and_in(&app, round).await;
            pace(Duration::from_millis(300)).await; // rounds of traffic spread over the scrapes
            let scrapes = prometheus
                .query("count_over_time(up{job=\"carstore\"}[1m])")
                .await;
            let scraped = scrapes["data"]["result"][0]["value"][1]
                .as_str()
                .unwrap_or("0")
                .to_owned();
            match scraped.parse::<f64>().unwrap() >= 8.0 {
                true => Ok(()),
                false => Err(format!("{scraped} scrapes")),
            }
        },
    )
    .await;
    let up = prometheus.query("up{job=\"carstore\"}").await;
    assert_eq!(
        up["data"]["result"][0]["value"][1], "1",
        "the scrape succeeds: {up}"
    );

    let mut empty = Vec::new();
    for (panel, expr) in dashboard_queries() {
        let answer = prometheus.query(&expr).await;
        assert_eq!(answer["status"], "success", "{panel}: {expr}: {answer}");
        if answer["data"]["result"]
            .as_array()
            .is_none_or(|r| r.is_empty())
        {
            empty.push(format!("{panel}: {expr}"));
        }
    }
    assert!(
        empty.is_empty(),
        "queries with no series after traffic:\n{}",
        empty.join("\n")
    );
    app.stop().await;
}
