//! Shopper accounts: signing up, in and out, and the sessions an account has. The account's
//! row lives in the order database; its signed-in sessions and the failed sign-ins counted
//! against it live beside the carts (Redis, or the embedded file). A signed-in browser shops
//! with the account's own cart and orders ([`SessionId::of_account`]), so every device signed
//! into the account sees the same ones.

mod device;
mod hashing;
pub mod limits;

pub use device::label as device_label;
pub use hashing::Hashing;

use crate::adapter::{AdapterError, Backoff};
use crate::cache::{CartStore, Failures, NewSession, SessionStore};
use crate::domain::{AccountId, Email, GuestKey, Password, SessionId, SignUp, MAX_LINE_QUANTITY};
use crate::store::{AccountRecord, AccountStore, Created, NewAccount};
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// A signed-in session lasts this long from its sign-in, as long as its cookie.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Sessions one account keeps at most: a sign-in past it ends the oldest.
pub const MOST_SESSIONS: usize = 10;
/// Hex digits of a session's digest shown as its handle in the sessions list.
const HANDLE_HEX: usize = 16;

/// Who is signed in, as the shopper sees it.
#[derive(Debug, Clone)]
pub struct AccountHolder {
    pub name: String,
    pub email: String,
}

impl From<AccountRecord> for AccountHolder {
    fn from(a: AccountRecord) -> Self {
        AccountHolder {
            name: a.name,
            email: a.email,
        }
    }
}

/// A sign-in or sign-up that worked: who, and the new session's id for the cookie.
pub struct SignedIn {
    pub account: AccountId,
    pub shopper: AccountHolder,
    pub session: SessionId,
}

/// Where a sign-in comes from.
pub struct Attempt<'a> {
    /// The browser's session before signing in: its guest cart and orders join the account.
    pub before: &'a SessionId,
    /// The account that session was signed into, if any: that session ends.
    pub signed_in_as: Option<AccountId>,
    pub client: IpAddr,
    /// The device's label for the sessions list ([`device_label`]).
    pub device: String,
}

/// One session in an account's list. `id` is a handle, not the session id.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: String,
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub current: bool,
}

#[derive(Debug)]
pub enum AccountError {
    EmailTaken,
    /// An unknown email or a wrong password: deliberately one answer.
    InvalidCredentials,
    TooManyAttempts(Duration),
    /// Too many sign-ups from this client; it may try again after this long.
    TooManySignUps(Duration),
    /// Too many passwords being hashed at once.
    Busy,
    Backend(AdapterError),
}

impl From<AdapterError> for AccountError {
    fn from(e: AdapterError) -> Self {
        AccountError::Backend(e)
    }
}

impl From<hashing::Busy> for AccountError {
    fn from(_: hashing::Busy) -> Self {
        AccountError::Busy
    }
}

pub struct Accounts {
    pub(crate) store: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) carts: Arc<dyn CartStore>,
    pub(crate) hashing: Hashing,
    /// Read from the session store once, then kept.
    pub(crate) guest_key: tokio::sync::OnceCell<GuestKey>,
}

impl Accounts {
    /// Reads (or makes) the guest id key as soon as the session store answers, so an outage
    /// later finds it known: a new shopper is then refused by what the request needs (the
    /// cart), not by the session.
    pub async fn learn_guest_key(self: Arc<Self>) {
        let mut wait = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        while let Err(e) = self.guest_key().await {
            tracing::debug!(error = %e, "the guest id key is not read yet");
            wait.wait().await;
        }
    }

    /// The key this store's guest ids are tagged with: made by the first replica that asks and
    /// kept in the session store for all of them.
    pub async fn guest_key(&self) -> Result<GuestKey, AdapterError> {
        let key = self
            .guest_key
            .get_or_try_init(|| async {
                let stored = self
                    .sessions
                    .shared_secret("guest_ids", &GuestKey::new_hex())
                    .await?;
                GuestKey::from_hex(&stored).ok_or_else(|| {
                    AdapterError::Corrupt("the stored guest id key is malformed".into())
                })
            })
            .await?;
        Ok(key.clone())
    }

    /// Counted against the client before anything is hashed; made or refused, it counts.
    pub async fn sign_up(&self, form: SignUp, at: &Attempt<'_>) -> Result<SignedIn, AccountError> {
        let key = [limits::sign_up_key(at.client)];
        let counted = self
            .sessions
            .count_failure(&key, limits::SIGN_UP_WINDOW)
            .await?;
        if let Some(wait) = over_limit(&counted, &[limits::SIGN_UPS_PER_CLIENT]) {
            return Err(AccountError::TooManySignUps(wait));
        }
        let login = form.email.login();
        let hash = self.hashing.hash(form.password).await?;
        let row = NewAccount {
            name: form.name.as_str(),
            email: form.email.as_str(),
            login: &login,
            password_hash: &hash,
        };
        let Created::New(id) = self.store.create(&row).await? else {
            return Err(AccountError::EmailTaken);
        };
        let shopper = AccountHolder {
            name: form.name.as_str().to_owned(),
            email: form.email.as_str().to_owned(),
        };
        self.start_session(id, shopper, at).await
    }

    /// Counts the attempt before the password is looked at, in one atomic step per counter, so
    /// a burst of parallel guesses cannot all pass a check made before any was counted; an
    /// attempt over a limit costs no hashing. Then the password (or the same work for an
    /// unknown email); a right one clears the email's count, takes back the client's, and
    /// starts a session.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        at: &Attempt<'_>,
    ) -> Result<SignedIn, AccountError> {
        let login = email.trim().to_lowercase();
        let keys = limits::keys(&login, at.client);
        let counted = self.sessions.count_failure(&keys, limits::WINDOW).await?;
        if let Some(wait) = over_limit(&counted, &limits::LIMITS) {
            return Err(AccountError::TooManyAttempts(wait));
        }
        // A login the email rules refuse (a NUL, which Postgres cannot even compare, among
        // them) names no account: answered as an unknown email is.
        let account = match Email::parse(&login) {
            Ok(_) => self.store.by_login(&login).await?,
            Err(_) => None,
        };
        let stored = account.as_ref().map(|a| a.password_hash.clone());
        let matches = self
            .hashing
            .check(Password::typed(password), stored)
            .await?;
        match account.filter(|_| matches) {
            Some(account) => {
                self.sessions.forget_failures(&keys[0]).await?;
                self.sessions.take_back_failure(&keys[1]).await?;
                self.start_session(account.id, account.into(), at).await
            }
            None => Err(AccountError::InvalidCredentials),
        }
    }

    /// The guest's orders and cart join the account, the session the browser had ends, and a
    /// new one starts under a new id.
    async fn start_session(
        &self,
        id: AccountId,
        shopper: AccountHolder,
        at: &Attempt<'_>,
    ) -> Result<SignedIn, AccountError> {
        self.store.signed_in(id, at.before).await?;
        let account_cart = SessionId::of_account(id);
        self.carts
            .merge(at.before, &account_cart, MAX_LINE_QUANTITY)
            .await?;
        if let Some(previous) = at.signed_in_as {
            self.sessions.end(previous, &at.before.digest()).await?;
        }
        let session = SessionId::new_signed_in();
        let new = NewSession {
            digest: &session.digest(),
            account: id,
            device: &at.device,
            lifetime: SESSION_LIFETIME,
            most: MOST_SESSIONS,
        };
        self.sessions.open(&new).await?;
        Ok(SignedIn {
            account: id,
            shopper,
            session,
        })
    }

    /// The account `session` is signed into. Only ids shaped like a signed-in session's are
    /// looked up: a guest's request costs no round trip.
    pub async fn who(&self, session: &SessionId) -> Result<Option<AccountId>, AdapterError> {
        if !session.may_be_signed_in() {
            return Ok(None);
        }
        self.sessions.account_of(&session.digest()).await
    }

    pub async fn shopper(&self, id: AccountId) -> Result<Option<AccountHolder>, AdapterError> {
        Ok(self.store.by_id(id).await?.map(AccountHolder::from))
    }

    pub async fn sign_out(&self, id: AccountId, session: &SessionId) -> Result<bool, AdapterError> {
        self.sessions.end(id, &session.digest()).await
    }

    pub async fn sign_out_everywhere(&self, id: AccountId) -> Result<u32, AdapterError> {
        self.sessions.end_all(id).await
    }

    pub async fn sessions(
        &self,
        id: AccountId,
        current: &SessionId,
    ) -> Result<Vec<SessionView>, AdapterError> {
        let current = current.digest();
        let sessions = self.sessions.sessions_of(id).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.digest[..HANDLE_HEX.min(s.digest.len())].to_owned(),
                current: s.digest == current,
                device: s.device,
                created_at: s.created_at,
            })
            .collect())
    }

    /// Ends the account's session shown as `handle`; `false` when it has none such.
    pub async fn end_session(&self, id: AccountId, handle: &str) -> Result<bool, AdapterError> {
        let sessions = self.sessions.sessions_of(id).await?;
        match sessions
            .iter()
            .find(|s| handle.len() == HANDLE_HEX && s.digest.starts_with(handle))
        {
            Some(s) => self.sessions.end(id, &s.digest).await,
            None => Ok(false),
        }
    }

    pub async fn signed_in_count(&self) -> Result<u64, AdapterError> {
        self.sessions.signed_in().await
    }
}

/// How long to wait when a counter, this attempt counted, is past its limit: the longest such
/// window left.
pub fn over_limit(counted: &[Failures], limits: &[u32]) -> Option<Duration> {
    counted
        .iter()
        .zip(limits)
        .filter(|(f, limit)| f.count > **limit)
        .map(|(f, _)| f.window_left.max(Duration::from_secs(1)))
        .max()
}
