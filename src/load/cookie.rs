//! A shopper's session as the store issued it. The store honours only session ids it issued, so
//! a client never makes one up: it sends none at first, and keeps the one the first answer's
//! `Set-Cookie` gives it.

use parking_lot::Mutex;
use reqwest::header::{COOKIE, SET_COOKIE};

/// Shared by the requests of one shopper, some of them at once (a retried checkout).
#[derive(Default)]
pub struct SessionCookie(Mutex<Option<String>>);

impl SessionCookie {
    /// The request with the session's cookie, once the store has issued one.
    pub fn attach(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.0.lock().as_deref() {
            Some(pair) => request.header(COOKIE, pair),
            None => request,
        }
    }

    /// Keeps the session cookie an answer sets (the store's plain or `__Host-` one).
    pub fn learn(&self, resp: &reqwest::Response) {
        let set = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with("session_id=") || pair.starts_with("__Host-session_id="));
        if let Some(pair) = set {
            *self.0.lock() = Some(pair.to_owned());
        }
    }
}
