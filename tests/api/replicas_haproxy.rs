//! haproxy in front of the replica test's stores: a config written for the ports of the day,
//! `haproxy -db` in the foreground, and its own view of each server (state, sessions, retries)
//! read from its stats page as CSV.

use crate::helpers::{try_wait_for, wait_for_blocking};
use crate::private::{answers, free_port};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;

/// How often haproxy asks each store's `/readyz`; two failures take a store out, two successes
/// put it back, so a draining store is out within about half a second.
pub const CHECK_INTERVAL: Duration = Duration::from_millis(250);

const CONFIG: &str = r#"global
    log stderr format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    # Only what went wrong (errors, retries, redispatches) is logged; the test prints it.
    option dontlog-normal
    option dontlognull
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 5s

frontend store
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter {inter}ms fall 2 rise 2
    # A new connection to the store for every request. A kept-alive idle connection can be
    # closed by a stopping store just as a request is sent on it, and that request is lost or
    # must be replayed; with a fresh connection each time, a store that has stopped accepting
    # only ever refuses a connection, which is retried on another store below. Shoppers keep
    # their own connections to haproxy alive: only the hop to the stores closes.
    option http-server-close
    # A refused connection or a store that died before answering: try again, each time on
    # another store, three times at most.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    # Replaying a request that reached a store that died is safe for reads and for a checkout
    # with an Idempotency-Key (the store answers a replay with the same order); another POST
    # (an add to cart) could count twice, so it is retried only when it never got through.
    http-request disable-l7-retry if METH_POST !{ req.hdr(idempotency-key) -m found }
    # Which store answered, by haproxy's own account, to check the store's header against.
    http-response set-header X-Haproxy-Server %s
{servers}
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
"#;

/// A running haproxy; stopped when dropped.
pub struct Haproxy {
    child: Child,
    pub url: String,
    stats: String,
    /// What haproxy said: server state changes and the requests that went wrong.
    pub log: Arc<Mutex<Vec<String>>>,
    _dir: TempDir,
}

/// One server as haproxy sees it.
#[derive(Debug, Clone, Default)]
pub struct ServerStat {
    /// `UP`, `DOWN`, `UP 1/2` (rising), `DOWN 1/2` (falling), `MAINT`, `no check`.
    pub status: String,
    /// Requests (sessions) on it now.
    pub current: u64,
    /// Requests retried on it and requests sent elsewhere after failing on it.
    pub retries: u64,
    pub redispatches: u64,
    pub responses_5xx: u64,
}

/// Fails (never skips) when haproxy is not installed, saying how to install it.
pub fn require_haproxy() {
    let installed = Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "haproxy is not installed; install it with `apt-get install -y haproxy` (or run ops/test.sh)"
    );
}

impl Haproxy {
    /// haproxy balancing over `servers` (name, port on 127.0.0.1), once it accepts connections.
    pub fn start(servers: &[(&str, u16)]) -> Haproxy {
        require_haproxy();
        let (port, stats) = (free_port(), free_port());
        let lines: String = servers
            .iter()
            .map(|(name, p)| format!("    server {name} 127.0.0.1:{p}\n"))
            .collect();
        let config = CONFIG
            .replace("{port}", &port.to_string())
            .replace("{stats}", &stats.to_string())
            .replace("{inter}", &CHECK_INTERVAL.as_millis().to_string())
            .replace("{servers}", &lines);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("haproxy starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let what = format!("haproxy listening on {port}");
        wait_for_blocking(&what, Duration::from_secs(10), || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "haproxy exited ({status}):\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
            match answers(port) {
                true => Ok(()),
                false => Err("not listening"),
            }
        });
        Haproxy {
            child,
            url: format!("http://127.0.0.1:{port}"),
            stats: format!("http://127.0.0.1:{stats}/stats;csv"),
            log,
            _dir: dir,
        }
    }

    /// Each store of the backend by name, as haproxy's stats page says now.
    pub async fn servers(&self) -> HashMap<String, ServerStat> {
        let csv = reqwest::get(&self.stats)
            .await
            .expect("haproxy's stats page")
            .text()
            .await
            .unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap_or_default()
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let number = |row: &[&str], name: &str| row[col(name)].parse().unwrap_or(0);
        let mut servers = HashMap::new();
        for line in lines {
            let row: Vec<&str> = line.split(',').collect();
            if row.len() < header.len() || row[0] != "replicas" || row[1] == "BACKEND" {
                continue;
            }
            let stat = ServerStat {
                status: row[col("status")].to_owned(),
                current: number(&row, "scur"),
                retries: number(&row, "wretr"),
                redispatches: number(&row, "wredis"),
                responses_5xx: number(&row, "hrsp_5xx"),
            };
            servers.insert(row[1].to_owned(), stat);
        }
        servers
    }

    /// Waits (up to `within`) until haproxy reports `name` as exactly `status` (`UP`, `DOWN`).
    pub async fn wait_for(&self, name: &str, status: &str, within: Duration) {
        if let Err(now) = self.seen_as(name, status, within).await {
            panic!("haproxy never saw {name} {status} within {within:?}: {now:?}");
        }
    }

    /// Whether haproxy reports `name` as exactly `status` within `within`.
    pub async fn reaches(&self, name: &str, status: &str, within: Duration) -> bool {
        self.seen_as(name, status, within).await.is_ok()
    }

    /// Haproxy's view once it reports `name` as `status`, or its last view after `within`.
    async fn seen_as(
        &self,
        name: &str,
        status: &str,
        within: Duration,
    ) -> Result<(), HashMap<String, ServerStat>> {
        try_wait_for(within, async || {
            let now = self.servers().await;
            match now.get(name).is_some_and(|s| s.status == status) {
                true => Ok(()),
                false => Err(now),
            }
        })
        .await
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
