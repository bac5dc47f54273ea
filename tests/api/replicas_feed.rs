//! A dashboard's live feed on one store, followed for the whole run as a browser would: read
//! while the store is up, opened again once it is back after a restart. Every event is kept
//! with when it arrived, and every stretch of time the feed was open, so the test can judge only
//! the orders placed while it was listening.

use crate::helpers::pace;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One event as it arrived.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub at: Duration,
    pub event: String,
    pub data: Value,
}

#[derive(Default)]
struct Seen {
    events: Vec<FeedEvent>,
    /// From when to when the feed was open; the last one has no end while it still is.
    open: Vec<(Duration, Option<Duration>)>,
}

#[derive(Clone, Default)]
pub struct Feed(Arc<Mutex<Seen>>);

impl Feed {
    /// Follows `url` until `stop` is set, reconnecting whenever the stream ends.
    pub fn follow(url: String, began: Instant, stop: Arc<AtomicBool>) -> Feed {
        let feed = Feed::default();
        let kept = feed.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                kept.read_once(&client, &url, began, &stop).await;
                pace(Duration::from_millis(50)).await; // then opened again, as a browser would
            }
        });
        feed
    }

    /// One connection, read until it ends (or until `stop`).
    async fn read_once(
        &self,
        client: &reqwest::Client,
        url: &str,
        began: Instant,
        stop: &AtomicBool,
    ) {
        let Ok(mut resp) = client.get(url).send().await else {
            return;
        };
        if resp.status() != 200 {
            return;
        }
        self.0.lock().unwrap().open.push((began.elapsed(), None));
        let mut buffer = String::new();
        while !stop.load(Ordering::Relaxed) {
            let chunk = tokio::time::timeout(Duration::from_millis(200), resp.chunk()).await;
            let bytes = match chunk {
                Err(_) => continue,
                Ok(Ok(Some(bytes))) => bytes,
                Ok(_) => break,
            };
            buffer.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block, began.elapsed()) {
                    self.0.lock().unwrap().events.push(event);
                }
            }
        }
        let mut seen = self.0.lock().unwrap();
        if let Some(last) = seen.open.last_mut() {
            last.1 = Some(began.elapsed());
        }
    }

    pub fn events(&self) -> Vec<FeedEvent> {
        self.0.lock().unwrap().events.clone()
    }

    /// Whether the feed was open for the whole of `[from, to]`.
    pub fn open_over(&self, from: Duration, to: Duration) -> bool {
        let seen = self.0.lock().unwrap();
        seen.open
            .iter()
            .any(|(start, end)| *start <= from && end.is_none_or(|end| end >= to))
    }

    /// How many times it was opened.
    pub fn connections(&self) -> usize {
        self.0.lock().unwrap().open.len()
    }
}

/// An `event:` with JSON `data:`; keep-alive comments and anything else are skipped.
fn parse(block: &str, at: Duration) -> Option<FeedEvent> {
    let field = |name: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
    };
    let (event, data) = (field("event:")?, field("data:")?);
    Some(FeedEvent {
        at,
        event: event.to_owned(),
        data: serde_json::from_str(data).ok()?,
    })
}
