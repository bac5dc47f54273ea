use super::log::{newest_first, Held, KEEP};
use super::*;
use crate::breaker::Breaker;
use crate::calls::Gated;
use crate::service::{Service, ServiceAction};
use crate::store::sqlite::SqliteDb;
use crate::store::AuditStore;
use chrono::{DateTime, SubsecRound};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn entry(id: i64, secs: i64, what: Audited) -> AuditEntry {
    AuditEntry {
        id,
        at: DateTime::from_timestamp(1_000 + secs, 0).unwrap(),
        instance: "store-a".into(),
        who: "client from 192.0.2.1".into(),
        what,
        result: "wrong token".into(),
    }
}

fn sign_in(n: i64) -> AuditEntry {
    let via = SignInVia::Login;
    entry(n, n, Audited::SignIn { via })
}

fn control(n: i64) -> AuditEntry {
    let (service, action) = (Service::Redis, ServiceAction::Stop);
    entry(n, n, Audited::Control { service, action })
}

#[test]
fn wrong_tokens_never_push_control_actions_out_and_newest_come_first() {
    let mut held = Held::default();
    held.push(control(0));
    for n in 1..=(KEEP as i64 + 50) {
        held.push(sign_in(n));
    }
    let recent = newest_first(held.all(), KEEP);
    assert_eq!(recent.len(), KEEP + 1);
    assert_eq!(recent[0].at, sign_in(KEEP as i64 + 50).at);
    let json = serde_json::to_value(recent.last().unwrap()).unwrap();
    assert_eq!(json["kind"], "control");
    assert_eq!(json["action"], "stop");
    assert_eq!(json["service"], "redis");
    assert_eq!(json["instance"], "store-a");
    assert!(
        json.get("id").is_none(),
        "the row key is not the API's: {json}"
    );
    let json = serde_json::to_value(&recent[0]).unwrap();
    assert_eq!(json["kind"], "sign_in");
    assert_eq!(json["via"], "login");
}

#[test]
fn entries_wait_oldest_first_until_written_and_those_pushed_out_unwritten_are_counted() {
    let mut held = Held::default();
    for n in 1..=(KEEP as i64 + 3) {
        held.push(sign_in(n));
    }
    held.push(control(0));
    let waiting = held.waiting(2);
    assert_eq!(waiting, [control(0), sign_in(4)], "oldest first");
    assert_eq!(
        held.written(&waiting),
        3,
        "three sign-ins dropped unwritten"
    );
    assert_eq!(held.written(&[]), 0, "reported once");
    assert_eq!(held.waiting(1), [sign_in(5)]);
    assert_eq!(held.waiting(usize::MAX).len(), KEEP - 1);
    assert_eq!(held.all().len(), KEEP + 1, "written ones are still held");
}

#[test]
fn a_row_and_the_same_entry_still_waiting_are_shown_once_each_kind_bounded() {
    let rows = vec![sign_in(3), sign_in(2), control(1)];
    let waiting = vec![sign_in(3), sign_in(4)];
    let ids: Vec<i64> = newest_first(rows.iter().cloned().chain(waiting), KEEP)
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [4, 3, 2, 1]);
    let ids: Vec<i64> = newest_first(rows, 1).iter().map(|e| e.id).collect();
    assert_eq!(ids, [3, 1], "at most one of each kind, the newest");
}

#[test]
fn one_process_never_gives_two_entries_the_same_time_whatever_the_clock_does() {
    let mut held = Held::default();
    let now = DateTime::from_timestamp(1_000, 123_456_789).unwrap();
    let first = held.next_at(now);
    assert_eq!(
        first.timestamp_subsec_nanos(),
        123_456_000,
        "to the microsecond"
    );
    let again = held.next_at(now);
    let earlier = held.next_at(now - chrono::Duration::seconds(5));
    assert!(
        first < again && again < earlier,
        "{first} {again} {earlier}"
    );
    let later = now + chrono::Duration::seconds(1);
    assert_eq!(
        held.next_at(later),
        later.trunc_subsecs(6),
        "the clock again"
    );
}

#[test]
fn every_way_of_signing_in_is_listed_as_it_serializes() {
    for via in SignInVia::ALL {
        assert_eq!(serde_json::to_value(via).unwrap(), via.as_str());
        assert_eq!(SignInVia::from_name(via.as_str()), Some(via));
    }
}

/// Polls `check` every 20 ms for up to 5 s.
async fn eventually(what: &str, check: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn entries_wait_while_the_breaker_is_open_and_are_written_once_when_it_closes() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(SqliteDb::open(dir.path()).unwrap());
    let breakers = Breaker::per_service(&Arc::default());
    let guarded: Arc<dyn AuditStore> = Gated::new(db.clone() as _, breakers.postgres.clone());
    let log = AuditLog::new("store-a".into(), guarded);
    let writer = tokio::spawn(log.clone().write_behind());
    let via = SignInVia::Bearer;
    log.record(
        "client from 192.0.2.1".into(),
        Audited::SignIn { via },
        "wrong token".into(),
    );
    let rows = async || db.recent(KEEP as u32).await.unwrap().len();
    eventually("the first entry written", async || rows().await == 1).await;

    breakers.postgres.probe_failed();
    let (service, action) = (Service::Postgres, ServiceAction::Stop);
    log.record(
        "admin from 127.0.0.1".into(),
        Audited::Control { service, action },
        "ok".into(),
    );
    let started = Instant::now();
    let shown = log.recent().await;
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "answered from memory at once"
    );
    assert_eq!(shown.len(), 2, "what this process holds: {shown:?}");
    assert_eq!(shown[0].what.kind(), AuditKind::Control, "newest first");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rows().await, 1, "nothing written while the breaker is open");

    breakers.postgres.probe_passed();
    eventually("the waiting entry written", async || rows().await == 2).await;
    let shown = log.recent().await;
    let stored = newest_first(db.recent(KEEP as u32).await.unwrap(), KEEP);
    assert_eq!(shown, stored, "each once, as stored");
    assert_eq!(shown[0].instance, "store-a");
    writer.abort();
}
