//! Live log windows for the dashboard. Each source (a container's output, a log file, carstore's
//! own log) pushes lines into a [`LogFeed`]: a short history plus a broadcast to every open
//! window. Pushing never waits for a reader, so one slow browser can only lose its own lines.

mod docker;
mod file;
mod own;
mod windows;

pub use docker::follow_container;
pub use file::follow_file;
pub use own::{own_log, push_own_line};
pub use windows::LogWindows;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Lines kept for windows that open (or reconnect) later.
pub const HISTORY: usize = 1000;
/// Lines a window may fall behind before it is dropped (it reconnects and resumes).
const BACKLOG: usize = 512;
/// Longer lines are cut: one runaway line must not cost megabytes per window.
const MAX_LINE: usize = 4096;

#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    /// Numbers lines in the order they arrived; a reconnecting window resumes after its last.
    #[serde(skip)]
    pub seq: u64,
    pub ts: DateTime<Utc>,
    /// `stdout`, `stderr`, `file`, `carstore` (notes about the source itself) or `log`.
    pub stream: &'static str,
    pub line: String,
}

pub struct LogFeed {
    history: Mutex<History>,
    live: broadcast::Sender<Arc<LogLine>>,
}

#[derive(Default)]
struct History {
    lines: VecDeque<Arc<LogLine>>,
    next_seq: u64,
}

/// What a window gets when it opens: the lines it has not seen, then the live receiver.
pub struct Subscription {
    pub backlog: Vec<Arc<LogLine>>,
    pub live: broadcast::Receiver<Arc<LogLine>>,
}

impl LogFeed {
    pub fn new() -> Arc<LogFeed> {
        Arc::new(LogFeed {
            history: Mutex::default(),
            live: broadcast::channel(BACKLOG).0,
        })
    }

    pub fn push(&self, stream: &'static str, line: &str) {
        self.push_at(Utc::now(), stream, line);
    }

    pub fn push_at(&self, ts: DateTime<Utc>, stream: &'static str, line: &str) {
        let line = line.trim_end_matches(['\r', '\n']);
        let mut cut = line.len().min(MAX_LINE);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut history = self.history.lock();
        history.next_seq += 1;
        let line = Arc::new(LogLine {
            seq: history.next_seq,
            ts,
            stream,
            line: line[..cut].to_owned(),
        });
        if history.lines.len() == HISTORY {
            history.lines.pop_front();
        }
        history.lines.push_back(line.clone());
        // Sent under the lock so a subscriber never sees a line twice or misses one.
        let _ = self.live.send(line);
    }

    /// The last `tail` lines, or everything after `after` (a reconnect), then what comes next.
    pub fn subscribe(&self, after: Option<u64>, tail: usize) -> Subscription {
        let history = self.history.lock();
        let backlog = match after {
            Some(seen) => history
                .lines
                .iter()
                .filter(|l| l.seq > seen)
                .cloned()
                .collect(),
            None => {
                let skip = history.lines.len().saturating_sub(tail);
                history.lines.iter().skip(skip).cloned().collect()
            }
        };
        Subscription {
            backlog,
            live: self.live.subscribe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Arc<LogLine>]) -> Vec<&str> {
        lines.iter().map(|l| l.line.as_str()).collect()
    }

    #[test]
    fn a_window_gets_the_tail_then_resumes_after_its_last_line() {
        let feed = LogFeed::new();
        for n in 1..=5 {
            feed.push("stdout", &format!("line {n}\n"));
        }
        let first = feed.subscribe(None, 2);
        assert_eq!(texts(&first.backlog), ["line 4", "line 5"]);
        let seen = first.backlog.last().unwrap().seq;
        feed.push("stdout", "line 6");
        assert_eq!(texts(&feed.subscribe(Some(seen), 2).backlog), ["line 6"]);
    }

    #[test]
    fn history_is_bounded_and_long_lines_are_cut_on_a_char_boundary() {
        let feed = LogFeed::new();
        for n in 0..HISTORY + 10 {
            feed.push("stdout", &n.to_string());
        }
        let all = feed.subscribe(Some(0), 0).backlog;
        assert_eq!(all.len(), HISTORY);
        assert_eq!(all[0].line, "10");
        feed.push("stdout", &"é".repeat(MAX_LINE));
        let last = feed.subscribe(None, 1).backlog;
        assert!(last[0].line.len() <= MAX_LINE && last[0].line.starts_with('é'));
    }

    #[tokio::test]
    async fn live_lines_reach_a_subscriber_in_order() {
        let feed = LogFeed::new();
        let mut sub = feed.subscribe(None, 10);
        feed.push("stderr", "a");
        feed.push("stderr", "b");
        assert_eq!(sub.live.recv().await.unwrap().line, "a");
        assert_eq!(sub.live.recv().await.unwrap().line, "b");
    }
}
