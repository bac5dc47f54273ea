//! The audit log in Postgres, shared by every replica on the database.

use super::{db_error, PgStore};
use crate::adapter::AdapterError;
use crate::store::audit::AuditEntry;
use crate::store::{AuditStore, Subject, KEPT_PER_KIND};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

/// A batch as one statement, its columns as arrays: one round trip however many waited.
const INSERT: &str =
    "INSERT INTO audit_log (id, at, instance, who, kind, service, action, via, result)
    SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::text[], $9::text[])
    ON CONFLICT (id) DO NOTHING";

/// Each kind through the index on its newest rows.
const RECENT: &str = "
    (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
     WHERE kind = 'control' ORDER BY at DESC, id DESC LIMIT $1)
    UNION ALL
    (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
     WHERE kind = 'sign_in' ORDER BY at DESC, id DESC LIMIT $1)
    UNION ALL
    (SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log
     WHERE kind = 'fault' ORDER BY at DESC, id DESC LIMIT $1)";

/// Rows past the newest `$1` of their kind, `$2` at most. Two janitors (replicas, workers) at
/// once may pick the same rows: the second finds them gone, and nothing newer is ever picked.
const PAST_KEPT: &str = "DELETE FROM audit_log WHERE id = ANY(ARRAY(
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY at DESC, id DESC) AS place
                    FROM audit_log) ranked
    WHERE place > $1 LIMIT $2))";

#[async_trait]
impl AuditStore for PgStore {
    async fn record(&self, entries: &[AuditEntry]) -> Result<(), AdapterError> {
        let subjects: Vec<Subject> = entries.iter().map(|e| Subject::of(&e.what)).collect();
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        let ats: Vec<DateTime<Utc>> = entries.iter().map(|e| e.at).collect();
        let instances: Vec<&str> = entries.iter().map(|e| e.instance.as_str()).collect();
        let whos: Vec<&str> = entries.iter().map(|e| e.who.as_str()).collect();
        let kinds: Vec<&str> = subjects.iter().map(|s| s.kind).collect();
        let services: Vec<Option<&str>> = subjects.iter().map(|s| s.service).collect();
        let actions: Vec<Option<&str>> = subjects.iter().map(|s| s.action.as_deref()).collect();
        let vias: Vec<Option<&str>> = subjects.iter().map(|s| s.via.as_deref()).collect();
        let results: Vec<&str> = entries.iter().map(|e| e.result.as_str()).collect();
        let client = self.client().await?;
        client
            .execute(
                INSERT,
                &[
                    &ids, &ats, &instances, &whos, &kinds, &services, &actions, &vias, &results,
                ],
            )
            .await
            .map(drop)
            .map_err(db_error)
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, AdapterError> {
        let client = self.client().await?;
        let rows = client
            .query(RECENT, &[&i64::from(limit)])
            .await
            .map_err(db_error)?;
        Ok(Subject::readable(rows.iter().map(entry)))
    }
}

fn entry(row: &Row) -> Result<AuditEntry, AdapterError> {
    let what = Subject::read(row.get(4), row.get(5), row.get(6), row.get(7))?;
    Ok(AuditEntry {
        id: row.get(0),
        at: row.get(1),
        instance: row.get(2),
        who: row.get(3),
        what,
        result: row.get(8),
    })
}

impl PgStore {
    /// The janitor's part: at most `limit` rows past the newest [`KEPT_PER_KIND`] of a kind.
    pub(super) async fn prune_audit_log(&self, limit: u32) -> Result<u64, AdapterError> {
        let client = self.client().await?;
        client
            .execute(PAST_KEPT, &[&i64::from(KEPT_PER_KIND), &i64::from(limit)])
            .await
            .map_err(db_error)
    }
}
