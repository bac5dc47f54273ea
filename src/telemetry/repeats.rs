//! Warnings that repeat are printed once, then summarised. During an outage every refused
//! request would otherwise print its own WARN line, and the log a learner is trying to read
//! drowns in them. The first warning about a service (or from one module, when it names no
//! service) is printed whole; the ones after it are counted, and a summary line every
//! [`SUMMARY_EVERY`] says how many there were and of which kind. A service quiet for a whole
//! interval starts over: its next warning is printed whole again.

use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How often the counted repeats are summarised: at most one line per service per interval.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(5);
/// The summaries' own target, so they are never counted as repeats themselves.
const SUMMARY_TARGET: &str = "carstore::repeats";
/// Kinds of warning told apart in one summary; more distinct ones are counted as "other".
const KINDS_KEPT: usize = 8;
/// Services or code places tracked at once; past that, warnings are printed as they come.
const KEYS_KEPT: usize = 64;
/// A kind of warning is named by the start of its message.
const KIND_CHARS: usize = 80;

/// What is being counted for one service (or code place) since its first warning was printed.
#[derive(Default)]
struct Streak {
    /// Repeats counted in this interval, by kind of message.
    kinds: BTreeMap<String, u64>,
    /// Whether any warning arrived this interval; a silent interval ends the streak.
    active: bool,
}

/// The layer, and through [`Repeats::summarise`] the interval's summary.
#[derive(Clone, Default)]
pub struct Repeats {
    streaks: Arc<Mutex<HashMap<String, Streak>>>,
}

impl Repeats {
    /// Prints (as WARN lines of their own) the repeats counted since the last call, and forgets
    /// the services that had none. Called every [`SUMMARY_EVERY`] by a thread of its own.
    pub fn summarise(&self) {
        let lines: Vec<(String, u64, String)> = {
            let mut streaks = self.streaks.lock();
            streaks.retain(|_, streak| std::mem::take(&mut streak.active));
            streaks
                .iter_mut()
                .filter(|(_, streak)| !streak.kinds.is_empty())
                .map(|(key, streak)| {
                    let kinds = std::mem::take(&mut streak.kinds);
                    (key.clone(), kinds.values().sum(), describe(&kinds))
                })
                .collect()
        };
        for (key, count, kinds) in lines {
            tracing::warn!(
                target: SUMMARY_TARGET,
                about = %key,
                repeated = count,
                "{count} more warnings about {key} in the last {} s, counted, not printed: {kinds}",
                SUMMARY_EVERY.as_secs()
            );
        }
    }

    /// Starts the thread that prints a summary every interval; it lives as long as the process.
    pub fn summarise_every_interval(&self) {
        let repeats = self.clone();
        let _ = std::thread::Builder::new()
            .name("log-repeats".into())
            .spawn(move || loop {
                std::thread::sleep(SUMMARY_EVERY);
                repeats.summarise();
            });
    }

    /// Whether this warning is printed (the first of its streak) or only counted.
    fn first_of_streak(&self, key: String, kind: String) -> bool {
        let mut streaks = self.streaks.lock();
        if let Some(streak) = streaks.get_mut(&key) {
            streak.active = true;
            let other = streak.kinds.len() >= KINDS_KEPT && !streak.kinds.contains_key(&kind);
            *streak
                .kinds
                .entry(if other { "other".into() } else { kind })
                .or_default() += 1;
            return false;
        }
        if streaks.len() < KEYS_KEPT {
            streaks.insert(
                key,
                Streak {
                    kinds: BTreeMap::new(),
                    active: true,
                },
            );
        }
        true
    }
}

impl<S: Subscriber> Layer<S> for Repeats {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let meta = event.metadata();
        if *meta.level() != Level::WARN || meta.target() == SUMMARY_TARGET {
            return true;
        }
        let mut fields = KeyFields::default();
        event.record(&mut fields);
        let key = fields
            .service
            .or_else(|| service_of_library(meta.target()).map(str::to_owned))
            .unwrap_or_else(|| meta.target().to_owned());
        self.first_of_streak(key, fields.message)
    }
}

/// The drivers' own warnings name no service: their crate says which one they are about.
fn service_of_library(target: &str) -> Option<&'static str> {
    let crate_name = target.split("::").next().unwrap_or(target);
    match crate_name {
        "deadpool_postgres" | "tokio_postgres" | "deadpool" => Some("postgres"),
        "amqprs" => Some("rabbit"),
        _ if crate_name.starts_with("fred") => Some("redis"),
        _ => None,
    }
}

/// "300 × request refused: service unavailable, 12 × catalog cache unavailable".
fn describe(kinds: &BTreeMap<String, u64>) -> String {
    let mut text = String::new();
    for (i, (kind, count)) in kinds.iter().enumerate() {
        let _ = write!(text, "{}{count} × {kind}", if i > 0 { ", " } else { "" });
    }
    text
}

/// The two fields a warning is grouped by: the service it is about, and its message.
#[derive(Default)]
struct KeyFields {
    service: Option<String>,
    message: String,
}

impl Visit for KeyFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "service" => self.service = Some(value.chars().take(KIND_CHARS).collect()),
            "message" => self.message = value.chars().take(KIND_CHARS).collect(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if matches!(field.name(), "service" | "message") {
            let text = format!("{value:?}");
            self.record_str(field, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_warning_about_a_service_is_printed_and_the_rest_counted() {
        let repeats = Repeats::default();
        assert!(repeats.first_of_streak("redis".into(), "refused".into()));
        assert!(!repeats.first_of_streak("redis".into(), "refused".into()));
        assert!(!repeats.first_of_streak("redis".into(), "cache".into()));
        assert!(repeats.first_of_streak("postgres".into(), "refused".into()));
        let streaks = repeats.streaks.lock();
        assert_eq!(describe(&streaks["redis"].kinds), "1 × cache, 1 × refused");
    }

    #[test]
    fn a_quiet_interval_ends_the_streak_so_the_next_warning_is_printed_whole() {
        let repeats = Repeats::default();
        assert!(repeats.first_of_streak("redis".into(), "refused".into()));
        assert!(!repeats.first_of_streak("redis".into(), "refused".into()));
        repeats.summarise(); // the interval with repeats: summarised, streak kept
        assert!(!repeats.first_of_streak("redis".into(), "refused".into()));
        repeats.summarise();
        repeats.summarise(); // a quiet interval
        assert!(repeats.first_of_streak("redis".into(), "refused".into()));
    }

    #[test]
    fn kinds_and_keys_stay_bounded() {
        let repeats = Repeats::default();
        for i in 0..100 {
            repeats.first_of_streak("redis".into(), format!("kind {i}"));
            repeats.first_of_streak(format!("place {i}"), "x".into());
        }
        let streaks = repeats.streaks.lock();
        assert_eq!(streaks["redis"].kinds.len(), KINDS_KEPT + 1);
        assert!(streaks.len() <= KEYS_KEPT);
    }
}
