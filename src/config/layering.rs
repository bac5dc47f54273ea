//! Layering: each setting from its flag or variable, else the config file, else its default.

use super::{
    parse_drain, replica, retention, secret_file, AdminToken, CommonArgs, ControlSettings,
    ServiceUrl, Settings, TrustedProxies, DEFAULT_DATA_DIR, DEFAULT_DRAIN, DEFAULT_ORDERS_QUEUE,
    DEFAULT_REDIS_PREFIX,
};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

/// The config file: the same settings as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSettings {
    pub(super) bind: Option<String>,
    pub(super) metrics_bind: Option<String>,
    data_dir: Option<PathBuf>,
    pub(super) worker: Option<bool>,
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

pub(super) fn layer(
    bind: SocketAddr,
    run_worker: bool,
    args: CommonArgs,
    file: FileSettings,
) -> anyhow::Result<Settings> {
    let mut args = args.without_empty_values();
    let mut file = file;
    let [database_url, redis_url, amqp_url, rabbit_management_url] =
        service_urls(&mut args, &mut file)?;
    let retention = retention::layered([
        args.cart_retention.or(file.cart_retention),
        args.idempotency_retention.or(file.idempotency_retention),
        args.outbox_retention.or(file.outbox_retention),
        args.account_retention.or(file.account_retention),
    ])?;
    Ok(Settings {
        bind,
        run_worker,
        data_dir: args
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
        log_filter: args.log.or(file.log).unwrap_or_else(|| "info".into()),
        database_url,
        redis_url,
        amqp_url,
        rabbit_management_url,
        redis_prefix: args
            .redis_prefix
            .or(file.redis_prefix)
            .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.into()),
        admin_token: args
            .admin_token
            .or(secret_file::secret(
                "CARSTORE_ADMIN_TOKEN",
                file.admin_token,
            )?)
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

/// The services' URLs, each from its flag or variable, its file, its conventional variable or
/// the config file: `[database, Redis, AMQP, RabbitMQ management]`.
fn service_urls(
    args: &mut CommonArgs,
    file: &mut FileSettings,
) -> anyhow::Result<[Option<ServiceUrl>; 4]> {
    use secret_file::{secret, service_url};
    let given = |flag: Option<String>, var: &str, from_file: Option<String>| {
        Ok::<_, anyhow::Error>(flag.or(secret(var, from_file)?))
    };
    Ok([
        service_url(
            given(
                args.database_url.take(),
                "CARSTORE_DATABASE_URL",
                file.database_url.take(),
            )?,
            &["postgres", "postgresql"],
            "database URL",
        )?,
        service_url(
            given(
                args.redis_url.take(),
                "CARSTORE_REDIS_URL",
                file.redis_url.take(),
            )?,
            &["redis"],
            "Redis URL",
        )?,
        service_url(
            given(
                args.amqp_url.take(),
                "CARSTORE_AMQP_URL",
                file.amqp_url.take(),
            )?,
            &["amqp"],
            "AMQP URL",
        )?,
        service_url(
            given(
                args.rabbit_management_url.take(),
                "CARSTORE_RABBIT_MANAGEMENT_URL",
                file.rabbit_management_url.take(),
            )?,
            &["http"],
            "RabbitMQ management URL",
        )?,
    ])
}

pub(super) fn read_file(path: Option<&Path>) -> anyhow::Result<FileSettings> {
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
pub(super) fn parse_bind(raw: &str, what: &str, example: &str) -> anyhow::Result<SocketAddr> {
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

pub(super) fn checked_queue_name(name: String) -> anyhow::Result<String> {
    let ok = (1..=200).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        bail!("orders queue name {name:?} must be 1 to 200 letters, digits, '.', '_' or '-'");
    }
    Ok(name)
}
