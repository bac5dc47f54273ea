//! The guided scenario run on the feed: what `GET /api/scenarios/run` answers (or `null` before
//! any run), once on connect and again each time it changes. The runs say when they change, and
//! a change that leaves the view as it was sends nothing.

use crate::scenarios::ScenarioRuns;
use actix_web_lab::sse;
use futures_util::stream::{self, Stream};
use std::sync::Arc;

fn shown(runs: &ScenarioRuns) -> String {
    serde_json::to_string(&runs.view()).expect("a run serializes")
}

fn to_sse(view: &str) -> sse::Event {
    sse::Event::Data(sse::Data::new(view.to_owned()).event("scenario"))
}

/// The run as it stands, to send on connect, and the run each time it changes from then on.
pub fn follow(runs: Arc<ScenarioRuns>) -> (sse::Event, impl Stream<Item = sse::Event>) {
    // Subscribed before the first look, so a change in between is not missed.
    let changes = runs.changes();
    let first = shown(&runs);
    let now = to_sse(&first);
    let later = stream::unfold(
        (changes, first, runs),
        |(mut changes, last, runs)| async move {
            loop {
                changes.changed().await.ok()?;
                let view = shown(&runs);
                if view != last {
                    return Some((to_sse(&view), (changes, view, runs)));
                }
            }
        },
    );
    (now, later)
}
