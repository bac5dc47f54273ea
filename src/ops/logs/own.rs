//! carstore's own log, as the dashboard's "carstore" window shows it: every line the process logs
//! also goes into one feed kept in memory (`telemetry::init` is given [`push_own_line`]).

use super::LogFeed;
use std::sync::{Arc, OnceLock};

/// The process has one log, so it has one feed.
pub fn own_log() -> Arc<LogFeed> {
    static OWN: OnceLock<Arc<LogFeed>> = OnceLock::new();
    OWN.get_or_init(LogFeed::new).clone()
}

/// One line of the process's log, into [`own_log`].
pub fn push_own_line(line: &str) {
    own_log().push("log", line);
}
