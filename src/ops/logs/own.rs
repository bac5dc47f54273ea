//! carstore's own log, as the dashboard's "carstore" window shows it: every line the process logs
//! also goes into one feed kept in memory.

use super::LogFeed;
use std::io;
use std::sync::{Arc, OnceLock};
use tracing_subscriber::fmt::MakeWriter;

/// The process has one log, so it has one feed.
pub fn own_log() -> Arc<LogFeed> {
    static OWN: OnceLock<Arc<LogFeed>> = OnceLock::new();
    OWN.get_or_init(LogFeed::new).clone()
}

/// A `tracing` writer into [`own_log`]; each event is written whole, then pushed line by line.
pub struct OwnLogWriter;

pub struct EventText(Vec<u8>);

impl<'a> MakeWriter<'a> for OwnLogWriter {
    type Writer = EventText;
    fn make_writer(&'a self) -> EventText {
        EventText(Vec::with_capacity(160))
    }
}

impl io::Write for EventText {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventText {
    fn drop(&mut self) {
        let feed = own_log();
        for line in String::from_utf8_lossy(&self.0).lines() {
            feed.push("log", line);
        }
    }
}
