//! Accounts (the order database's breaker) and signed-in sessions (the cart service's) behind
//! their breakers, like the rest of the request paths.

use super::Guarded;
use crate::adapter::AdapterError;
use crate::cache::{Failures, NewSession, SessionInfo, SessionStore};
use crate::domain::{AccountId, SessionId};
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use async_trait::async_trait;
use std::time::Duration;

#[async_trait]
impl AccountStore for Guarded<dyn AccountStore> {
    async fn create(&self, account: &NewAccount<'_>) -> Result<Created, AdapterError> {
        self.breaker.call(self.adapter.create(account)).await
    }

    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError> {
        self.breaker.call(self.adapter.by_login(login)).await
    }

    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError> {
        self.breaker.call(self.adapter.by_id(id)).await
    }

    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError> {
        self.breaker.call(self.adapter.signed_in(id, guest)).await
    }
}

#[async_trait]
impl SessionStore for Guarded<dyn SessionStore> {
    async fn open(&self, session: &NewSession<'_>) -> Result<(), AdapterError> {
        self.breaker.call(self.adapter.open(session)).await
    }

    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError> {
        self.breaker.call(self.adapter.account_of(digest)).await
    }

    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError> {
        self.breaker.call(self.adapter.sessions_of(account)).await
    }

    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError> {
        self.breaker.call(self.adapter.end(account, digest)).await
    }

    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError> {
        self.breaker.call(self.adapter.end_all(account)).await
    }

    async fn signed_in(&self) -> Result<u64, AdapterError> {
        self.breaker.call(self.adapter.signed_in()).await
    }

    async fn failures(&self, keys: &[String]) -> Result<Vec<Failures>, AdapterError> {
        self.breaker.call(self.adapter.failures(keys)).await
    }

    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        let count = self.adapter.count_failure(keys, window);
        self.breaker.call(count).await
    }

    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError> {
        self.breaker.call(self.adapter.forget_failures(key)).await
    }
}
