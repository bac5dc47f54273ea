//! `/metrics` after real traffic: what promtool thinks of it, and whether it counts what happened.

use crate::events::EventReader;
use crate::helpers::{spawn_with, TestApp};
use crate::services::RealEnv;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a promtool subcommand, failing with how to install it when it is missing.
pub fn promtool(args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is missing: apt-get install prometheus (ops/test.sh does this)");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let said = [out.stdout, out.stderr].concat();
    (
        out.status.success(),
        String::from_utf8_lossy(&said).into_owned(),
    )
}

/// Shopping that touches every counter: orders, a refused checkout, catalog reads, a 404.
pub async fn shop(app: &TestApp, orders: usize) {
    for _ in 0..orders {
        app.buy(&[(4, 1)]).await;
    }
    let empty = app.checkout("Ada Lovelace", "ada@example.com").await;
    assert_eq!(empty.status(), 400, "an empty cart is refused");
    assert_eq!(app.get("/api/cars").await.status(), 200);
    assert_eq!(app.get("/api/cars/7").await.status(), 200);
    assert_eq!(app.get("/api/cars/999").await.status(), 404);
}

/// The value of the one sample whose line starts with `series` (name and labels).
pub fn value(text: &str, series: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no sample {series} in:\n{text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_scrape_after_traffic_passes_promtool_and_counts_what_happened() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(env.settings(dir.path())).await;
    app.wait_until_ready().await;
    let mut watching = EventReader::open(&app.url("/api/events")).await;
    // Each service is probed on its own, so their first `up` may come in either order.
    let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let both_up = |e: &str, d: &serde_json::Value| {
        let mut seen = seen.lock().unwrap();
        if e == "health" && d["health"] == "up" {
            seen.insert(d["service"].as_str().unwrap_or_default().to_owned());
        }
        seen.contains("postgres") && seen.contains("redis")
    };
    watching
        .until(std::time::Duration::from_secs(5), both_up)
        .await;
    shop(&app, 3).await;
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = resp.text().await.unwrap();

    let (ok, said) = promtool(&["check", "metrics"], Some(&text));
    assert!(ok, "promtool check metrics:\n{said}");
    assert_eq!(value(&text, "carstore_orders_created_total"), 3.0);
    assert_eq!(
        value(
            &text,
            r#"carstore_checkout_failures_total{reason="cart_empty"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &text,
            r#"carstore_cart_operations_total{operation="add",result="ok"}"#
        ),
        3.0
    );
    let not_found =
        r#"carstore_http_requests_total{method="GET",route="/api/cars/{id}",status="404"}"#;
    assert_eq!(value(&text, not_found), 1.0);
    assert!(
        !text.contains("/api/cars/999"),
        "raw paths never become labels"
    );
    assert_eq!(
        value(&text, r#"carstore_sse_clients{stream="events"}"#),
        1.0
    );
    assert_eq!(
        value(&text, r#"carstore_service_up{service="postgres"}"#),
        1.0
    );
    assert_eq!(
        value(
            &text,
            r#"carstore_service_state{service="redis",state="up"}"#
        ),
        1.0
    );
    assert!(value(&text, "carstore_db_pool_size") >= 1.0);
    assert!(
        value(&text, "carstore_catalog_cache_hits_total")
            + value(&text, "carstore_catalog_cache_misses_total")
            >= 1.0
    );
    assert!(value(&text, "carstore_process_resident_memory_bytes") > 1e6);
    assert!(value(&text, "carstore_process_open_fds") > 3.0);
    assert_eq!(value(&text, r#"carstore_build_info{version="0.1.0"}"#), 1.0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("carstore_"), "{line}");
        assert!(
            !line.contains("ada@example.com") && !line.contains("Ada"),
            "{line}"
        );
    }
    app.stop().await;
}

#[test]
fn the_prometheus_config_and_alert_rules_check_and_their_unit_tests_pass() {
    for args in [
        ["check", "config", "ops/prometheus/prometheus.yml"].as_slice(),
        &["check", "rules", "ops/prometheus/alerts.yml"],
        &["test", "rules", "ops/prometheus/alerts_test.yml"],
    ] {
        let (ok, said) = promtool(args, None);
        assert!(ok, "promtool {}:\n{said}", args.join(" "));
    }
}
