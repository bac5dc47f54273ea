//! The shopper's session, from the `session_id` cookie. A missing or malformed cookie gives a
//! new session; the response then sets the cookie.

use crate::domain::SessionId;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use std::future::{ready, Ready};

pub const COOKIE: &str = "session_id";
const COOKIE_DAYS: i64 = 30;

pub struct Session {
    pub id: SessionId,
    /// No valid cookie came with the request: this session starts now.
    pub is_new: bool,
}

impl Session {
    /// Sets the cookie on `resp` when this session is new.
    pub fn attach(&self, mut resp: HttpResponse) -> HttpResponse {
        if self.is_new {
            let cookie = Cookie::build(COOKIE, self.id.as_str().to_owned())
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(Duration::days(COOKIE_DAYS))
                .finish();
            if let Err(e) = resp.add_cookie(&cookie) {
                tracing::error!(error = %e, "could not set the session cookie");
            }
        }
        resp
    }
}

impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let existing = req.cookie(COOKIE).and_then(|c| SessionId::parse(c.value()));
        ready(Ok(match existing {
            Some(id) => Session { id, is_new: false },
            None => Session {
                id: SessionId::new_random(),
                is_new: true,
            },
        }))
    }
}
