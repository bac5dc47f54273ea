//! Shopper accounts, in the order database beside the orders they own. The email is kept as
//! typed for showing, and lowercased as the login, which is unique.

use crate::adapter::AdapterError;
use crate::domain::{AccountId, SessionId};
use async_trait::async_trait;

/// An account as read back. `password_hash` is a PHC string; it never leaves the accounts code.
#[derive(Clone)]
pub struct AccountRecord {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    pub password_hash: String,
}

/// Not `Debug`-derived: the hash stays out of any log line that prints an account.
impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountRecord({})", self.id.0)
    }
}

/// A new account's row.
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub login: &'a str,
    pub password_hash: &'a str,
}

/// What a sign-up's insert found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New(AccountId),
    /// An account already has this login; nothing was written.
    EmailTaken,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create(&self, account: &NewAccount<'_>) -> Result<Created, AdapterError>;
    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError>;
    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError>;
    /// Notes the sign-in and gives the account the orders the browser placed as a guest
    /// (`guest`), so they stay in its history once the browser's session id changes. Returns
    /// how many orders moved.
    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError>;
}
