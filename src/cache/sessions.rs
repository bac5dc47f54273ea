//! Signed-in sessions and the failed sign-ins that limit them, kept beside the carts they key:
//! Redis in the full stack (every replica sees a sign-out at once), the embedded file otherwise.
//! A session is stored under its id's digest, never the id itself.

use crate::adapter::AdapterError;
use crate::domain::AccountId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// A session being signed in.
pub struct NewSession<'a> {
    pub digest: &'a str,
    pub account: AccountId,
    /// A coarse label for the sessions list ("Firefox on Linux"), never the raw user agent.
    pub device: &'a str,
    /// How long it lives, from now.
    pub lifetime: Duration,
    /// Sessions an account keeps at most; opening one more ends the oldest.
    pub most: usize,
}

/// One live session of an account.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub digest: String,
    pub device: String,
    pub created_at: DateTime<Utc>,
}

/// Failed sign-ins under one key, and how long its window still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub window_left: Duration,
}

/// What accounts keep beside the carts: signed-in sessions, failed sign-ins counted, and the
/// keys every replica shares.
pub trait SessionStore: Sessions + FailureCounts + SharedKeys {}

impl<T: Sessions + FailureCounts + SharedKeys> SessionStore for T {}

#[async_trait]
pub trait Sessions: Send + Sync {
    async fn open(&self, session: &NewSession<'_>) -> Result<(), AdapterError>;
    /// The account a live session is signed into; `None` for an unknown or ended one.
    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError>;
    /// The account's live sessions, oldest first.
    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError>;
    /// Ends one session of the account; `false` when it had no such session.
    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError>;
    /// Ends every session of the account; returns how many there were.
    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError>;
    /// Accounts with at least one live session.
    async fn signed_in(&self) -> Result<u64, AdapterError>;
}

#[async_trait]
pub trait FailureCounts: Send + Sync {
    /// Counts one more failure under each key; a key's window starts with its first failure.
    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError>;
    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError>;
    /// Takes one count back from `key` (an attempt counted up front that turned out right).
    async fn take_back_failure(&self, key: &str) -> Result<(), AdapterError>;
}

#[async_trait]
pub trait SharedKeys: Send + Sync {
    /// The value kept under `name`, `fresh` stored first when there was none: one value that
    /// every replica and every later start shares.
    async fn shared_secret(&self, name: &str, fresh: &str) -> Result<String, AdapterError>;
    /// Marks `name` for `ttl` (an admin session signed out before it expired).
    async fn mark(&self, name: &str, ttl: Duration) -> Result<(), AdapterError>;
    async fn is_marked(&self, name: &str) -> Result<bool, AdapterError>;
}
