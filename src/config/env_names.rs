//! The environment variables carstore reads, and the `CARSTORE_*` ones it does not know. The
//! `CARSTORE_*` names are read off the flags' own declarations (`args.rs`), never listed twice.

use std::sync::OnceLock;

/// The conventional variables carstore also reads.
pub const CONVENTIONAL_ENV: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "REDIS_URL",
    "REDIS_URL_FILE",
    "AMQP_URL",
    "AMQP_URL_FILE",
    "DOCKER_HOST",
    "KUBERNETES_SERVICE_HOST",
    "RUST_LOG",
];

/// `CARSTORE_*` variables set in the environment that carstore does not know.
pub fn unknown_env_vars() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("CARSTORE_") && !is_known_env(k))
        .collect()
}

/// Whether carstore reads the variable `name`: one of its flags' (or a secret's `_FILE`), or a
/// conventional one.
pub fn is_known_env(name: &str) -> bool {
    static FLAGS: OnceLock<Vec<String>> = OnceLock::new();
    let flags = FLAGS.get_or_init(super::args::flag_variables);
    flags.iter().any(|v| v == name) || CONVENTIONAL_ENV.contains(&name)
}

/// Where the Docker engine is: `DOCKER_HOST`, else the local socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned())
}

/// Whether this process runs in a Kubernetes pod (Kubernetes sets the variable in every one).
pub fn on_kubernetes() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
}
