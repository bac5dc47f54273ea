//! The settings' flags and environment variables, as `carstore serve` and `carstore worker`
//! take them; `Settings::load` layers them over the config file and the defaults.

use clap::Args;
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

/// What both commands need: where data lives and which services to use.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// Where the embedded database lives [default: ./carstore-data]
    #[arg(long, env = "CARSTORE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A TOML file with any of these settings; flags and environment win over it.
    #[arg(long, env = "CARSTORE_CONFIG", value_name = "FILE")]
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
}
