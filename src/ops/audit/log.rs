//! The audit log as the admin side uses it. `record` never makes a request wait on the order
//! database, nor fail because of it: the entry is held here and a background task
//! ([`AuditLog::write_behind`]) writes it, retrying while the database is away (an admin may
//! just have stopped it from the dashboard). `recent` reads the database and adds what still
//! waits here; when the database cannot be read it shows what this process holds instead.

use super::{AuditEntry, AuditKind, Audited};
use crate::adapter::Backoff;
use crate::store::AuditStore;
use chrono::{DateTime, SubsecRound, Utc};
use parking_lot::Mutex;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Entries of each kind this process holds: those waiting to be written (so at most this many
/// wait; older ones are dropped, and that is logged) and the latest written, shown when the
/// database cannot be read. Also the most of each kind `recent` answers.
pub(super) const KEEP: usize = 200;
/// Entries written per statement, so a backlog after an outage goes in a few round trips.
const BATCH: usize = 100;
/// How long `recent` waits for the database before answering with what this process holds:
/// an admin page must not hang on a database that stopped answering mid-query.
const READ_WAIT: Duration = Duration::from_secs(2);
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(2);

pub struct AuditLog {
    /// Named in every entry this process records.
    instance: String,
    /// The `audit_log` table, behind the order database's breaker.
    store: Arc<dyn AuditStore>,
    held: Mutex<Held>,
    /// Wakes the writer when an entry is recorded.
    recorded: Notify,
}

impl AuditLog {
    /// A log whose entries name `instance`; `write_behind` must run for them to reach `store`.
    pub fn new(instance: String, store: Arc<dyn AuditStore>) -> Arc<AuditLog> {
        Arc::new(AuditLog {
            instance,
            store,
            held: Mutex::default(),
            recorded: Notify::new(),
        })
    }

    /// Notes an entry: in the log lines at once, in the database as soon as it answers.
    pub fn record(&self, who: String, what: Audited, result: String) {
        log_line(&who, &what, &result);
        {
            let mut held = self.held.lock();
            let entry = AuditEntry {
                id: rand::random(),
                at: held.next_at(Utc::now()),
                instance: self.instance.clone(),
                who,
                what,
                result,
            };
            held.push(entry);
        }
        self.recorded.notify_one();
    }

    /// Newest first, each entry once: the database's latest of each kind (every replica's)
    /// with this process's entries still waiting; or, when the database cannot be read, what
    /// this process holds.
    pub async fn recent(&self) -> Vec<AuditEntry> {
        // Taken before the read: an entry written meanwhile is then in both (and shown once),
        // never in neither.
        let (waiting, held) = {
            let held = self.held.lock();
            (held.waiting(usize::MAX), held.all())
        };
        let read = tokio::time::timeout(READ_WAIT, self.store.recent(KEEP as u32)).await;
        let error = match read {
            Ok(Ok(rows)) => return newest_first(rows.into_iter().chain(waiting), KEEP),
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {READ_WAIT:?}"),
        };
        tracing::debug!(%error, "audit log: the database cannot be read, showing this process's entries");
        newest_first(held, KEEP)
    }

    /// Writes waiting entries, oldest first, for as long as the store runs; an outage only
    /// makes them wait (and the breaker refuses at once meanwhile, so waiting costs nothing).
    /// Entries still waiting when the process stops are lost, but for their log lines.
    pub async fn write_behind(self: Arc<Self>) {
        let mut retry = Backoff::new(RETRY_FIRST, RETRY_MAX);
        loop {
            let batch = self.held.lock().waiting(BATCH);
            if batch.is_empty() {
                self.recorded.notified().await;
                continue;
            }
            match self.store.record(&batch).await {
                Ok(()) => {
                    let dropped = self.held.lock().written(&batch);
                    if !retry.is_fresh() {
                        tracing::info!("audit entries written: the order database answers again");
                    }
                    if dropped > 0 {
                        tracing::warn!(dropped, "audit entries dropped unwritten: more than {KEEP} of a kind waited for the database");
                    }
                    retry.reset();
                }
                Err(e) => {
                    if retry.is_fresh() {
                        tracing::warn!(error = %e, "audit entries wait for the order database");
                    }
                    retry.wait().await;
                }
            }
        }
    }

    /// On the way out: one more try to write what waits, so an action taken just before a stop
    /// (a rolling restart) is in the shared history. Bounded by `within`; a database that does
    /// not answer by then keeps only the log lines.
    pub async fn flush(&self, within: std::time::Duration) {
        let batch = self.held.lock().waiting(BATCH);
        if batch.is_empty() {
            return;
        }
        if let Ok(Ok(())) = tokio::time::timeout(within, self.store.record(&batch)).await {
            self.held.lock().written(&batch);
        }
    }
}

fn log_line(who: &str, what: &Audited, result: &str) {
    match what {
        Audited::Control { service, action } => {
            tracing::info!(
                who,
                service = service.as_str(),
                action = action.as_str(),
                result,
                "control action"
            )
        }
        Audited::SignIn { via } => {
            tracing::info!(who, via = via.as_str(), result, "admin sign-in")
        }
        Audited::Fault { target, change } => {
            let target = target.map_or("all", |t| t.as_str());
            let change = change.to_text();
            tracing::info!(who, target, change, result, "fault changed")
        }
    }
}

/// What this process recorded, each kind apart and bounded.
#[derive(Default)]
pub(super) struct Held {
    control: VecDeque<Kept>,
    sign_in: VecDeque<Kept>,
    fault: VecDeque<Kept>,
    /// The latest time given to an entry.
    last_at: Option<DateTime<Utc>>,
    /// Entries pushed out before the database took them, not yet reported.
    dropped: u64,
}

struct Kept {
    entry: AuditEntry,
    written: bool,
}

impl Held {
    /// `now` to the microsecond (what Postgres keeps, so an entry reads back as it was shown),
    /// and always after the time given before: one process's entries never tie, and keep the
    /// order they were recorded in whatever the clock does.
    pub(super) fn next_at(&mut self, now: DateTime<Utc>) -> DateTime<Utc> {
        let now = now.trunc_subsecs(6);
        let at = match self.last_at {
            Some(last) if now <= last => last + chrono::Duration::microseconds(1),
            _ => now,
        };
        self.last_at = Some(at);
        at
    }

    pub(super) fn push(&mut self, entry: AuditEntry) {
        let kept = match entry.what.kind() {
            AuditKind::Control => &mut self.control,
            AuditKind::SignIn => &mut self.sign_in,
            AuditKind::Fault => &mut self.fault,
        };
        if kept.len() == KEEP && kept.pop_front().is_some_and(|old| !old.written) {
            self.dropped += 1;
        }
        kept.push_back(Kept {
            entry,
            written: false,
        });
    }

    /// Up to `limit` entries not yet written, oldest first.
    pub(super) fn waiting(&self, limit: usize) -> Vec<AuditEntry> {
        let mut waiting: Vec<_> = self.kept().filter(|k| !k.written).collect();
        waiting.sort_by_key(|k| k.entry.at);
        waiting
            .into_iter()
            .take(limit)
            .map(|k| k.entry.clone())
            .collect()
    }

    /// Marks `batch` written; returns how many were dropped unwritten since last asked.
    pub(super) fn written(&mut self, batch: &[AuditEntry]) -> u64 {
        let ids: HashSet<i64> = batch.iter().map(|e| e.id).collect();
        let all = self.control.iter_mut().chain(self.sign_in.iter_mut());
        for kept in all.chain(self.fault.iter_mut()) {
            kept.written |= ids.contains(&kept.entry.id);
        }
        std::mem::take(&mut self.dropped)
    }

    pub(super) fn all(&self) -> Vec<AuditEntry> {
        self.kept().map(|k| k.entry.clone()).collect()
    }

    fn kept(&self) -> impl Iterator<Item = &Kept> {
        self.control.iter().chain(&self.sign_in).chain(&self.fault)
    }
}

/// Newest first, each entry once (a row read back and the same entry still waiting here), at
/// most `per_kind` of each kind.
pub(super) fn newest_first(
    entries: impl IntoIterator<Item = AuditEntry>,
    per_kind: usize,
) -> Vec<AuditEntry> {
    let mut all: Vec<_> = entries.into_iter().collect();
    all.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
    let mut seen = HashSet::new();
    let (mut controls, mut sign_ins, mut faults) = (0, 0, 0);
    all.retain(|e| {
        let count = match e.what.kind() {
            AuditKind::Control => &mut controls,
            AuditKind::SignIn => &mut sign_ins,
            AuditKind::Fault => &mut faults,
        };
        let keep = *count < per_kind && seen.insert(e.id);
        *count += usize::from(keep);
        keep
    });
    all
}
