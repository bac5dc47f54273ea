//! Shopper accounts in the embedded file.

use super::{now_text, SqliteDb};
use crate::adapter::AdapterError;
use crate::domain::{AccountId, SessionId};
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

/// A taken login inserts nothing and returns no row.
const CREATE: &str = "INSERT INTO accounts (created_at, name, email, email_login, password_hash)
    VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (email_login) DO NOTHING RETURNING id";

const COLUMNS: &str = "SELECT id, name, email, password_hash FROM accounts";

#[async_trait]
impl AccountStore for SqliteDb {
    async fn create(&self, a: &NewAccount<'_>) -> Result<Created, AdapterError> {
        let row = (
            a.name.to_owned(),
            a.email.to_owned(),
            a.login.to_owned(),
            a.password_hash.to_owned(),
        );
        self.run(move |c| {
            let (name, email, login, hash) = row;
            let id: Option<i64> = c
                .query_row(CREATE, params![now_text(), name, email, login, hash], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(id.map_or(Created::EmailTaken, |id| Created::New(AccountId(id))))
        })
        .await
    }

    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError> {
        let login = login.to_owned();
        self.run(move |c| {
            let sql = format!("{COLUMNS} WHERE email_login = ?1");
            c.query_row(&sql, [login], record).optional()
        })
        .await
    }

    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError> {
        self.run(move |c| {
            let sql = format!("{COLUMNS} WHERE id = ?1");
            c.query_row(&sql, [id.0], record).optional()
        })
        .await
    }

    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError> {
        let guest = guest.as_str().to_owned();
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE accounts SET signed_in_at = ?1 WHERE id = ?2",
                params![now_text(), id.0],
            )?;
            let owner = SessionId::of_account(id);
            let moved = tx.execute(
                "UPDATE orders SET session_id = ?1 WHERE session_id = ?2",
                params![owner.as_str(), guest],
            )?;
            tx.commit()?;
            Ok(moved as u64)
        })
        .await
    }
}

fn record(row: &Row) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        id: AccountId(row.get(0)?),
        name: row.get(1)?,
        email: row.get(2)?,
        password_hash: row.get(3)?,
    })
}
