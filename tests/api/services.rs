//! The real services tests use, each isolated per test: a database of its own (dropped after),
//! a Redis key prefix of its own (deleted after), queue names of their own (deleted after).
//! The shared services run on this machine; `ops/test.sh` installs and starts them. Outage tests
//! use private ones (a redis-server, a Postgres cluster, a RabbitMQ node) they may stop at will.

use crate::helpers::TestApp;
use carstore::config::ServiceUrl;
use carstore::Settings;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Runs each named scenario twice: `embedded::name` and `real_services::name`, the same story
/// through the same HTTP API, so the two backends cannot drift apart. `spawn: embedded, real;`
/// first names other ways to start the store (an admin token, say); by default
/// `helpers::spawn_app` and `services::spawn_real`.
macro_rules! on_both_backends {
    (spawn: $embedded:path, $real:path; $($scenario:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test]
            async fn $scenario() {
                let app = $embedded().await;
                super::$scenario(&app).await;
            })*
        }
        #[cfg(feature = "services")]
        mod real_services {
            $(#[tokio::test]
            async fn $scenario() {
                let env = crate::services::RealEnv::shared().await;
                let app = $real(&env).await;
                super::$scenario(&app).await;
                app.stop().await;
            })*
        }
    };
    ($($scenario:ident),* $(,)?) => {
        crate::services::on_both_backends!(
            spawn: crate::helpers::spawn_app, crate::services::spawn_real; $($scenario),*
        );
    };
}
pub(crate) use on_both_backends;

pub const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const REDIS: &str = "redis://127.0.0.1:6379";
pub const AMQP: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    use rand::Rng;
    format!(
        "{prefix}{:012x}",
        rand::thread_rng().gen::<u64>() & 0xffff_ffff_ffff
    )
}

/// Fails (never skips) when a shared service is not running, saying how to start it.
pub fn require(service: &str, port: u16, how: &str) {
    let addr = ("127.0.0.1", port);
    let up = std::net::ToSocketAddrs::to_socket_addrs(&addr)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    assert!(up, "{service} is not answering on 127.0.0.1:{port}; start it with `{how}` (or run ops/test.sh)");
}

pub fn require_shared_services() {
    require(
        "PostgreSQL",
        5432,
        "pg_ctlcluster --skip-systemctl-redirect 15 main start",
    );
    require(
        "Redis",
        6379,
        "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
    );
    require("RabbitMQ", 5672, "rabbitmq-server -detached");
}

/// A database of its own on the shared Postgres, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    admin: String,
}

impl TestDb {
    pub async fn create(admin: &str) -> TestDb {
        let name = unique("carstore_t_");
        let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
            .await
            .expect("admin connection");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        TestDb {
            name,
            admin: admin.to_owned(),
        }
    }

    pub fn url(&self) -> String {
        self.admin
            .rsplit_once('/')
            .map(|(base, _)| format!("{base}/{}", self.name))
            .expect("admin URL has a path")
    }

    /// Runs a statement on the test database, behind the store's back.
    pub async fn execute(&self, sql: &str) {
        let (client, conn) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        client.batch_execute(sql).await.expect(sql);
    }

    /// Runs a query on the test database (for counting rows behind the API's back).
    pub async fn query_i64(&self, sql: &str) -> i64 {
        let (client, conn) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        client.query_one(sql, &[]).await.expect(sql).get(0)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Deletes every Redis key under a prefix when the test ends.
pub struct RedisPrefix {
    pub prefix: String,
    port: u16,
}

impl RedisPrefix {
    pub fn new(port: u16) -> RedisPrefix {
        RedisPrefix {
            prefix: unique("carstore-t:") + ":",
            port,
        }
    }

    pub fn keys(&self) -> usize {
        let out = Command::new("redis-cli")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "--scan",
                "--pattern",
                &format!("{}*", self.prefix),
            ])
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).lines().count()
    }
}

impl Drop for RedisPrefix {
    fn drop(&mut self) {
        let script =
            "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1";
        let _ = Command::new("redis-cli")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "EVAL",
                script,
                "0",
                &format!("{}*", self.prefix),
            ])
            .output();
    }
}

/// Queue names of its own on the shared broker, deleted when the test ends.
pub struct TestQueues {
    pub orders: String,
}

impl TestQueues {
    pub fn new() -> TestQueues {
        TestQueues {
            orders: unique("orders-t-"),
        }
    }
}

impl Drop for TestQueues {
    fn drop(&mut self) {
        for queue in [self.orders.clone(), format!("{}.dlq", self.orders)] {
            let _ = Command::new("rabbitmqctl")
                .args(["-q", "delete_queue", &queue])
                .output();
        }
    }
}

/// Everything a store on the shared real services needs, cleaned up on drop.
pub struct RealEnv {
    pub db: TestDb,
    pub redis: RedisPrefix,
    pub queues: TestQueues,
}

impl RealEnv {
    pub async fn shared() -> RealEnv {
        RealEnv::on_postgres(PG_ADMIN).await
    }

    /// The shared Redis and RabbitMQ, with a database on the Postgres behind `admin`.
    pub async fn on_postgres(admin: &str) -> RealEnv {
        require_shared_services();
        RealEnv {
            db: TestDb::create(admin).await,
            redis: RedisPrefix::new(6379),
            queues: TestQueues::new(),
        }
    }

    pub fn settings(&self, data_dir: &Path) -> Settings {
        real_settings(
            data_dir,
            &self.db.url(),
            REDIS,
            AMQP,
            &self.redis.prefix,
            &self.queues.orders,
        )
    }
}

/// The shared Postgres and RabbitMQ with a Redis the test brings (one it can stop), each test
/// with its own database and queues.
pub struct OwnRedisEnv {
    pub db: TestDb,
    pub queues: TestQueues,
}

impl OwnRedisEnv {
    pub async fn new() -> OwnRedisEnv {
        require_shared_services();
        OwnRedisEnv {
            db: TestDb::create(PG_ADMIN).await,
            queues: TestQueues::new(),
        }
    }

    pub fn settings(&self, data_dir: &Path, redis_url: &str) -> Settings {
        real_settings(
            data_dir,
            &self.db.url(),
            redis_url,
            AMQP,
            "carstore:",
            &self.queues.orders,
        )
    }
}

pub fn real_settings(
    data_dir: &Path,
    db: &str,
    redis: &str,
    amqp: &str,
    prefix: &str,
    queue: &str,
) -> Settings {
    Settings {
        database_url: Some(ServiceUrl::parse(db, &["postgres"], "db").unwrap()),
        redis_url: Some(ServiceUrl::parse(redis, &["redis"], "redis").unwrap()),
        amqp_url: Some(ServiceUrl::parse(amqp, &["amqp"], "amqp").unwrap()),
        redis_prefix: prefix.to_owned(),
        orders_queue: queue.to_owned(),
        ..Settings::for_tests(data_dir)
    }
}

/// Starts the store on the shared real services, isolated by `env`, and waits until every
/// service answers.
pub async fn spawn_real(env: &RealEnv) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = env.settings(dir.path());
    let app = crate::helpers::spawn_in_dir(dir, settings).await;
    app.wait_until_ready().await;
    app
}
