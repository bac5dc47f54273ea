//! A store started before its Docker engine answers: Redis has no control (and says why) until
//! the engine's socket appears, then the docker control attaches by itself, its buttons work and
//! its log window follows the container. The real binary, so it has a `DOCKER_HOST` of its own.

use crate::cli::serve_with;
use crate::control::{STARTED, STOPPED};
use crate::docker::RedisContainer;
use crate::events::EventReader;
use crate::helpers::{assert_error, get_json};
use crate::services::{OwnRedisEnv, AMQP};
use reqwest::Client;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const TOKEN: &str = "attach-test-admin-token-0123";
const ENGINE_SOCKET: &str = "/var/run/docker.sock";
/// The control looks every 2 s; a look and a slow machine get the rest.
const ATTACH_WITHIN: Duration = Duration::from_secs(6);
const ATTACHED_LINE: &str = "attached now that the engine has the container";

async fn redis_service(client: &Client, store: &str) -> Value {
    get_json(client, &format!("{store}/api/services")).await[1].clone()
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
    let vars: Vec<(String, String)> = [
        ("CARSTORE_DATABASE_URL", env.db.url()),
        (
            "CARSTORE_REDIS_URL",
            format!("redis://127.0.0.1:{}", container.port),
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
    let served = serve_with(data.path(), &[], &vars);
    let store = served.url.clone();
    let client = Client::new();

    let before = redis_service(&client, &store).await;
    assert_eq!(before["control"], "none", "{before}");
    assert_eq!(before["logs"], false, "{before}");
    let why = before["control_disabled_because"].as_str().unwrap_or("");
    assert!(
        why.contains(&socket.display().to_string()) && why.contains("looking again"),
        "{before}"
    );
    let logs_url = format!("{store}/api/service/redis/logs");
    let refused = client.get(&logs_url).bearer_auth(TOKEN).send().await;
    assert_error(refused.unwrap(), 409, "no_logs").await;
    let act = |action: &'static str| {
        let request = client
            .post(format!("{store}/api/service/redis/{action}"))
            .bearer_auth(TOKEN);
        async move { request.send().await.unwrap() }
    };
    assert_error(act("stop").await, 409, "no_control").await;

    std::os::unix::fs::symlink(ENGINE_SOCKET, &socket).unwrap();
    let appeared = Instant::now();
    let mut now = redis_service(&client, &store).await;
    while now["control"] != "docker" || now["logs"] != true {
        assert!(
            appeared.elapsed() < ATTACH_WITHIN,
            "not attached within {ATTACH_WITHIN:?}: {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        now = redis_service(&client, &store).await;
    }
    println!(
        "docker attach: control docker and log window open {} ms after the socket appeared",
        appeared.elapsed().as_millis()
    );
    assert!(now["control_disabled_because"].is_null(), "{now}");

    let mut feed = EventReader::open(&format!("{store}/api/events")).await;
    let redis = |health: &'static str| {
        move |e: &str, d: &Value| e == "health" && d["service"] == "redis" && d["health"] == health
    };
    feed.until(Duration::from_secs(5), redis("up")).await;
    let mut logs = EventReader::send(client.get(&logs_url).bearer_auth(TOKEN)).await;
    let says = |text: &'static str| {
        move |e: &str, d: &Value| {
            e == "log" && d["line"].as_str().unwrap().to_lowercase().contains(text)
        }
    };
    logs.until(Duration::from_secs(5), says(STARTED)).await;

    assert_eq!(act("stop").await.status(), 200);
    feed.until(Duration::from_secs(3), redis("down")).await;
    logs.until(Duration::from_secs(3), says(STOPPED)).await;
    assert_eq!(act("start").await.status(), 200);
    feed.until(Duration::from_secs(5), redis("up")).await;
    logs.until(Duration::from_secs(3), says(STARTED)).await;

    let (status, said) = served.terminate();
    assert!(status.success(), "{status}");
    // Said once, with what attached; the looks before it said nothing. (Postgres and RabbitMQ
    // may attach too, to containers of their names that something else runs on the engine.)
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
    assert!(
        !said
            .iter()
            .any(|l| looks.iter().any(|look| l.contains(look))),
        "the looks log nothing: {said:#?}"
    );
}
