//! Private services that outage tests stop and start for real, on free ports, in temp dirs.
//! The machine's shared services are never touched.

use crate::helpers::wait_for_blocking;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

pub fn wait_until(port: u16, up: bool, what: &str, within: Duration) {
    let (going, other) = if up { ("up", "down") } else { ("down", "up") };
    let what = format!("{what} on port {port} going {going}");
    wait_for_blocking(&what, within, || match answers(port) == up {
        true => Ok(()),
        false => Err(format!("still {other}")),
    });
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A `redis-server` of our own, nothing on disk.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let mut redis = PrivateRedis {
            port: free_port(),
            child: None,
        };
        redis.up();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn up(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server, or run ops/test.sh)");
        self.child = Some(child);
        wait_until(self.port, true, "private redis", Duration::from_secs(10));
    }

    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        wait_until(self.port, false, "private redis", Duration::from_secs(10));
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Postgres cluster of our own (`initdb` + `pg_ctl`), run as the postgres user.
pub struct PrivatePostgres {
    pub port: u16,
    dir: TempDir,
}

fn pg_bin(tool: &str) -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let version = std::fs::read_dir(root)
        .expect("PostgreSQL server binaries (apt-get install postgresql, or run ops/test.sh)")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .max()
        .expect("a PostgreSQL version under /usr/lib/postgresql");
    version.join("bin").join(tool)
}

fn as_postgres(tool: &str) -> Command {
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", "postgres", "--"]).arg(pg_bin(tool));
    cmd
}

impl PrivatePostgres {
    pub fn start() -> PrivatePostgres {
        let dir = tempfile::tempdir().unwrap();
        run(
            Command::new("chown").arg("postgres").arg(dir.path()),
            "chown the cluster dir",
        );
        let data = dir.path().join("data");
        run(
            as_postgres("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ]),
            "initdb",
        );
        let pg = PrivatePostgres {
            port: free_port(),
            dir,
        };
        pg.up();
        pg
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The server's options: its port, its socket in the cluster dir, loopback only.
    fn options(&self) -> String {
        format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        )
    }

    /// Control settings that stop and start this cluster as `down` and `up` do, for a store
    /// whose dashboard stops its own database.
    pub fn control(&self) -> carstore::config::ControlSpec {
        let pg_ctl = format!(
            "runuser -u postgres -- {} -D {}",
            pg_bin("pg_ctl").display(),
            self.dir.path().join("data").display()
        );
        let log = self.dir.path().join("log");
        carstore::config::ControlSpec::Command {
            start: format!(
                "{pg_ctl} -l {} -o '{}' -w start",
                log.display(),
                self.options()
            ),
            stop: format!("{pg_ctl} -m fast -w stop"),
            restart: None,
            log_file: None,
        }
    }

    pub fn up(&self) {
        let options = self.options();
        let mut cmd = as_postgres("pg_ctl");
        cmd.arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("log"));
        run(cmd.args(["-o", &options, "-w", "start"]), "pg_ctl start");
        wait_until(self.port, true, "private postgres", Duration::from_secs(20));
    }

    pub fn down(&self) {
        let mut cmd = as_postgres("pg_ctl");
        run(
            cmd.arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-m", "fast", "-w", "stop"]),
            "pg_ctl stop",
        );
        wait_until(
            self.port,
            false,
            "private postgres",
            Duration::from_secs(20),
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let mut cmd = as_postgres("pg_ctl");
        let _ = cmd
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// A RabbitMQ node of our own: own name, ports and data dir. `down`/`up` stop and start the
/// broker application (the node stays, as `rabbitmqctl stop_app` leaves it); drop halts it.
pub struct PrivateRabbit {
    pub port: u16,
    node: String,
    _dir: TempDir,
}

impl PrivateRabbit {
    pub fn start() -> PrivateRabbit {
        let dir = tempfile::tempdir().unwrap();
        run(
            Command::new("chmod").args(["777"]).arg(dir.path()),
            "open the node dir to the rabbitmq user",
        );
        let port = free_port();
        let node = format!("{}@localhost", crate::services::unique("carstore-t-"));
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let conf = file(
            "rabbitmq.conf",
            &format!("listeners.tcp.local = 127.0.0.1:{port}\n"),
        );
        let plugins = file("enabled_plugins", "[].\n");
        let env = file("rabbitmq-env.conf", "");
        let mut cmd = Command::new("rabbitmq-server");
        cmd.arg("-detached")
            .env("RABBITMQ_NODENAME", &node)
            .env("RABBITMQ_NODE_PORT", port.to_string())
            .env("RABBITMQ_DIST_PORT", free_port().to_string())
            .env("RABBITMQ_MNESIA_BASE", dir.path().join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.path().join("log"))
            .env("RABBITMQ_PID_FILE", dir.path().join("pid"))
            .env("RABBITMQ_CONFIG_FILE", conf)
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", plugins)
            .env("RABBITMQ_CONF_ENV_FILE", env);
        run(
            &mut cmd,
            "rabbitmq-server -detached (apt-get install rabbitmq-server, or run ops/test.sh)",
        );
        let rabbit = PrivateRabbit {
            port,
            node,
            _dir: dir,
        };
        wait_until(port, true, "private rabbitmq", Duration::from_secs(90));
        rabbit
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    pub fn down(&self) {
        run(
            Command::new("rabbitmqctl").args(["-q", "-n", &self.node, "stop_app"]),
            "rabbitmqctl stop_app",
        );
        wait_until(
            self.port,
            false,
            "private rabbitmq",
            Duration::from_secs(30),
        );
    }

    /// Runs `rabbitmqctl` against this node (policies and the like).
    pub fn ctl(&self, args: &[&str]) {
        run(
            Command::new("rabbitmqctl")
                .args(["-q", "-n", &self.node])
                .args(args),
            "rabbitmqctl",
        );
    }

    pub fn up(&self) {
        run(
            Command::new("rabbitmqctl").args(["-q", "-n", &self.node, "start_app"]),
            "rabbitmqctl start_app",
        );
        wait_until(self.port, true, "private rabbitmq", Duration::from_secs(30));
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["-q", "-n", &self.node, "stop"])
            .output();
    }
}

/// A `redis-server` the store itself starts and stops through the command control backend.
/// Dropping it shuts down whatever is still running on its port, even after a failed test.
pub struct CommandRedis {
    pub port: u16,
    pub start: String,
    pub stop: String,
    /// The server's log file, which the dashboard's log window follows.
    pub log_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl CommandRedis {
    pub fn start() -> CommandRedis {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let log_file = dir.path().join("redis.log");
        let redis = CommandRedis {
            port,
            start: format!(
                "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile {}",
                log_file.display()
            ),
            stop: format!("redis-cli -p {port} shutdown nosave"),
            log_file,
            _dir: dir,
        };
        run(
            Command::new("sh").arg("-c").arg(&redis.start),
            "redis-server (apt-get install redis-server)",
        );
        wait_until(
            port,
            true,
            "command-controlled redis",
            Duration::from_secs(10),
        );
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The control settings that run this server's commands.
    pub fn control(&self) -> carstore::config::ControlSpec {
        carstore::config::ControlSpec::Command {
            start: self.start.clone(),
            stop: self.stop.clone(),
            restart: None,
            log_file: Some(self.log_file.clone()),
        }
    }
}

impl Drop for CommandRedis {
    fn drop(&mut self) {
        let _ = Command::new("sh").arg("-c").arg(&self.stop).output();
    }
}
