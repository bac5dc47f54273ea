//! The settings' flags and environment variables, as `carstore serve` and `carstore worker`
//! take them; `Settings::load` layers them over the config file and the defaults.

use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8000]
    #[arg(long, env = "CARSTORE_BIND", value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// Serve without the outbox relay and order processor (a `carstore worker` runs them).
    #[arg(long, env = "CARSTORE_NO_WORKER", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub no_worker: Option<bool>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Default, Args)]
pub struct WorkerArgs {
    /// Where to serve /metrics and /healthz [default: 127.0.0.1:9464]
    #[arg(long, env = "CARSTORE_METRICS_BIND", value_name = "HOST:PORT")]
    pub metrics_bind: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// What both commands need: where data lives and which services to use. The config file takes
/// the same settings under the same names (`redis_prefix = "shop:"`), all but `config` itself.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommonArgs {
    /// Where the embedded database lives [default: ./carstore-data]
    #[arg(long, env = "CARSTORE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A TOML file with any of these settings; flags and environment win over it.
    #[arg(long, env = "CARSTORE_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// This process's name among replicas [default: the host name]
    #[arg(long, env = "CARSTORE_INSTANCE", value_name = "NAME")]
    pub instance: Option<String>,
    /// Log filter, e.g. `info` or `carstore=debug` [default: info]
    #[arg(long, env = "CARSTORE_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Postgres for orders, e.g. postgres://user:pass@host:5432/carstore (also DATABASE_URL)
    #[arg(
        long,
        env = "CARSTORE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Redis for carts and the catalog cache, e.g. redis://host:6379 (also REDIS_URL)
    #[arg(
        long,
        env = "CARSTORE_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// RabbitMQ for order events, e.g. amqp://guest:guest@host:5672/%2f (also AMQP_URL)
    #[arg(
        long,
        env = "CARSTORE_AMQP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub amqp_url: Option<String>,
    /// Prefix of every Redis key, so several stores can share one Redis [default: carstore:]
    #[arg(long, env = "CARSTORE_REDIS_PREFIX", value_name = "PREFIX")]
    pub redis_prefix: Option<String>,
    /// The order events queue; its dead letters go to `<name>.dlq` [default: orders]
    #[arg(long, env = "CARSTORE_ORDERS_QUEUE", value_name = "NAME")]
    pub orders_queue: Option<String>,
    /// The dashboard's admin token, 32 characters or more [default: one made at start]
    #[arg(
        long,
        env = "CARSTORE_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// RabbitMQ's management API, e.g. http://user:pass@host:15672, for every queue of the vhost
    #[arg(
        long,
        env = "CARSTORE_RABBIT_MANAGEMENT_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub rabbit_management_url: Option<String>,
    /// Proxies whose forwarded headers are believed: addresses or CIDR ranges, comma-separated
    #[arg(long, env = "CARSTORE_TRUSTED_PROXIES", value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// After SIGTERM, how long /readyz says 503 before the store stops accepting [default: 5s]
    #[arg(long, env = "CARSTORE_DRAIN", value_name = "DURATION")]
    pub drain: Option<String>,
    /// How long an unused cart is kept [default: 24h]
    #[arg(long, env = "CARSTORE_CART_RETENTION", value_name = "DURATION")]
    pub cart_retention: Option<String>,
    /// How long a checkout's idempotency key is kept [default: 24h]
    #[arg(long, env = "CARSTORE_IDEMPOTENCY_RETENTION", value_name = "DURATION")]
    pub idempotency_retention: Option<String>,
    /// How long a published order event is kept [default: 1h]
    #[arg(long, env = "CARSTORE_OUTBOX_RETENTION", value_name = "DURATION")]
    pub outbox_retention: Option<String>,
    /// How long an account never signed into and with no order is kept [default: 90d]
    #[arg(long, env = "CARSTORE_ACCOUNT_RETENTION", value_name = "DURATION")]
    pub account_retention: Option<String>,
}

impl CommonArgs {
    /// Each setting from the flag or its variable, else from the config file's `file`; empty
    /// values count as not given (`CARSTORE_X=` in a compose file means "not set"). The
    /// secrets are left to their own layering (a `_FILE` and a conventional variable come
    /// before the config file), so only the flag's or variable's value is kept for them.
    pub(super) fn over(self, file: &CommonArgs) -> CommonArgs {
        let given = |v: Option<String>| v.filter(|v| !v.is_empty());
        let pick = |a: Option<String>, b: &Option<String>| given(a).or(given(b.clone()));
        let dir = |d: Option<PathBuf>| d.filter(|d| !d.as_os_str().is_empty());
        CommonArgs {
            data_dir: dir(self.data_dir).or(dir(file.data_dir.clone())),
            config: self.config,
            instance: pick(self.instance, &file.instance),
            log: pick(self.log, &file.log),
            database_url: given(self.database_url),
            redis_url: given(self.redis_url),
            amqp_url: given(self.amqp_url),
            redis_prefix: pick(self.redis_prefix, &file.redis_prefix),
            orders_queue: pick(self.orders_queue, &file.orders_queue),
            admin_token: given(self.admin_token),
            rabbit_management_url: given(self.rabbit_management_url),
            trusted_proxies: pick(self.trusted_proxies, &file.trusted_proxies),
            drain: pick(self.drain, &file.drain),
            cart_retention: pick(self.cart_retention, &file.cart_retention),
            idempotency_retention: pick(self.idempotency_retention, &file.idempotency_retention),
            outbox_retention: pick(self.outbox_retention, &file.outbox_retention),
            account_retention: pick(self.account_retention, &file.account_retention),
        }
    }
}

/// Every variable the flags of `serve` and `worker` read, and for each secret one (its value
/// hidden) the `<name>_FILE` that may name a file holding it.
pub fn flag_variables() -> Vec<String> {
    use clap::{Args, Command};
    let commands = [
        ServeArgs::augment_args(Command::new("serve")),
        WorkerArgs::augment_args(Command::new("worker")),
    ];
    let mut names = vec![];
    for command in &commands {
        for arg in command.get_arguments() {
            let Some(var) = arg.get_env() else { continue };
            let var = var.to_string_lossy().into_owned();
            if arg.is_hide_env_values_set() {
                names.push(format!("{var}_FILE"));
            }
            names.push(var);
        }
    }
    names.sort();
    names.dedup();
    names
}
