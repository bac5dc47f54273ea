//! The audit log in the embedded file, so it outlives a restart.

use super::SqliteDb;
use crate::adapter::AdapterError;
use crate::store::audit::AuditEntry;
use crate::store::{AuditStore, Subject, KEPT_PER_KIND};
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Row};

const INSERT: &str =
    "INSERT INTO audit_log (id, at, instance, who, kind, service, action, via, result)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING";

const RECENT: &str = "
    SELECT * FROM (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
                   WHERE kind = 'control' ORDER BY at DESC, id DESC LIMIT ?1)
    UNION ALL
    SELECT * FROM (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
                   WHERE kind = 'sign_in' ORDER BY at DESC, id DESC LIMIT ?1)
    UNION ALL
    SELECT * FROM (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
                   WHERE kind = 'fault' ORDER BY at DESC, id DESC LIMIT ?1)";

/// Rows past the newest `?1` of their kind, `?2` at most.
const PAST_KEPT: &str = "DELETE FROM audit_log WHERE id IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY at DESC, id DESC) AS place
                    FROM audit_log)
    WHERE place > ?1 LIMIT ?2)";

/// A row read back whole, before its subject is checked (which is not a SQLite error).
type Columns = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

#[async_trait]
impl AuditStore for SqliteDb {
    async fn record(&self, entries: &[AuditEntry]) -> Result<(), AdapterError> {
        let entries = entries.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            {
                let mut insert = tx.prepare_cached(INSERT)?;
                for e in &entries {
                    let s = Subject::of(&e.what);
                    let at = e.at.to_rfc3339_opts(SecondsFormat::Micros, true);
                    insert.execute(params![
                        e.id, at, e.instance, e.who, s.kind, s.service, s.action, s.via, e.result
                    ])?;
                }
            }
            tx.commit()
        })
        .await
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, AdapterError> {
        let rows: Vec<Columns> = self
            .run(move |c| {
                let mut stmt = c.prepare_cached(RECENT)?;
                let rows = stmt.query_map([limit], columns)?;
                rows.collect()
            })
            .await?;
        Ok(Subject::readable(rows.into_iter().map(entry)))
    }
}

fn columns(r: &Row) -> rusqlite::Result<Columns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn entry(c: Columns) -> Result<AuditEntry, AdapterError> {
    let (id, at, instance, who, kind, service, action, via, result) = c;
    let what = Subject::read(&kind, service.as_deref(), action.as_deref(), via.as_deref())?;
    let at = DateTime::parse_from_rfc3339(&at)
        .map_err(|e| AdapterError::Corrupt(format!("audit_log time {at:?}: {e}")))?
        .with_timezone(&Utc);
    Ok(AuditEntry {
        id,
        at,
        instance,
        who,
        what,
        result,
    })
}

impl SqliteDb {
    /// The janitor's part: at most `limit` rows past the newest [`KEPT_PER_KIND`] of a kind.
    pub(super) async fn prune_audit_log(&self, limit: u32) -> Result<u64, AdapterError> {
        self.run(move |c| {
            c.prepare_cached(PAST_KEPT)?
                .execute(params![KEPT_PER_KIND, limit])
                .map(|n| n as u64)
        })
        .await
    }
}
