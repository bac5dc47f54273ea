//! Logging to stderr through `tracing`, and into the dashboard's "carstore" log window. Nothing
//! logged may carry personal data or secrets: no customer names or emails, no session ids, no
//! connection strings with passwords.

mod repeats;

pub use repeats::SUMMARY_EVERY;

use crate::ops::logs::OwnLogWriter;
use repeats::Repeats;
use std::io::IsTerminal;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};

/// Events with this target go to stderr only: the one-time admin sign-in line is for whoever
/// started carstore, not for the log window.
pub const CONSOLE_ONLY: &str = "console";

/// Repeated warnings are printed once and then summarised (`repeats.rs`).
/// `RUST_LOG` wins over the configured filter, so one run can be made chattier without editing.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let console = fmt::layer()
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let window = fmt::layer()
        .with_target(false)
        .with_ansi(false)
        .with_writer(OwnLogWriter)
        .with_filter(filter_fn(|meta| meta.target() != CONSOLE_ONLY));
    let repeats = Repeats::default();
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(repeats.clone())
        .with(console)
        .with(window)
        .try_init();
    if installed.is_ok() {
        repeats.summarise_every_interval();
    }
}
