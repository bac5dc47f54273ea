//! A `tracing` writer that hands each event's text, line by line, to a function it was given:
//! how the dashboard's "carstore" log window gets every line the process logs, without the
//! logging set-up knowing where the window keeps them.

use std::io;
use tracing_subscriber::fmt::MakeWriter;

/// Takes one line of the log.
pub type LineSink = fn(&str);

/// Makes one [`EventText`] per event.
pub struct LineWriter(pub LineSink);

/// One event's text, written whole, then passed on line by line when dropped.
pub struct EventText {
    text: Vec<u8>,
    sink: LineSink,
}

impl<'a> MakeWriter<'a> for LineWriter {
    type Writer = EventText;
    fn make_writer(&'a self) -> EventText {
        EventText {
            text: Vec::with_capacity(160),
            sink: self.0,
        }
    }
}

impl io::Write for EventText {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventText {
    fn drop(&mut self) {
        for line in String::from_utf8_lossy(&self.text).lines() {
            (self.sink)(line);
        }
    }
}
