//! The log windows a feed follows: each window's lines the browser has not seen, then its live
//! lines, merged into one stream of `log` events whose id is the [`Cursor`]. A window that falls
//! behind or closes ends the whole feed (`None`): the browser reconnects with the cursor and
//! resumes every window, so no line is dropped unsaid.

use super::cursor::{Cursor, Position};
use super::refused;
use crate::http::logs::{to_sse, window, DEFAULT_TAIL};
use crate::ops::logs::{LogLine, Subscription};
use crate::state::AppState;
use actix_web_lab::sse;
use futures_util::stream::{self, LocalBoxStream, StreamExt};
use std::sync::Arc;

/// A line of window `at`, or `None`: the window fell behind or closed.
type Line = Option<(usize, Arc<LogLine>)>;

/// The windows asked for: a `refused` event for each without a log source, and the lines of the
/// others (`None` in it ends the feed). Subscribed at once, so nothing is missed meanwhile.
pub fn open(
    state: &AppState,
    asked: Vec<Position>,
) -> (Vec<sse::Event>, LocalBoxStream<'static, Option<sse::Event>>) {
    let mut refusals = Vec::new();
    let mut followed = Vec::new();
    let mut lines = Vec::new();
    for position in asked {
        match window(state, position.window) {
            Ok(feed) => {
                let sub = feed.subscribe(position.seen, DEFAULT_TAIL);
                lines.push(follow(followed.len(), sub));
                followed.push(position);
            }
            Err(e) => refusals.push(refused(serde_json::json!({
                "topic": "logs",
                "window": position.window,
                "error": e.code(),
                "message": e.message(),
            }))),
        }
    }
    let mut cursor = Cursor::new(followed);
    let events = stream::select_all(lines).map(move |line| {
        let (at, line) = line?;
        let id = cursor.sent(at, line.seq);
        Some(to_sse(&line, Some(cursor.window(at)), id))
    });
    (refusals, events.boxed_local())
}

/// One window: its backlog, then its live lines until it falls behind or closes.
fn follow(at: usize, sub: Subscription) -> LocalBoxStream<'static, Line> {
    let backlog = stream::iter(sub.backlog).map(move |line| Some((at, line)));
    let live = stream::unfold(Some(sub.live), move |rx| async move {
        let mut rx = rx?;
        match rx.recv().await {
            Ok(line) => Some((Some((at, line)), Some(rx))),
            Err(_) => Some((None, None)),
        }
    });
    backlog.chain(live).boxed_local()
}
