//! Signed-in sessions and failed sign-ins in the embedded file, when the carts are embedded:
//! one process, one connection, so each change is atomic as in Redis. Expired rows are dropped
//! as new ones come, so neither table outgrows the live sessions and windows.

use super::{Failures, NewSession, SessionInfo};
use crate::adapter::AdapterError;
use crate::cache::{FailureCounts, Sessions, SharedKeys};
use crate::domain::AccountId;
use crate::service::Service;
use crate::store::sqlite::{now_text, SqliteDb};
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;

fn later(by: Duration) -> String {
    let then = Utc::now() + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
    then.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl SqliteDb {
    async fn on_sessions<T, F>(&self, work: F) -> Result<T, AdapterError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        // The file stands in for Redis here: an outage names the cart service.
        self.run_for(Service::Redis, work).await
    }
}

fn read_failures(c: &Connection, key: &str) -> rusqlite::Result<Failures> {
    let row: Option<(u32, i64)> = c
        .query_row(
            "SELECT count, until_ms FROM sign_in_failures WHERE key = ?1 AND until_ms > ?2",
            params![key, now_ms()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map_or(
        Failures {
            count: 0,
            window_left: Duration::ZERO,
        },
        |(count, until)| Failures {
            count,
            window_left: Duration::from_millis((until - now_ms()).max(0) as u64),
        },
    ))
}

#[async_trait]
impl Sessions for SqliteDb {
    async fn open(&self, s: &NewSession<'_>) -> Result<(), AdapterError> {
        let (digest, device) = (s.digest.to_owned(), s.device.to_owned());
        let (account, expires, most) = (s.account.0, later(s.lifetime), s.most as i64);
        self.on_sessions(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM account_sessions WHERE expires_at <= ?1",
                [now_text()],
            )?;
            tx.execute(
                "INSERT INTO account_sessions (digest, account_id, device, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![digest, account, device, now_text(), expires],
            )?;
            tx.execute(
                "DELETE FROM account_sessions WHERE account_id = ?1 AND digest NOT IN (
                   SELECT digest FROM account_sessions WHERE account_id = ?1
                   ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
                params![account, most],
            )?;
            tx.commit()
        })
        .await
    }

    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError> {
        let digest = digest.to_owned();
        self.on_sessions(move |c| {
            c.query_row(
                "SELECT account_id FROM account_sessions WHERE digest = ?1 AND expires_at > ?2",
                params![digest, now_text()],
                |r| r.get(0).map(AccountId),
            )
            .optional()
        })
        .await
    }

    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError> {
        self.on_sessions(move |c| {
            let mut rows = c.prepare(
                "SELECT digest, device, created_at FROM account_sessions
                 WHERE account_id = ?1 AND expires_at > ?2 ORDER BY created_at, rowid",
            )?;
            let sessions = rows.query_map(params![account.0, now_text()], |r| {
                let created: String = r.get(2)?;
                Ok(SessionInfo {
                    digest: r.get(0)?,
                    device: r.get(1)?,
                    created_at: DateTime::parse_from_rfc3339(&created)
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or_default(),
                })
            })?;
            sessions.collect()
        })
        .await
    }

    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError> {
        let digest = digest.to_owned();
        self.on_sessions(move |c| {
            c.execute(
                "DELETE FROM account_sessions WHERE account_id = ?1 AND digest = ?2",
                params![account.0, digest],
            )
            .map(|n| n == 1)
        })
        .await
    }

    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError> {
        self.on_sessions(move |c| {
            c.execute(
                "DELETE FROM account_sessions WHERE account_id = ?1 AND expires_at > ?2",
                params![account.0, now_text()],
            )
            .map(|n| n as u32)
        })
        .await
    }

    async fn signed_in(&self) -> Result<u64, AdapterError> {
        self.on_sessions(|c| {
            c.query_row(
                "SELECT COUNT(DISTINCT account_id) FROM account_sessions WHERE expires_at > ?1",
                [now_text()],
                |r| r.get(0),
            )
        })
        .await
    }
}

#[async_trait]
impl FailureCounts for SqliteDb {
    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        let keys = keys.to_vec();
        let until = now_ms() + window.as_millis() as i64;
        self.on_sessions(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM sign_in_failures WHERE until_ms <= ?1",
                [now_ms()],
            )?;
            for key in &keys {
                tx.execute(
                    "INSERT INTO sign_in_failures (key, count, until_ms) VALUES (?1, 1, ?2)
                     ON CONFLICT (key) DO UPDATE SET count = count + 1",
                    params![key, until],
                )?;
            }
            let counted = keys.iter().map(|k| read_failures(&tx, k)).collect();
            tx.commit()?;
            counted
        })
        .await
    }

    async fn take_back_failure(&self, key: &str) -> Result<(), AdapterError> {
        let key = key.to_owned();
        self.on_sessions(move |c| {
            c.execute(
                "UPDATE sign_in_failures SET count = count - 1 WHERE key = ?1 AND count > 0",
                [key],
            )
            .map(drop)
        })
        .await
    }

    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError> {
        let key = key.to_owned();
        self.on_sessions(move |c| {
            c.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])
                .map(drop)
        })
        .await
    }
}

#[async_trait]
impl SharedKeys for SqliteDb {
    async fn shared_secret(&self, name: &str, fresh: &str) -> Result<String, AdapterError> {
        let (name, fresh) = (name.to_owned(), fresh.to_owned());
        self.on_sessions(move |c| {
            c.execute(
                "INSERT INTO store_secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                params![name, fresh],
            )?;
            c.query_row(
                "SELECT value FROM store_secrets WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn mark(&self, name: &str, ttl: Duration) -> Result<(), AdapterError> {
        let (name, until) = (name.to_owned(), now_ms() + ttl.as_millis() as i64);
        self.on_sessions(move |c| {
            c.execute("DELETE FROM marks WHERE until_ms <= ?1", [now_ms()])?;
            c.execute(
                "INSERT INTO marks (name, until_ms) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET until_ms = excluded.until_ms",
                params![name, until],
            )
            .map(drop)
        })
        .await
    }

    async fn is_marked(&self, name: &str) -> Result<bool, AdapterError> {
        let name = name.to_owned();
        self.on_sessions(move |c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM marks WHERE name = ?1 AND until_ms > ?2)",
                params![name, now_ms()],
                |r| r.get(0),
            )
        })
        .await
    }
}
