//! Settings, layered: flags, then environment (both through clap, plus the conventional
//! `DATABASE_URL`-style names), then the config file, then defaults. Everything is checked here,
//! before anything starts, so a bad value is one clear line.

mod args;
mod control;
mod env_names;
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
use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::{SocketAddr, ToSocketAddrs};
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

/// The config file: the same settings as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    metrics_bind: Option<String>,
    data_dir: Option<PathBuf>,
    worker: Option<bool>,
    log: Option<String>,
    database_url: Option<String>,
    redis_url: Option<String>,
    amqp_url: Option<String>,
    rabbit_management_url: Option<String>,
    redis_prefix: Option<String>,
    orders_queue: Option<String>,
    admin_token: Option<String>,
    cart_retention: Option<String>,
    idempotency_retention: Option<String>,
    outbox_retention: Option<String>,
    account_retention: Option<String>,
    instance: Option<String>,
    drain: Option<String>,
    trusted_proxies: Option<String>,
    #[serde(default)]
    control: ControlSettings,
}

impl Settings {
    pub fn load(args: ServeArgs) -> anyhow::Result<Settings> {
        let file = read_file(args.common.config.as_deref())?;
        let bind = args
            .bind
            .clone()
            .or(file.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.into());
        let run_worker = !args.no_worker.unwrap_or(false) && file.worker.unwrap_or(true);
        let bind = parse_bind(&bind, "bind address", DEFAULT_BIND)?;
        Settings::layer(bind, run_worker, args.common, file)
    }

    /// A worker listens only for its metrics, on `metrics_bind`.
    pub fn load_worker(args: WorkerArgs) -> anyhow::Result<Settings> {
        let file = read_file(args.common.config.as_deref())?;
        let bind = args
            .metrics_bind
            .clone()
            .or(file.metrics_bind.clone())
            .unwrap_or_else(|| DEFAULT_METRICS_BIND.into());
        let bind = parse_bind(&bind, "metrics bind address", DEFAULT_METRICS_BIND)?;
        Settings::layer(bind, true, args.common, file)
    }

    fn layer(
        bind: SocketAddr,
        run_worker: bool,
        args: CommonArgs,
        file: FileSettings,
    ) -> anyhow::Result<Settings> {
        let args = args.without_empty_values();
        let url = |flag: Option<String>, var: &str, from_file: Option<String>| {
            let conventional = var.trim_start_matches("CARSTORE_");
            Ok::<_, anyhow::Error>(
                flag.or(secret_file::from_file_var(var)?)
                    .or(secret_file::env_or_file(conventional)?)
                    .or(from_file),
            )
        };
        let secret = |flag: Option<String>, var: &str, from_file: Option<String>| {
            Ok::<_, anyhow::Error>(flag.or(secret_file::from_file_var(var)?).or(from_file))
        };
        let retention = retention::layered([
            args.cart_retention.or(file.cart_retention),
            args.idempotency_retention.or(file.idempotency_retention),
            args.outbox_retention.or(file.outbox_retention),
            args.account_retention.or(file.account_retention),
        ])?;
        let management_url = secret(
            args.rabbit_management_url,
            "CARSTORE_RABBIT_MANAGEMENT_URL",
            file.rabbit_management_url,
        )?;
        Ok(Settings {
            bind,
            run_worker,
            data_dir: args
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
            log_filter: args.log.or(file.log).unwrap_or_else(|| "info".into()),
            database_url: url(
                args.database_url,
                "CARSTORE_DATABASE_URL",
                file.database_url,
            )?
            .map(|u| ServiceUrl::parse(&u, &["postgres", "postgresql"], "database URL"))
            .transpose()?,
            redis_url: url(args.redis_url, "CARSTORE_REDIS_URL", file.redis_url)?
                .map(|u| ServiceUrl::parse(&u, &["redis"], "Redis URL"))
                .transpose()?,
            amqp_url: url(args.amqp_url, "CARSTORE_AMQP_URL", file.amqp_url)?
                .map(|u| ServiceUrl::parse(&u, &["amqp"], "AMQP URL"))
                .transpose()?,
            rabbit_management_url: management_url
                .map(|u| ServiceUrl::parse(&u, &["http"], "RabbitMQ management URL"))
                .transpose()?,
            redis_prefix: args
                .redis_prefix
                .or(file.redis_prefix)
                .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.into()),
            admin_token: secret(args.admin_token, "CARSTORE_ADMIN_TOKEN", file.admin_token)?
                .map(AdminToken::new)
                .transpose()?,
            retention,
            instance: replica::instance_name(args.instance.or(file.instance))?,
            drain: args
                .drain
                .or(file.drain)
                .map_or(Ok(DEFAULT_DRAIN), |text| parse_drain(&text))?,
            trusted_proxies: args
                .trusted_proxies
                .or(file.trusted_proxies)
                .map_or(Ok(TrustedProxies::default()), |list| {
                    TrustedProxies::parse(&list)
                })?,
            control: file.control,
            orders_queue: checked_queue_name(
                args.orders_queue
                    .or(file.orders_queue)
                    .unwrap_or_else(|| DEFAULT_ORDERS_QUEUE.into()),
            )?,
        })
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

fn read_file(path: Option<&Path>) -> anyhow::Result<FileSettings> {
    let Some(path) = path else {
        return Ok(FileSettings::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let first = e.message().lines().next().unwrap_or("invalid").to_owned();
        anyhow::anyhow!("config file {}: {first}", path.display())
    })
}

/// `what` names the setting in the error (`bind address`), `example` shows a good value.
fn parse_bind(raw: &str, what: &str, example: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(addr) = raw.parse() {
        return Ok(addr);
    }
    if !raw.contains(':') {
        bail!("{what} {raw:?} must be HOST:PORT, e.g. {example}");
    }
    let mut addrs = raw
        .to_socket_addrs()
        .with_context(|| format!("{what} {raw:?} is not a usable HOST:PORT"))?;
    addrs
        .next()
        .with_context(|| format!("{what} {raw:?} resolves to nothing"))
}

fn checked_queue_name(name: String) -> anyhow::Result<String> {
    let ok = (1..=200).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        bail!("orders queue name {name:?} must be 1 to 200 letters, digits, '.', '_' or '-'");
    }
    Ok(name)
}

#[cfg(test)]
mod tests;
