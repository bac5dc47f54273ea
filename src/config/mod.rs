//! Settings, layered: flags, then environment (both through clap, plus the conventional
//! `DATABASE_URL`-style names), then the config file, then defaults. Everything is checked here,
//! before anything starts, so a bad value is one clear line.

mod args;
mod control;
mod env_names;
mod layering;
mod proxies;
mod queues;
mod replica;
mod retention;
mod secret_file;
mod service_url;

pub use args::{CommonArgs, ServeArgs, WorkerArgs};
pub use control::{AdminToken, ControlSettings, ControlSpec};
pub use env_names::{docker_host, is_known_env, on_kubernetes, unknown_env_vars, CONVENTIONAL_ENV};
pub use proxies::TrustedProxies;
pub use queues::QueueNames;
pub(crate) use replica::checked_instance;
pub use replica::{parse_drain, DEFAULT_DRAIN};
pub use retention::{parse_retention, Retention};
pub use service_url::ServiceUrl;

use crate::service::Service;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
/// A worker's `/metrics`: the port commonly used by Prometheus exporters of applications, so it
/// clashes with neither the store's 8000 nor Prometheus's own 9090.
pub const DEFAULT_METRICS_BIND: &str = "127.0.0.1:9464";
pub const DEFAULT_DATA_DIR: &str = "./carstore-data";
pub const DEFAULT_REDIS_PREFIX: &str = "carstore:";
pub const DEFAULT_ORDERS_QUEUE: &str = "orders";

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where this process listens: the store for `serve`, `/metrics` and `/healthz` for `worker`.
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Run the outbox relay and the order processor in this process.
    pub run_worker: bool,
    pub log_filter: String,
    /// Postgres for orders; embedded SQLite when absent.
    pub database_url: Option<ServiceUrl>,
    /// RabbitMQ's management API (`http://user:pass@host:15672`), for every queue of the vhost.
    pub rabbit_management_url: Option<ServiceUrl>,
    /// Redis for carts and the catalog cache; embedded when absent.
    pub redis_url: Option<ServiceUrl>,
    /// RabbitMQ for order events; the in-process queue when absent.
    pub amqp_url: Option<ServiceUrl>,
    /// Prefix of every Redis key, so several stores (or tests) can share one Redis.
    pub redis_prefix: String,
    /// The order events queue; its dead letters go to `<name>.dlq`.
    pub orders_queue: String,
    /// Start/stop backends per service, from the config file.
    pub control: ControlSettings,
    /// The dashboard's admin token; `None` means carstore makes one at start.
    pub admin_token: Option<AdminToken>,
    /// How long carts, idempotency keys and published order events are kept.
    pub retention: Retention,
    /// This process's name among replicas: in a response header, log lines, metrics and the
    /// dashboard.
    pub instance: String,
    /// After SIGTERM, how long `/readyz` says 503 while requests are still served, so a load
    /// balancer takes the replica out before it stops accepting.
    pub drain: std::time::Duration,
    /// Reverse proxies whose forwarded headers are believed (HTTPS, the client's address).
    pub trusted_proxies: TrustedProxies,
}

impl Settings {
    pub fn load(args: ServeArgs) -> anyhow::Result<Settings> {
        let file = layering::read_file(args.common.config.as_deref())?;
        let bind = args
            .bind
            .clone()
            .or(file.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.into());
        let run_worker = !args.no_worker.unwrap_or(false) && file.worker.unwrap_or(true);
        let bind = layering::parse_bind(&bind, "bind address", DEFAULT_BIND)?;
        layering::layer(bind, run_worker, args.common, file)
    }

    /// A worker listens only for its metrics, on `metrics_bind`.
    pub fn load_worker(args: WorkerArgs) -> anyhow::Result<Settings> {
        let file = layering::read_file(args.common.config.as_deref())?;
        let bind = args
            .metrics_bind
            .clone()
            .or(file.metrics_bind.clone())
            .unwrap_or_else(|| DEFAULT_METRICS_BIND.into());
        let bind = layering::parse_bind(&bind, "metrics bind address", DEFAULT_METRICS_BIND)?;
        layering::layer(bind, true, args.common, file)
    }

    /// Settings for tests and tools: an ephemeral port, the given data dir, everything embedded.
    pub fn for_tests(data_dir: &Path) -> Settings {
        Settings {
            bind: "127.0.0.1:0".parse().expect("literal address"),
            data_dir: data_dir.to_owned(),
            run_worker: true,
            log_filter: "warn".into(),
            database_url: None,
            redis_url: None,
            amqp_url: None,
            rabbit_management_url: None,
            redis_prefix: DEFAULT_REDIS_PREFIX.into(),
            orders_queue: DEFAULT_ORDERS_QUEUE.into(),
            control: ControlSettings::default(),
            admin_token: None,
            retention: Retention::default(),
            instance: "test".into(),
            drain: std::time::Duration::ZERO,
            trusted_proxies: TrustedProxies::default(),
        }
    }

    /// The URL of a real service to use; `None` runs it embedded.
    pub fn url_of(&self, service: Service) -> Option<&ServiceUrl> {
        match service {
            Service::Postgres => self.database_url.as_ref(),
            Service::Redis => self.redis_url.as_ref(),
            Service::Rabbit => self.amqp_url.as_ref(),
        }
    }

    /// The order events queue and its dead-letter queue.
    pub fn queue_names(&self) -> QueueNames {
        QueueNames::new(&self.orders_queue)
    }

    /// The queue failing order events end up in.
    pub fn dead_letter_queue(&self) -> String {
        self.queue_names().dead_letters
    }
}

#[cfg(test)]
mod tests;
