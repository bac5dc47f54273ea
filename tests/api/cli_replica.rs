//! The real binary as one replica among several: the drain on SIGTERM, no control on
//! Kubernetes, and one store per embedded data dir.

use crate::cli::{assert_one_clear_line, run_failing, serve, serve_with};
use crate::helpers::{get_json, pace};
use std::process::Command;
use std::time::{Duration, Instant};

/// SIGTERM drains first: `/readyz` answers 503 at once while the store still serves, for the
/// drain period; only then does the listener close, and the process exits 0.
#[tokio::test]
async fn sigterm_turns_readyz_to_503_and_serves_through_the_drain_before_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let drain = Duration::from_millis(1500);
    let served = serve_with(
        dir.path(),
        &["--instance", "store-x"],
        &[("CARSTORE_DRAIN".into(), "1500ms".into())],
    );
    let url = served.url.clone();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let client = reqwest::Client::new();
    let get = async |path: &str| {
        let resp = client.get(format!("{url}{path}")).send().await.unwrap();
        let instance = resp.headers()["x-carstore-instance"]
            .to_str()
            .unwrap()
            .to_owned();
        (resp.status().as_u16(), instance, resp.text().await.unwrap())
    };
    assert_eq!(get("/readyz").await.0, 200);
    let signalled = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status();
    let (mut asked, mut refused, mut served_cars) = (0, 0, 0);
    while signalled.elapsed() < drain - Duration::from_millis(300) {
        let (status, instance, body) = get("/readyz").await;
        assert_eq!(instance, "store-x");
        if status == 503 {
            assert!(body.contains("draining"), "{body}");
            refused += 1;
        }
        served_cars += usize::from(get("/api/cars").await.0 == 200);
        asked += 1;
        pace(Duration::from_millis(100)).await; // requests spaced through the drain
    }
    assert!(asked >= 5, "{asked}");
    assert_eq!(refused, asked, "every /readyz during the drain said 503");
    assert_eq!(
        served_cars, asked,
        "every request during the drain was served"
    );
    crate::private::wait_until(port, false, "the listener", Duration::from_secs(5));
    let closed_after = signalled.elapsed();
    assert!(closed_after >= drain, "closed after {closed_after:?}");
    let (status, log) = served.terminate();
    assert!(status.success(), "{status}");
    assert!(
        log.iter()
            .any(|l| l.contains("store-x") && l.contains("SIGTERM: draining")),
        "{log:?}"
    );
}

/// In a pod (Kubernetes sets KUBERNETES_SERVICE_HOST), the cluster runs the services: the
/// dashboard's buttons say so instead of looking for a Docker engine.
#[tokio::test]
async fn on_kubernetes_services_have_no_control_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = crate::private::free_port();
    let env = [
        ("KUBERNETES_SERVICE_HOST", "10.96.0.1".to_owned()),
        (
            "DATABASE_URL",
            format!("postgres://carstore@127.0.0.1:{nowhere}/carstore"),
        ),
        ("REDIS_URL", format!("redis://127.0.0.1:{nowhere}")),
        (
            "AMQP_URL",
            format!("amqp://guest:guest@127.0.0.1:{nowhere}/%2f"),
        ),
    ]
    .map(|(k, v)| (k.to_owned(), v));
    let served = serve_with(dir.path(), &[], &env);
    let services = get_json(
        &reqwest::Client::new(),
        &format!("{}/api/services", served.url),
    )
    .await;
    assert_eq!(services.as_array().unwrap().len(), 3, "{services}");
    for service in services.as_array().unwrap() {
        assert_eq!(service["control"], "none", "{service}");
        let why = service["control_disabled_because"].as_str().unwrap();
        assert!(
            why.contains("Kubernetes") && why.contains("kubectl"),
            "{why}"
        );
    }
    let (status, _) = served.terminate();
    assert!(status.success(), "{status}");
}

/// The embedded store is one process: a second `serve` on the same data dir says so in one
/// line, and starts once the first has stopped.
#[test]
fn a_second_store_on_one_embedded_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path());
    let data_dir = dir.path().to_str().unwrap();
    let (code, stderr) = run_failing(&["serve", "--bind", "127.0.0.1:0", "--data-dir", data_dir]);
    assert_one_clear_line(code, &stderr, "another carstore serves from data dir");
    let (status, _) = first.terminate();
    assert!(status.success(), "{status}");
    let again = serve(dir.path());
    again.terminate();
}
