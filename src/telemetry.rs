//! Logging to stderr through `tracing`. Nothing logged may carry personal data or secrets:
//! no customer names or emails, no session ids, no connection strings with passwords.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// `RUST_LOG` wins over the configured filter, so one run can be made chattier without editing.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
