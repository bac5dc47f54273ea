//! Accounts (the order database's breaker) and signed-in sessions (the cart service's) behind
//! their breakers, like the rest of the request paths.

use super::Guarded;
use crate::adapter::AdapterError;
use crate::cache::{FailureCounts, Sessions, SharedKeys};
use crate::cache::{Failures, NewSession, SessionInfo, SessionStore};
use crate::domain::{AccountId, SessionId};
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use async_trait::async_trait;
use std::time::Duration;

#[async_trait]
impl AccountStore for Guarded<dyn AccountStore> {
    async fn create(&self, account: &NewAccount<'_>) -> Result<Created, AdapterError> {
        self.call(self.adapter.create(account)).await
    }

    async fn by_login(&self, login: &str) -> Result<Option<AccountRecord>, AdapterError> {
        self.call(self.adapter.by_login(login)).await
    }

    async fn by_id(&self, id: AccountId) -> Result<Option<AccountRecord>, AdapterError> {
        self.call(self.adapter.by_id(id)).await
    }

    async fn signed_in(&self, id: AccountId, guest: &SessionId) -> Result<u64, AdapterError> {
        self.call(self.adapter.signed_in(id, guest)).await
    }
}

#[async_trait]
impl Sessions for Guarded<dyn SessionStore> {
    async fn open(&self, session: &NewSession<'_>) -> Result<(), AdapterError> {
        self.call(self.adapter.open(session)).await
    }

    async fn account_of(&self, digest: &str) -> Result<Option<AccountId>, AdapterError> {
        self.call(self.adapter.account_of(digest)).await
    }

    async fn sessions_of(&self, account: AccountId) -> Result<Vec<SessionInfo>, AdapterError> {
        self.call(self.adapter.sessions_of(account)).await
    }

    async fn end(&self, account: AccountId, digest: &str) -> Result<bool, AdapterError> {
        self.call(self.adapter.end(account, digest)).await
    }

    async fn end_all(&self, account: AccountId) -> Result<u32, AdapterError> {
        self.call(self.adapter.end_all(account)).await
    }

    async fn signed_in(&self) -> Result<u64, AdapterError> {
        self.call(self.adapter.signed_in()).await
    }
}

#[async_trait]
impl FailureCounts for Guarded<dyn SessionStore> {
    async fn count_failure(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<Failures>, AdapterError> {
        let count = self.adapter.count_failure(keys, window);
        self.call(count).await
    }

    async fn forget_failures(&self, key: &str) -> Result<(), AdapterError> {
        self.call(self.adapter.forget_failures(key)).await
    }

    async fn take_back_failure(&self, key: &str) -> Result<(), AdapterError> {
        self.call(self.adapter.take_back_failure(key)).await
    }
}

#[async_trait]
impl SharedKeys for Guarded<dyn SessionStore> {
    async fn shared_secret(&self, name: &str, fresh: &str) -> Result<String, AdapterError> {
        self.call(self.adapter.shared_secret(name, fresh)).await
    }

    async fn mark(&self, name: &str, ttl: Duration) -> Result<(), AdapterError> {
        self.call(self.adapter.mark(name, ttl)).await
    }

    async fn is_marked(&self, name: &str) -> Result<bool, AdapterError> {
        self.call(self.adapter.is_marked(name)).await
    }
}
