//! Reads a server-sent event stream as a browser's EventSource would: events one at a time,
//! keep-alives skipped, the last id kept for `Last-Event-ID`.

use serde_json::Value;
use std::time::{Duration, Instant};

/// Reads server-sent events from a response, one `(event, data)` at a time.
pub struct EventReader {
    resp: reqwest::Response,
    buffer: String,
    /// The `id:` of the last event read, as a browser would send it back in `Last-Event-ID`.
    pub last_id: Option<String>,
}

impl EventReader {
    pub async fn open(url: &str) -> EventReader {
        EventReader::send(reqwest::Client::new().get(url)).await
    }

    /// Opens a stream with whatever headers the request carries (a token, `Last-Event-ID`).
    pub async fn send(request: reqwest::RequestBuilder) -> EventReader {
        let resp = request.send().await.expect("connect to the event stream");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        EventReader {
            resp,
            buffer: String::new(),
            last_id: None,
        }
    }

    /// The next event (keep-alive comments skipped), or `None` after `within`.
    pub async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::trim)
                };
                if let Some(id) = field("id:") {
                    self.last_id = Some(id.to_owned());
                }
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    return Some((
                        event.to_owned(),
                        serde_json::from_str(data).expect("JSON data"),
                    ));
                }
                continue;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let chunk = tokio::time::timeout(left, self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Skips events until one matches, failing after `within`.
    pub async fn until(&mut self, within: Duration, want: impl Fn(&str, &Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some((event, data)) if want(&event, &data) => return data,
                Some(_) => {}
                None => panic!("no matching event within {within:?}"),
            }
        }
    }
}
