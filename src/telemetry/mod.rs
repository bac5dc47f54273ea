//! Logging to stderr through `tracing`, and into the dashboard's "carstore" log window. Nothing
//! logged may carry personal data or secrets: no customer names or emails, no session ids, no
//! connection strings with passwords.

mod repeats;
mod window;

pub use repeats::SUMMARY_EVERY;
pub use window::LineSink;

use repeats::Repeats;
use std::io::IsTerminal;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};
use window::LineWriter;

/// Events with this target go to stderr only: the one-time admin sign-in line is for whoever
/// started carstore, not for the log window.
pub const CONSOLE_ONLY: &str = "console";

/// Repeated warnings are printed once and then summarised (`repeats.rs`).
/// `RUST_LOG` wins over the configured filter, so one run can be made chattier without editing.
/// Every line names the replica (`instance`) right after its time, so the lines of several
/// replicas gathered in one place still say where each came from. Each line also goes to
/// `window`, the dashboard's log window of the process.
pub fn init(filter: &str, instance: &str, window: LineSink) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let stamp = Stamp(instance.to_owned());
    let console = fmt::layer()
        .with_timer(stamp.clone())
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let to_window = fmt::layer()
        .with_timer(stamp)
        .with_target(false)
        .with_ansi(false)
        .with_writer(LineWriter(window))
        .with_filter(filter_fn(|meta| meta.target() != CONSOLE_ONLY));
    let repeats = Repeats::default();
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(repeats.clone())
        .with(console)
        .with(to_window)
        .try_init();
    if installed.is_ok() {
        repeats.summarise_every_interval();
    }
}

/// The time, then the instance name: `2026-11-30T19:10:49.123456Z store-a  INFO ...`.
#[derive(Clone)]
struct Stamp(String);

impl FormatTime for Stamp {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        SystemTime.format_time(w)?;
        write!(w, " {}", self.0)
    }
}
