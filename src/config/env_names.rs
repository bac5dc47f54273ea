//! The environment variables carstore reads, and the `CARSTORE_*` ones it does not know.

/// The `CARSTORE_*` variables carstore reads; any other one is probably a typo and is warned about.
pub const KNOWN_ENV: &[&str] = &[
    "CARSTORE_BIND",
    "CARSTORE_METRICS_BIND",
    "CARSTORE_DATA_DIR",
    "CARSTORE_CONFIG",
    "CARSTORE_NO_WORKER",
    "CARSTORE_LOG",
    "CARSTORE_DATABASE_URL",
    "CARSTORE_REDIS_URL",
    "CARSTORE_AMQP_URL",
    "CARSTORE_REDIS_PREFIX",
    "CARSTORE_ORDERS_QUEUE",
    "CARSTORE_ADMIN_TOKEN",
    "CARSTORE_ADMIN_TOKEN_FILE",
    "CARSTORE_TRUSTED_PROXIES",
    "CARSTORE_RABBIT_MANAGEMENT_URL",
    "CARSTORE_RABBIT_MANAGEMENT_URL_FILE",
    "CARSTORE_CART_RETENTION",
    "CARSTORE_IDEMPOTENCY_RETENTION",
    "CARSTORE_OUTBOX_RETENTION",
    "CARSTORE_ACCOUNT_RETENTION",
    "CARSTORE_INSTANCE",
    "CARSTORE_DRAIN",
];

/// The conventional variables carstore also reads.
pub const CONVENTIONAL_ENV: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "REDIS_URL",
    "REDIS_URL_FILE",
    "AMQP_URL",
    "AMQP_URL_FILE",
    "DOCKER_HOST",
    "RUST_LOG",
];

/// `CARSTORE_*` variables set in the environment that carstore does not know.
pub fn unknown_env_vars() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("CARSTORE_") && !KNOWN_ENV.contains(&k.as_str()))
        .collect()
}
