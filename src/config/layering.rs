//! Layering: each setting from its flag or variable, else the config file, else its default.

use super::{
    parse_drain, replica, retention, secret_file, AdminToken, CommonArgs, ControlSettings,
    ServiceUrl, Settings, TrustedProxies, DEFAULT_DATA_DIR, DEFAULT_DRAIN, DEFAULT_ORDERS_QUEUE,
    DEFAULT_REDIS_PREFIX,
};
use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

/// The config file: the same settings as the flags, under the same names, all optional; and
/// the services' controls, which only the file gives.
#[derive(Debug, Default)]
pub(super) struct FileSettings {
    pub(super) bind: Option<String>,
    pub(super) metrics_bind: Option<String>,
    pub(super) worker: Option<bool>,
    control: ControlSettings,
    common: CommonArgs,
}

pub(super) fn layer(
    bind: SocketAddr,
    run_worker: bool,
    args: CommonArgs,
    mut file: FileSettings,
) -> anyhow::Result<Settings> {
    let mut args = args.over(&file.common);
    let [database_url, redis_url, amqp_url, rabbit_management_url] =
        service_urls(&mut args, &mut file.common)?;
    let file_token = file.common.admin_token.take();
    let retention = retention::layered([
        args.cart_retention,
        args.idempotency_retention,
        args.outbox_retention,
        args.account_retention,
    ])?;
    Ok(Settings {
        bind,
        run_worker,
        data_dir: args.data_dir.unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
        log_filter: args.log.unwrap_or_else(|| "info".into()),
        database_url,
        redis_url,
        amqp_url,
        rabbit_management_url,
        redis_prefix: args
            .redis_prefix
            .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.into()),
        admin_token: admin_token(args.admin_token, file_token)?,
        retention,
        instance: replica::instance_name(args.instance)?,
        drain: args
            .drain
            .map_or(Ok(DEFAULT_DRAIN), |text| parse_drain(&text))?,
        trusted_proxies: args
            .trusted_proxies
            .map_or(Ok(TrustedProxies::default()), |list| {
                TrustedProxies::parse(&list)
            })?,
        control: file.control,
        orders_queue: checked_queue_name(
            args.orders_queue
                .unwrap_or_else(|| DEFAULT_ORDERS_QUEUE.into()),
        )?,
    })
}

/// The admin token: the flag or variable, else its file or the config file's.
fn admin_token(
    given: Option<String>,
    in_file: Option<String>,
) -> anyhow::Result<Option<AdminToken>> {
    let token = given.or(secret_file::secret("CARSTORE_ADMIN_TOKEN", None, in_file)?);
    token.map(AdminToken::new).transpose()
}

/// The services' URLs, each from its flag or variable, its file, its conventional variable or
/// the config file: `[database, Redis, AMQP, RabbitMQ management]`.
fn service_urls(
    args: &mut CommonArgs,
    file: &mut CommonArgs,
) -> anyhow::Result<[Option<ServiceUrl>; 4]> {
    let urls = [
        (
            &mut args.database_url,
            &mut file.database_url,
            "CARSTORE_DATABASE_URL",
            Some("DATABASE_URL"),
            &["postgres", "postgresql"][..],
            "database URL",
        ),
        (
            &mut args.redis_url,
            &mut file.redis_url,
            "CARSTORE_REDIS_URL",
            Some("REDIS_URL"),
            &["redis"],
            "Redis URL",
        ),
        (
            &mut args.amqp_url,
            &mut file.amqp_url,
            "CARSTORE_AMQP_URL",
            Some("AMQP_URL"),
            &["amqp"],
            "AMQP URL",
        ),
        (
            &mut args.rabbit_management_url,
            &mut file.rabbit_management_url,
            "CARSTORE_RABBIT_MANAGEMENT_URL",
            None,
            &["http"],
            "RabbitMQ management URL",
        ),
    ];
    let mut parsed = [None, None, None, None];
    for (slot, (flag, from_file, var, conventional, schemes, what)) in parsed.iter_mut().zip(urls) {
        let given = flag
            .take()
            .or(secret_file::secret(var, conventional, from_file.take())?);
        *slot = given
            .map(|u| ServiceUrl::parse(&u, schemes, what))
            .transpose()?;
    }
    Ok(parsed)
}

pub(super) fn read_file(path: Option<&Path>) -> anyhow::Result<FileSettings> {
    let Some(path) = path else {
        return Ok(FileSettings::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    let refused = |e: toml::de::Error| {
        let first = e.message().lines().next().unwrap_or("invalid").to_owned();
        anyhow::anyhow!("config file {}: {first}", path.display())
    };
    let mut table: toml::Table = toml::from_str(&text).map_err(refused)?;
    Ok(FileSettings {
        bind: take(&mut table, "bind").map_err(refused)?,
        metrics_bind: take(&mut table, "metrics_bind").map_err(refused)?,
        worker: take(&mut table, "worker").map_err(refused)?,
        control: take(&mut table, "control")
            .map_err(refused)?
            .unwrap_or_default(),
        common: toml::Value::Table(table).try_into().map_err(refused)?,
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

/// The value under `key`, taken out of the file's table.
fn take<T: DeserializeOwned>(
    table: &mut toml::Table,
    key: &str,
) -> Result<Option<T>, toml::de::Error> {
    table.remove(key).map(toml::Value::try_into).transpose()
}
