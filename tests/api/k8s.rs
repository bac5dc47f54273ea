//! The Kubernetes manifests (ops/k8s) against the binary they run. No cluster can run here, so
//! each overlay is rendered with `kubectl kustomize` and held to what carstore really does: the
//! probe paths answer on a running store, the ports are the ones it binds, every environment
//! variable is one it reads, the image and user are the ones compose.yaml and ops/Dockerfile
//! build, and the termination grace outlasts its drain. security.rs holds them to the security
//! review: no committed secret, passwords as files, NetworkPolicies, TLS, trusted proxies.
//! ops/k8s/validate.sh checks the same output against the Kubernetes schemas.

mod manifests;
mod security;

use crate::helpers::spawn_app;
use actix_web::test::{call_service, init_service, TestRequest};
use carstore::config::{is_known_env, parse_drain, DEFAULT_DRAIN};
use manifests::{in_flight_grace, overlays, pods, pre_stop_sleep, text};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

#[tokio::test]
async fn probe_and_scrape_paths_answer_on_a_running_store_and_worker() {
    let store = spawn_app().await;
    // The worker's own routes, served in process: a worker proper needs Postgres and RabbitMQ.
    let worker =
        init_service(actix_web::App::new().configure(carstore::http::configure_worker)).await;
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            let mut paths: Vec<(String, String)> = pod
                .probes()
                .iter()
                .map(|(kind, p)| (kind.to_string(), text(&p["httpGet"]["path"])))
                .collect();
            paths.push((
                "prometheus.io/path".into(),
                text(&pod.annotations["prometheus.io/path"]),
            ));
            for (what, path) in paths {
                let status = if pod.command() == "worker" {
                    call_service(&worker, TestRequest::get().uri(&path).to_request())
                        .await
                        .status()
                        .as_u16()
                } else {
                    store.get(&path).await.status().as_u16()
                };
                if what == "prometheus.io/path" && pod.command() == "worker" {
                    // Its figures need the worker's services: routed (not 404) is what can be told.
                    assert_ne!(
                        status,
                        StatusCode::NOT_FOUND.as_u16(),
                        "{}: {what} {path}",
                        pod.what
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::OK.as_u16(),
                        "{}: {what} {path}",
                        pod.what
                    );
                }
            }
        }
    }
}

#[test]
fn ports_are_the_ones_carstore_binds() {
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            let bind = pod.bind();
            assert!(
                bind.ip().is_unspecified(),
                "{}: binds {bind}: probes could not reach it",
                pod.what
            );
            let port = u64::from(bind.port());
            let declared: Vec<u64> = pod.container["ports"]
                .as_array()
                .expect("ports")
                .iter()
                .map(|p| p["containerPort"].as_u64().expect("containerPort"))
                .collect();
            assert_eq!(declared, [port], "{}: container ports", pod.what);
            for (kind, probe) in pod.probes() {
                assert_eq!(
                    pod.port(&probe["httpGet"]["port"]),
                    port,
                    "{}: {kind}",
                    pod.what
                );
            }
            let scraped = text(&pod.annotations["prometheus.io/port"]);
            assert_eq!(
                scraped,
                port.to_string(),
                "{}: prometheus.io/port",
                pod.what
            );
            // Every Service port that leads to these pods leads to the bound port.
            let services = objs.iter().filter(|o| o["kind"] == "Service").filter(|s| {
                let selector = s["spec"]["selector"].as_object();
                selector.is_some_and(|sel| sel.iter().all(|(k, v)| pod.labels[k] == *v))
            });
            let mut found = 0;
            for service in services {
                for p in service["spec"]["ports"].as_array().expect("ports") {
                    let target = pod.port(&p["targetPort"]);
                    assert_eq!(
                        target, port,
                        "{}: Service {}",
                        pod.what, service["metadata"]["name"]
                    );
                    found += 1;
                }
            }
            assert!(found > 0, "{}: no Service leads to it", pod.what);
        }
    }
}

#[test]
fn every_environment_variable_is_one_carstore_reads() {
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            for (name, _) in &pod.env {
                let known = is_known_env(name);
                assert!(
                    known,
                    "{}: {name} is not a variable carstore reads",
                    pod.what
                );
            }
            // Else Kubernetes adds CARSTORE_SERVICE_HOST, CARSTORE_PORT... for the Service named
            // carstore, which carstore warns about as unknown settings.
            assert_eq!(
                pod.spec["enableServiceLinks"], false,
                "{}: enableServiceLinks",
                pod.what
            );
            let instance = pod
                .env
                .iter()
                .any(|(n, v)| n == "CARSTORE_INSTANCE" && v.is_none());
            assert!(
                instance,
                "{}: CARSTORE_INSTANCE from the pod's name",
                pod.what
            );
            // What the worker refuses to start without, and the channel it publishes events on.
            if pod.command() == "worker" {
                for needed in ["DATABASE_URL", "AMQP_URL", "REDIS_URL"] {
                    let file = format!("{needed}_FILE");
                    assert!(
                        pod.env.iter().any(|(n, _)| *n == needed || *n == file),
                        "{}: {needed}",
                        pod.what
                    );
                }
            } else {
                assert_eq!(
                    pod.var("CARSTORE_NO_WORKER"),
                    Some("true"),
                    "{}: a worker Deployment runs the worker",
                    pod.what
                );
            }
        }
    }
}

#[test]
fn image_and_user_are_the_ones_compose_and_the_dockerfile_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compose: Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("compose.yaml")).unwrap()).unwrap();
    let image = text(&compose["services"]["carstore"]["image"]);
    let dockerfile = std::fs::read_to_string(root.join("ops/Dockerfile")).unwrap();
    let words: Vec<&str> = dockerfile.split_whitespace().collect();
    let uid: u64 = words
        .windows(2)
        .find(|w| w[0] == "--uid")
        .expect("ops/Dockerfile: useradd --uid")[1]
        .parse()
        .expect("a numeric uid");
    assert!(
        dockerfile.lines().any(|l| l.trim() == "USER carstore"),
        "ops/Dockerfile runs as carstore"
    );
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            assert_eq!(
                text(&pod.container["image"]),
                image,
                "{}: compose.yaml's image",
                pod.what
            );
            let user = &pod.container["securityContext"]["runAsUser"];
            let user = if user.is_null() {
                &pod.spec["securityContext"]["runAsUser"]
            } else {
                user
            };
            assert_eq!(
                user.as_u64(),
                Some(uid),
                "{}: ops/Dockerfile's uid",
                pod.what
            );
            assert_eq!(
                pod.spec["securityContext"]["runAsNonRoot"], true,
                "{}",
                pod.what
            );
            assert_eq!(
                pod.container["securityContext"]["readOnlyRootFilesystem"], true,
                "{}",
                pod.what
            );
            // So the data dir, which carstore creates and writes, must be a volume.
            let data_dir = pod.var("CARSTORE_DATA_DIR").expect("CARSTORE_DATA_DIR");
            let mounts = pod.container["volumeMounts"]
                .as_array()
                .expect("volumeMounts");
            assert!(
                mounts.iter().any(|m| m["mountPath"] == data_dir),
                "{}: {data_dir} is not a volume",
                pod.what
            );
        }
    }
}

#[test]
fn termination_grace_covers_the_pre_stop_the_drain_and_requests_in_flight() {
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            let grace = Duration::from_secs(
                pod.spec["terminationGracePeriodSeconds"]
                    .as_u64()
                    .expect("grace"),
            );
            let pre_stop = pre_stop_sleep(&pod);
            let drain = match (pod.command(), pod.var("CARSTORE_DRAIN")) {
                ("worker", _) => Duration::ZERO,
                (_, Some(text)) => {
                    parse_drain(text).unwrap_or_else(|e| panic!("{}: {e}", pod.what))
                }
                (_, None) => DEFAULT_DRAIN,
            };
            let needed = pre_stop + drain + Duration::from_secs(in_flight_grace());
            assert!(
                grace >= needed,
                "{}: grace {grace:?} < preStop {pre_stop:?} + drain {drain:?} + {} s in flight",
                pod.what,
                in_flight_grace()
            );
            // While draining, /readyz says 503 long enough for the readiness probe to see it.
            if let Some((_, ready)) = pod
                .probes()
                .into_iter()
                .find(|(k, _)| *k == "readinessProbe")
            {
                let secs = |k: &str, default| ready[k].as_u64().unwrap_or(default);
                let noticed =
                    Duration::from_secs(secs("periodSeconds", 10) * secs("failureThreshold", 3));
                assert!(
                    noticed <= drain,
                    "{}: readiness notices the drain after {noticed:?}, drain is {drain:?}",
                    pod.what
                );
            }
        }
    }
}
