//! The shopper's session, from the `session_id` cookie. A missing or malformed cookie gives a
//! new session; the response then sets the cookie. A cookie shaped like a signed-in session's
//! is looked up, and a live one shops with its account's cart and orders.

use super::client;
use super::ApiError;
use crate::domain::{AccountId, SessionId};
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;

pub const COOKIE: &str = "session_id";
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

    fn new_guest(secure: bool) -> Session {
        let id = SessionId::new_random();
        Session {
            owner: id.clone(),
            id,
            is_new: true,
            account: None,
            secure,
        }
    }
}

fn set_cookie(mut resp: HttpResponse, id: &SessionId, secure: bool) -> HttpResponse {
    let cookie = Cookie::build(COOKIE, id.as_str().to_owned())
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
            .is_some_and(|s| client::over_https(req, &s.trusted_proxies));
        let existing = req.cookie(COOKIE).and_then(|c| SessionId::parse(c.value()));
        Box::pin(async move {
            let (Some(id), Some(state)) = (existing, state) else {
                return Ok(Session::new_guest(secure));
            };
            let account = state
                .accounts
                .who(&id)
                .await
                .map_err(|e| ApiError::unavailable("session_unavailable", e))?;
            Ok(Session {
                owner: account.map_or_else(|| id.clone(), SessionId::of_account),
                id,
                is_new: false,
                account,
                secure,
            })
        })
    }
}
