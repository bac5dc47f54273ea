//! The shopper's session, from the `session_id` cookie (`__Host-session_id` over HTTPS, which a
//! sibling site cannot set). Only ids the store issued are honoured: a guest's id carries a tag
//! made with the store's key, and a signed-in one must be live in the session store. Anything
//! else (missing, malformed, planted, expired) gives a new session, whose cookie the response
//! sets. A live signed-in session shops with its account's cart and orders.

use super::forwarded;
use super::ApiError;
use crate::domain::{AccountId, GuestKey, SessionId};
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;

pub const COOKIE: &str = "session_id";
/// The cookie's name over HTTPS: the prefix makes the browser refuse it from a sibling
/// subdomain or over plain HTTP, so no one can plant a session there.
pub const SECURE_COOKIE: &str = "__Host-session_id";
const COOKIE_DAYS: i64 = 30;

pub struct Session {
    /// The browser's session: the cookie's value.
    pub id: SessionId,
    /// No valid cookie came with the request: this session starts now.
    pub is_new: bool,
    /// The account the session is signed into.
    pub account: Option<AccountId>,
    /// Whose cart and orders this request acts on: the account's when signed in, else the
    /// browser session's own.
    pub owner: SessionId,
    /// The request came over HTTPS: a cookie set in answer gets `Secure`.
    pub secure: bool,
    /// What this store's guest ids are tagged with.
    pub key: GuestKey,
}

impl Session {
    /// Sets the cookie on `resp` when this session is new.
    pub fn attach(&self, resp: HttpResponse) -> HttpResponse {
        if self.is_new {
            set_cookie(resp, &self.id, self.secure)
        } else {
            resp
        }
    }

    /// Gives the browser `id` as its session from now on (signing in or out).
    pub fn replace_with(&self, resp: HttpResponse, id: &SessionId) -> HttpResponse {
        set_cookie(resp, id, self.secure)
    }

    /// The session an id some client sent stands for: its own when the store issued it, else
    /// a new, empty one.
    pub fn honoured(&self, raw: &str) -> SessionId {
        SessionId::parse(raw)
            .filter(|id| id.is_issued_guest(&self.key))
            .unwrap_or_else(SessionId::new_random)
    }

    fn new_guest(secure: bool, key: GuestKey) -> Session {
        let id = SessionId::new_guest(&key);
        Session {
            owner: id.clone(),
            id,
            is_new: true,
            account: None,
            secure,
            key,
        }
    }
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

fn set_cookie(mut resp: HttpResponse, id: &SessionId, secure: bool) -> HttpResponse {
    let cookie = Cookie::build(cookie_name(secure), id.as_str().to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::days(COOKIE_DAYS))
        .finish();
    if let Err(e) = resp.add_cookie(&cookie) {
        tracing::error!(error = %e, "could not set the session cookie");
    }
    resp
}

impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let secure = state
            .as_ref()
            .is_some_and(|s| forwarded::over_https(req, &s.access.trusted_proxies));
        let sent = req
            .cookie(cookie_name(secure))
            .and_then(|c| SessionId::parse(c.value()));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let unavailable = |e| ApiError::unavailable("session_unavailable", e);
            let key = state.shop.accounts.guest_key().await.map_err(unavailable)?;
            let Some(id) = sent else {
                return Ok(Session::new_guest(secure, key));
            };
            if id.is_issued_guest(&key) {
                return Ok(Session {
                    owner: id.clone(),
                    id,
                    is_new: false,
                    account: None,
                    secure,
                    key,
                });
            }
            match state.shop.accounts.who(&id).await.map_err(unavailable)? {
                Some(account) => Ok(Session {
                    owner: SessionId::of_account(account),
                    id,
                    is_new: false,
                    account: Some(account),
                    secure,
                    key,
                }),
                None => Ok(Session::new_guest(secure, key)),
            }
        })
    }
}
