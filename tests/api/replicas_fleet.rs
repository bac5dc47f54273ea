//! The replica test's carstore processes: `carstore serve --no-worker` stores, each on a port of
//! its own that it keeps across restarts (haproxy finds a restarted store where it was), and
//! `carstore worker`s, all on the shared services with the test's own database, Redis prefix and
//! queue, configured through the environment as a container would be.

use crate::cli::{start, Served};
use crate::helpers::{try_wait_for, wait_for, BIN};
use crate::private::free_port;
use crate::services::{RealEnv, AMQP, REDIS};
use std::process::{Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

pub const ADMIN_TOKEN: &str = "replicas-admin-token-0123456789";
/// How long a store keeps serving after SIGTERM with `/readyz` at 503: long enough for haproxy
/// (a check every 250 ms, out after two failures) to stop sending it requests.
pub const DRAIN: Duration = Duration::from_secs(2);

/// The environment every process of the fleet shares.
pub fn shared_vars(env: &RealEnv) -> Vec<(String, String)> {
    [
        ("DATABASE_URL", env.db.url()),
        ("REDIS_URL", REDIS.to_owned()),
        ("AMQP_URL", AMQP.to_owned()),
        ("CARSTORE_REDIS_PREFIX", env.redis.prefix.clone()),
        ("CARSTORE_ORDERS_QUEUE", env.queues.orders.clone()),
        ("CARSTORE_ADMIN_TOKEN", ADMIN_TOKEN.to_owned()),
        ("CARSTORE_DRAIN", format!("{}ms", DRAIN.as_millis())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Serve { port: u16 },
    Worker,
}

/// One carstore process, started and stopped as the test says.
pub struct Proc {
    pub name: String,
    role: Role,
    vars: Vec<(String, String)>,
    dir: TempDir,
    running: Option<Served>,
    /// Where it answers: the store, or a worker's `/metrics` (a new port at each start).
    pub url: String,
    /// Every line it printed, over all its runs, each with the process's name.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    /// A store named `name` (not started yet).
    pub fn serve(name: &str, vars: &[(String, String)]) -> Proc {
        let port = free_port();
        Proc::new(name, Role::Serve { port }, vars)
    }

    pub fn worker(name: &str, vars: &[(String, String)]) -> Proc {
        Proc::new(name, Role::Worker, vars)
    }

    fn new(name: &str, role: Role, vars: &[(String, String)]) -> Proc {
        let url = match role {
            Role::Serve { port } => format!("http://127.0.0.1:{port}"),
            Role::Worker => String::new(),
        };
        Proc {
            name: name.to_owned(),
            role,
            vars: vars.to_vec(),
            dir: tempfile::tempdir().unwrap(),
            running: None,
            url,
            log: Arc::default(),
        }
    }

    pub fn port(&self) -> u16 {
        match self.role {
            Role::Serve { port } => port,
            Role::Worker => panic!("{} is a worker", self.name),
        }
    }

    /// Starts it and waits (up to 15 s) until it says where it answers; for a store, until its
    /// `/readyz` says ready.
    pub async fn start(&mut self) {
        assert!(self.running.is_none(), "{} is already running", self.name);
        let mut command = Command::new(BIN);
        command
            .envs(self.vars.iter().cloned())
            .env("CARSTORE_INSTANCE", &self.name)
            .env("CARSTORE_DATA_DIR", self.dir.path());
        let says = match self.role {
            Role::Serve { port } => {
                command
                    .args(["serve", "--no-worker"])
                    .env("CARSTORE_BIND", format!("127.0.0.1:{port}"));
                "serving the store at "
            }
            Role::Worker => {
                command
                    .arg("worker")
                    .env("CARSTORE_METRICS_BIND", "127.0.0.1:0");
                "/healthz at "
            }
        };
        let mut served = tokio::task::block_in_place(|| start(command, says));
        self.follow_log(&mut served);
        if self.role == Role::Worker {
            self.url = served.url.clone();
        }
        self.running = Some(served);
        if let Role::Serve { .. } = self.role {
            self.wait_ready().await;
        }
    }

    /// Keeps what it prints, startup lines included.
    fn follow_log(&self, served: &mut Served) {
        let (name, log) = (self.name.clone(), self.log.clone());
        let lines = std::mem::replace(&mut served.log, std::sync::mpsc::channel().1);
        let startup = served.startup.clone();
        std::thread::spawn(move || {
            for line in startup.into_iter().chain(lines) {
                log.lock().unwrap().push(format!("[{name}] {line}"));
            }
        });
    }

    async fn wait_ready(&self) {
        let readyz = format!("{}/readyz", self.url);
        let what = format!("{} ready at {readyz}", self.name);
        wait_for(
            &what,
            Duration::from_secs(15),
            async || match reqwest::get(&readyz).await {
                Ok(r) if r.status() == 200 => Ok(()),
                Ok(r) => Err(r.status().to_string()),
                Err(e) => Err(e.to_string()),
            },
        )
        .await;
    }

    /// SIGKILL: gone at once, nothing finished.
    pub fn kill(&mut self) {
        let mut served = self.running.take().expect("running");
        served.child.kill().unwrap();
        served.child.wait().unwrap();
    }

    /// Sends SIGTERM; `exited` waits for the end.
    pub fn sigterm(&self) {
        let served = self.running.as_ref().expect("running");
        let sent = Command::new("kill")
            .args(["-TERM", &served.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {}", self.name);
    }

    /// Waits (up to `within`) for the process to end; `None` if it is still running.
    pub async fn exited(&mut self, within: Duration) -> Option<ExitStatus> {
        let served = self.running.as_mut().expect("running");
        let exited = try_wait_for(within, async || served.child.try_wait().unwrap().ok_or(()));
        let status = exited.await.ok()?;
        self.running = None;
        Some(status)
    }

    /// How many lines it has printed so far.
    pub fn log_len(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// The first line after the `from`th that contains `needle`, waiting up to a second for it.
    pub async fn said_after(&self, from: usize, needle: &str) -> Option<String> {
        let found = async || {
            let log = self.log.lock().unwrap();
            log[from..]
                .iter()
                .find(|l| l.contains(needle))
                .cloned()
                .ok_or(())
        };
        try_wait_for(Duration::from_secs(1), found).await.ok()
    }

    /// Every line it printed after the `from`th.
    pub fn said_since(&self, from: usize) -> Vec<String> {
        self.log.lock().unwrap()[from..].to_vec()
    }

    /// Its log lines at WARN or ERROR.
    pub fn complaints(&self) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .cloned()
            .collect()
    }
}

/// `carstore_orders_processed_total` on a worker's `/metrics`: the orders its processor moved
/// from pending to processed.
pub async fn processed_by(worker: &Proc) -> i64 {
    let text = reqwest::get(format!("{}/metrics", worker.url))
        .await
        .expect("the worker's /metrics")
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("carstore_orders_processed_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(-1, |v| v as i64)
}

/// A request a store has begun to read but not finished: the headers of an add to cart and
/// part of its body, the rest sent when the test says. A store stopping must still answer it.
pub struct HeldRequest {
    stream: tokio::net::TcpStream,
    body: &'static [u8],
}

impl HeldRequest {
    pub async fn open(store: &Proc) -> HeldRequest {
        use tokio::io::AsyncWriteExt;
        let body: &[u8] = br#"{"car_id": 7, "quantity": 1}"#;
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", store.port()))
            .await
            .unwrap();
        let head = format!(
            "POST /api/cart HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body[..10]).await.unwrap();
        // Connections are accepted in order: once a later one is answered, ours is in the store.
        let later = reqwest::get(format!("{}/healthz", store.url))
            .await
            .unwrap();
        assert_eq!(later.status(), 200);
        HeldRequest { stream, body }
    }

    /// Sends the rest of the body; the status of the answer, 0 for none.
    pub async fn finish(mut self) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if self.stream.write_all(&self.body[10..]).await.is_err() {
            return 0;
        }
        let mut answer = Vec::new();
        let read = self.stream.read_to_end(&mut answer);
        let _ = tokio::time::timeout(Duration::from_secs(15), read).await;
        let answer = String::from_utf8_lossy(&answer);
        answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// Waits (up to `within`) until nothing accepts connections on the store's port any more.
pub async fn stops_accepting(store: &Proc, within: Duration) -> bool {
    let refused = async || match tokio::net::TcpStream::connect(("127.0.0.1", store.port())).await {
        Err(_) => Ok(()),
        Ok(_) => Err(()),
    };
    try_wait_for(within, refused).await.is_ok()
}
