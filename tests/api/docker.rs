//! The docker control backend against a real Docker engine: a Redis container named as in the
//! demo stack, found with no config, stopped, started and restarted from the API while the
//! health feed and the log window follow.

use crate::control::{STARTED, STOPPED};
use crate::events::EventReader;
use crate::helpers::spawn_with;
use crate::private::{free_port, wait_until};
use crate::services::{require_shared_services, OwnRedisEnv};
use carstore::config::AdminToken;
use serde_json::Value;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::{Duration, Instant};

const TOKEN: &str = "docker-test-admin-token-0123";
const CONTAINER: &str = "carstore-redis";
const IMAGE: &str = "carstore-test-redis:local";
/// Marks the containers these tests make, so a test removes only those.
const MADE_BY_A_TEST: &str = "carstore-test=redis-container";

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("the docker client (apt-get install docker.io)")
}

/// The test's Redis container, removed when the test ends however it ends. Tests take turns
/// with it: it has the demo stack's name, of which an engine holds one.
pub struct RedisContainer {
    pub port: u16,
    _turn: EngineTurn,
}

impl RedisContainer {
    pub async fn run() -> RedisContainer {
        let turn = EngineTurn::take().await;
        assert!(
            docker(&["info"]).status.success(),
            "no Docker engine answers: start one with `bash ops/docker-test-engine.sh up`"
        );
        assert!(
            docker(&["image", "inspect", IMAGE]).status.success(),
            "image {IMAGE} is missing: `bash ops/docker-test-engine.sh up` imports it"
        );
        clear_the_name();
        let port = free_port();
        let port_text = port.to_string();
        let run = docker(&[
            "run",
            "-d",
            "--name",
            CONTAINER,
            "--network",
            "host",
            "--label",
            MADE_BY_A_TEST,
            IMAGE,
            "/usr/bin/redis-server",
            "--port",
            &port_text,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ]);
        assert!(
            run.status.success(),
            "docker run: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let made = RedisContainer { port, _turn: turn };
        wait_until(port, true, "the Redis container", Duration::from_secs(10));
        made
    }
}

/// Removes a container of the name that an earlier test left behind. One no test made (the demo
/// stack's) is not the test's to remove: the test fails and says so.
fn clear_the_name() {
    let label = "{{index .Config.Labels \"carstore-test\"}}";
    let found = docker(&["inspect", "--format", label, CONTAINER]);
    if !found.status.success() {
        return; // no container of that name
    }
    let mark = MADE_BY_A_TEST.split_once('=').map_or("", |(_, v)| v);
    assert_eq!(
        String::from_utf8_lossy(&found.stdout).trim(),
        mark,
        "a container named {CONTAINER} that no test made is on the engine (the demo stack's?): \
         remove it (`docker compose down`) and run the Docker tests again"
    );
    let _ = docker(&["rm", "-f", CONTAINER]);
}

/// A turn with the container name: an exclusive lock on a file, so the tests of this run, and
/// of any other run on this machine, never remove each other's container. Closing the file
/// (after the container is removed) ends the turn.
struct EngineTurn {
    _locked: std::fs::File,
}

impl EngineTurn {
    async fn take() -> EngineTurn {
        let path = std::env::temp_dir().join("carstore-tests-redis-container.lock");
        let wait = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::create(&path).expect("the lock file");
            // SAFETY: flock only reads the descriptor, which `file` keeps open.
            let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            assert_eq!(locked, 0, "flock {}", path.display());
            EngineTurn { _locked: file }
        });
        wait.await.expect("the lock is taken")
    }
}

impl Drop for RedisContainer {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", CONTAINER]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docker_backend_stops_starts_and_restarts_a_container_and_the_windows_follow() {
    require_shared_services();
    let container = RedisContainer::run().await;
    let env = OwnRedisEnv::new().await;
    let dir = tempfile::tempdir().unwrap();
    let redis_url = format!("redis://127.0.0.1:{}", container.port);
    let mut settings = env.settings(dir.path(), &redis_url);
    settings.admin_token = Some(AdminToken::new(TOKEN.into()).unwrap());
    // No control config: the container of the demo stack's name is found on the engine.
    let app = spawn_with(settings).await;
    app.wait_until_ready().await;
    assert_eq!(app.json("/api/services").await[1]["control"], "docker");

    let mut feed = EventReader::open(&app.url("/api/events")).await;
    let redis = |health: &'static str| {
        move |e: &str, d: &Value| e == "health" && d["service"] == "redis" && d["health"] == health
    };
    feed.until(Duration::from_secs(5), redis("up")).await;
    let mut logs = EventReader::send(
        app.client
            .get(app.url("/api/service/redis/logs"))
            .bearer_auth(TOKEN),
    )
    .await;
    let says = |text: &'static str| {
        move |e: &str, d: &Value| {
            e == "log" && d["line"].as_str().unwrap().to_lowercase().contains(text)
        }
    };
    logs.until(Duration::from_secs(5), says(STARTED)).await;

    let act = |action: &'static str| {
        let request = app
            .client
            .post(app.url(&format!("/api/service/redis/{action}")))
            .bearer_auth(TOKEN);
        async move {
            let resp = request.send().await.unwrap();
            assert_eq!(resp.status(), 200, "{action}");
        }
    };
    act("stop").await;
    let stopped = Instant::now();
    feed.until(Duration::from_secs(3), redis("down")).await;
    logs.until(Duration::from_secs(2), says(STOPPED)).await;
    println!(
        "docker: shutdown line in the window {} ms after stop returned",
        stopped.elapsed().as_millis()
    );
    assert_eq!(app.get("/api/cart").await.status(), 503);

    act("start").await;
    feed.until(Duration::from_secs(3), redis("starting")).await;
    feed.until(Duration::from_secs(5), redis("up")).await;
    logs.until(Duration::from_secs(3), says(STARTED)).await;
    assert_eq!(app.get("/api/cart").await.status(), 200);

    act("restart").await;
    feed.until(Duration::from_secs(3), redis("starting")).await;
    feed.until(Duration::from_secs(5), redis("up")).await;
    logs.until(Duration::from_secs(3), says(STOPPED)).await;
    logs.until(Duration::from_secs(3), says(STARTED)).await;

    // A window opened again after a reconnect resumes after the last line it saw.
    let seen = logs.last_id.clone().expect("log events carry ids");
    let mut resumed = EventReader::send(
        app.client
            .get(app.url("/api/service/redis/logs"))
            .bearer_auth(TOKEN)
            .header("Last-Event-ID", &seen),
    )
    .await;
    let seen: u64 = seen.parse().unwrap();
    while resumed.next(Duration::from_millis(500)).await.is_some() {
        let id: u64 = resumed.last_id.as_deref().unwrap().parse().unwrap();
        assert!(id > seen, "line {id} was already seen (last seen {seen})");
    }
    app.stop().await;
}
