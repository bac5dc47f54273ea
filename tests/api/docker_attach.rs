//! A store started before its Docker engine answers: Redis has no control (and says why) until
//! the engine's socket appears, then the docker control attaches by itself, its buttons work and
//! its log window follows the container. The real binary, so it has a `DOCKER_HOST` of its own.

use crate::cli::{serve_with, Served};
use crate::control::{STARTED, STOPPED};
use crate::docker::RedisContainer;
use crate::events::EventReader;
use crate::helpers::{assert_error, get_json, wait_for};
use crate::services::{OwnRedisEnv, AMQP};
use reqwest::{Client, Response};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const TOKEN: &str = "attach-test-admin-token-0123";
const ENGINE_SOCKET: &str = "/var/run/docker.sock";
/// The control looks every 2 s; how long it took is printed, and this bound only catches a
/// control that never attaches.
const ATTACH_WITHIN: Duration = Duration::from_secs(30);
const ATTACHED_LINE: &str = "attached now that the engine has the container";

/// A `carstore serve` whose Redis runs in the test's container and whose Docker engine is
/// wherever `socket` will point, with an admin client.
struct Store {
    served: Served,
    client: Client,
    _data: tempfile::TempDir,
}

impl Store {
    fn start(env: &OwnRedisEnv, redis_port: u16, socket: &Path) -> Store {
        let vars: Vec<(String, String)> = [
            ("CARSTORE_DATABASE_URL", env.db.url()),
            (
                "CARSTORE_REDIS_URL",
                format!("redis://127.0.0.1:{redis_port}"),
            ),
            ("CARSTORE_AMQP_URL", AMQP.to_owned()),
            ("CARSTORE_ORDERS_QUEUE", env.queues.orders.clone()),
            ("CARSTORE_ADMIN_TOKEN", TOKEN.to_owned()),
            ("DOCKER_HOST", format!("unix://{}", socket.display())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let data = tempfile::tempdir().unwrap();
        Store {
            served: serve_with(data.path(), &[], &vars),
            client: Client::new(),
            _data: data,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.served.url)
    }

    async fn redis(&self) -> Value {
        get_json(&self.client, &self.url("/api/services")).await[1].clone()
    }

    async fn act(&self, action: &str) -> Response {
        let path = format!("/api/service/redis/{action}");
        let request = self.client.post(self.url(&path)).bearer_auth(TOKEN);
        request.send().await.unwrap()
    }

    async fn log_window(&self) -> Response {
        let request = self.client.get(self.url("/api/service/redis/logs"));
        request.bearer_auth(TOKEN).send().await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docker_control_attaches_when_the_engine_appears_and_then_works() {
    let container = RedisContainer::run().await;
    assert!(
        Path::new(ENGINE_SOCKET).exists(),
        "no Docker socket at {ENGINE_SOCKET}: start the engine with `bash ops/docker-test-engine.sh up`"
    );
    let env = OwnRedisEnv::new().await;
    let sockets = tempfile::tempdir().unwrap();
    let socket = sockets.path().join("docker.sock");
    let store = Store::start(&env, container.port, &socket);

    no_control_yet(&store, &socket).await;
    let mut feed = EventReader::open(&store.url("/api/events")).await;
    std::os::unix::fs::symlink(ENGINE_SOCKET, &socket).unwrap();
    let took = attached(&store).await;
    // An open dashboard hears of it, so its buttons work without being reopened.
    feed.until(Duration::from_secs(5), |e, d| {
        e == "control" && d["service"] == "redis" && d["control"] == "docker"
    })
    .await;
    println!(
        "docker attach: control docker and log window open {} ms after the socket appeared",
        took.as_millis()
    );
    stop_and_start_while_the_windows_follow(&store).await;
    let (status, said) = store.served.terminate();
    assert!(status.success(), "{status}");
    said_once_that_it_attached(&said);
}

/// No socket: no buttons and no log window, with the reason.
async fn no_control_yet(store: &Store, socket: &Path) {
    let redis = store.redis().await;
    assert_eq!(redis["control"], "none", "{redis}");
    assert_eq!(redis["logs"], false, "{redis}");
    let why = redis["control_disabled_because"].as_str().unwrap_or("");
    let names_the_socket = why.contains(&socket.display().to_string());
    assert!(names_the_socket && why.contains("looking again"), "{redis}");
    assert_error(store.log_window().await, 409, "no_logs").await;
    assert_error(store.act("stop").await, 409, "no_control").await;
}

/// Waits until the control is `docker` with its log window; how long that took.
async fn attached(store: &Store) -> Duration {
    let appeared = Instant::now();
    let what = "the docker control and its log window";
    let redis = wait_for(what, ATTACH_WITHIN, async || {
        let redis = store.redis().await;
        match redis["control"] == "docker" && redis["logs"] == true {
            true => Ok(redis),
            false => Err(redis),
        }
    })
    .await;
    let took = appeared.elapsed();
    assert!(redis["control_disabled_because"].is_null(), "{redis}");
    took
}

async fn stop_and_start_while_the_windows_follow(store: &Store) {
    let mut feed = EventReader::open(&store.url("/api/events")).await;
    let redis = |health: &'static str| {
        move |e: &str, d: &Value| e == "health" && d["service"] == "redis" && d["health"] == health
    };
    feed.until(Duration::from_secs(5), redis("up")).await;
    let window = store.client.get(store.url("/api/service/redis/logs"));
    let mut logs = EventReader::send(window.bearer_auth(TOKEN)).await;
    let says = |text: &'static str| {
        move |e: &str, d: &Value| {
            e == "log" && d["line"].as_str().unwrap().to_lowercase().contains(text)
        }
    };
    logs.until(Duration::from_secs(5), says(STARTED)).await;

    assert_eq!(store.act("stop").await.status(), 200);
    feed.until(Duration::from_secs(3), redis("down")).await;
    logs.until(Duration::from_secs(3), says(STOPPED)).await;
    assert_eq!(store.act("start").await.status(), 200);
    feed.until(Duration::from_secs(5), redis("up")).await;
    logs.until(Duration::from_secs(3), says(STARTED)).await;
}

/// Said once, with what attached; the looks before it said nothing. (Postgres and RabbitMQ may
/// attach too, to containers of their names that something else runs on the engine.)
fn said_once_that_it_attached(said: &[String]) {
    let attached: Vec<_> = said
        .iter()
        .filter(|l| l.contains(ATTACHED_LINE) && l.contains(r#"service="redis""#))
        .collect();
    assert_eq!(attached.len(), 1, "{said:#?}");
    assert!(
        attached[0].contains("container=carstore-redis"),
        "{said:#?}"
    );
    let looks = ["no container named", "cannot be used", "does not answer"];
    let looked_aloud = said.iter().any(|l| looks.iter().any(|w| l.contains(w)));
    assert!(!looked_aloud, "the looks log nothing: {said:#?}");
}
