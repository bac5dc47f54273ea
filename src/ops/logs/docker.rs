//! A container's output, like `docker logs --follow`: the last lines first, then live, and on
//! again after the container stops and starts (the same container keeps one log).

use super::LogFeed;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Lines shown from before carstore started following.
const START_LINES: &str = "200";
/// How often a stopped (or missing) container is looked at again.
const RETRY: Duration = Duration::from_secs(1);

pub async fn follow_container(docker: Docker, container: String, feed: Arc<LogFeed>) {
    let mut follower = Follower {
        feed,
        last_seen: [None, None],
        last_note: String::new(),
        partial: [String::new(), String::new()],
    };
    loop {
        let newest = follower.last_seen.iter().flatten().max().copied();
        let options = LogsOptionsBuilder::new()
            .follow(true)
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .tail(if newest.is_some() { "all" } else { START_LINES })
            .since(newest.map_or(0, |t| t.timestamp() as i32))
            .build();
        let mut frames = docker.logs(&container, Some(options));
        while let Some(frame) = frames.next().await {
            match frame {
                Ok(LogOutput::StdErr { message }) => follower.frame(1, &message),
                Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                    follower.frame(0, &message)
                }
                Ok(LogOutput::StdIn { .. }) => {}
                Err(e) => {
                    follower.note(&format!("cannot follow container {container}: {e}"));
                    break;
                }
            }
        }
        follower.flush();
        tokio::time::sleep(RETRY).await;
    }
}

struct Follower {
    feed: Arc<LogFeed>,
    /// The newest line's time per stream: a new follow starts there (in whole seconds) and
    /// skips what was already shown.
    last_seen: [Option<DateTime<Utc>>; 2],
    /// Notes about the source are said once, not every retry.
    last_note: String,
    /// What came after the last newline, per stream (stdout, stderr): frames split lines anywhere.
    partial: [String; 2],
}

const STREAMS: [&str; 2] = ["stdout", "stderr"];

impl Follower {
    fn frame(&mut self, stream: usize, bytes: &[u8]) {
        self.partial[stream].push_str(&String::from_utf8_lossy(bytes));
        while let Some(end) = self.partial[stream].find('\n') {
            let line: String = self.partial[stream].drain(..=end).collect();
            self.line(stream, &line);
        }
    }

    fn flush(&mut self) {
        for stream in 0..2 {
            let rest = std::mem::take(&mut self.partial[stream]);
            if !rest.is_empty() {
                self.line(stream, &rest);
            }
        }
    }

    fn line(&mut self, stream: usize, line: &str) {
        let (ts, text) = split_timestamp(line);
        if let (Some(ts), Some(seen)) = (ts, self.last_seen[stream]) {
            if ts <= seen {
                return;
            }
        }
        if ts.is_some() {
            self.last_seen[stream] = ts;
        }
        self.last_note.clear();
        self.feed
            .push_at(ts.unwrap_or_else(Utc::now), STREAMS[stream], text);
    }

    fn note(&mut self, note: &str) {
        if self.last_note != note {
            self.feed.push("carstore", note);
            self.last_note = note.to_owned();
        }
    }
}

/// Docker puts an RFC 3339 time before each line when asked for timestamps.
fn split_timestamp(line: &str) -> (Option<DateTime<Utc>>, &str) {
    line.split_once(' ')
        .and_then(|(ts, rest)| Some((DateTime::parse_from_rfc3339(ts).ok()?.to_utc(), rest)))
        .map_or((None, line), |(ts, rest)| (Some(ts), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follower() -> Follower {
        Follower {
            feed: LogFeed::new(),
            last_seen: [None, None],
            last_note: String::new(),
            partial: [String::new(), String::new()],
        }
    }

    fn lines(f: &Follower) -> Vec<(String, &'static str)> {
        let sub = f.feed.subscribe(Some(0), 0);
        sub.backlog
            .iter()
            .map(|l| (l.line.clone(), l.stream))
            .collect()
    }

    #[test]
    fn frames_are_resplit_into_lines_per_stream() {
        let mut f = follower();
        f.frame(0, b"2026-01-01T00:00:00.1Z ready to ");
        f.frame(1, b"2026-01-01T00:00:00.2Z warn\n");
        f.frame(
            0,
            b"accept\n2026-01-01T00:00:00.3Z second\n2026-01-01T00:00:00.4Z tail",
        );
        f.flush();
        assert_eq!(
            lines(&f),
            [
                ("warn".to_owned(), "stderr"),
                ("ready to accept".to_owned(), "stdout"),
                ("second".to_owned(), "stdout"),
                ("tail".to_owned(), "stdout"),
            ]
        );
    }

    #[test]
    fn a_new_follow_skips_lines_already_shown() {
        let mut f = follower();
        f.frame(0, b"2026-01-01T00:00:01.5Z one\n");
        // Following again "since" whole seconds repeats the line: it is dropped.
        f.frame(
            0,
            b"2026-01-01T00:00:01.5Z one\n2026-01-01T00:00:01.50001Z two\n",
        );
        let shown: Vec<_> = lines(&f).into_iter().map(|(l, _)| l).collect();
        assert_eq!(shown, ["one", "two"]);
    }
}
