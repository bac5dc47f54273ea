//! Shopper accounts in Postgres.

use super::{db_error, PgStore};
use crate::adapter::AdapterError;
use crate::domain::{AccountId, SessionId};
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use async_trait::async_trait;
use tokio_postgres::Row;

/// A taken login inserts nothing and returns no row: no error to tell apart from an outage.
const CREATE: &str = "INSERT INTO accounts (name, email, email_login, password_hash)
    VALUES ($1, $2, $3, $4) ON CONFLICT (email_login) DO NOTHING RETURNING id";

const COLUMNS: &str = "SELECT id, name, email, password_hash FROM accounts";

#[async_trait]
impl AccountStore for PgStore {
    async fn create(&self, a: &NewAccount<'_>) -> Result<Created, AdapterError> {
        let client = self.client().await?;
        let row = client
            .query_opt(CREATE, &[&a.name, &a.email, &a.login, &a.password_hash])
            .await
            .map_err(db_error)?;
        Ok(match row {
            Some(row) => Created::New(AccountId(row.get(0))),
            None => Created::EmailTaken,
        })
    }

    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError> {
        let client = self.client().await?;
        let sql = format!("{COLUMNS} WHERE email_login = $1");
        let row = client.query_opt(&sql, &[&login]).await.map_err(db_error)?;
        Ok(row.as_ref().map(record))
    }

    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError> {
        let client = self.client().await?;
        let sql = format!("{COLUMNS} WHERE id = $1");
        let row = client.query_opt(&sql, &[&id.0]).await.map_err(db_error)?;
        Ok(row.as_ref().map(record))
    }

    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        tx.execute(
            "UPDATE accounts SET signed_in_at = now() WHERE id = $1",
            &[&id.0],
        )
        .await
        .map_err(db_error)?;
        let owner = SessionId::of_account(id);
        let moved = tx
            .execute(
                "UPDATE orders SET session_id = $1 WHERE session_id = $2",
                &[&owner.as_str(), &guest.as_str()],
            )
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(moved)
    }
}

fn record(row: &Row) -> AccountRecord {
    AccountRecord {
        id: AccountId(row.get(0)),
        name: row.get(1),
        email: row.get(2),
        password_hash: row.get(3),
    }
}
