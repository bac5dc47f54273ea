//! The admin token: `Authorization: Bearer <token>` or the cookie set by signing in. Wrong
//! tokens are counted per client (`ops::sign_in`): after a few, that client is answered 429
//! for a while, whatever it offers, and each wrong one is in the audit log.

use super::ApiError;
use crate::ops::audit::{Audited, SignInVia};
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};
use std::net::IpAddr;
use std::time::Instant;

const COOKIE: &str = "carstore_admin";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/login", web::post().to(login))
        .route("/admin/logout", web::post().to(logout));
}

/// Proof the request carries the admin token; names who asked, for the audit log.
pub struct Admin {
    pub who: String,
}

impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(admit(req).map_err(Into::into))
    }
}

/// A client locked out is refused before its token is looked at; a request without any token
/// is no guess and is not counted.
fn admit(req: &HttpRequest) -> Result<Admin, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Unauthorized)?;
    let client = req.peer_addr().map(|a| a.ip());
    refuse_if_locked_out(state, client)?;
    let bearer = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|token| (token.to_owned(), SignInVia::Bearer));
    let cookie = || {
        req.cookie(COOKIE)
            .map(|c| (c.value().to_owned(), SignInVia::Cookie))
    };
    let (token, via) = bearer.or_else(cookie).ok_or(ApiError::Unauthorized)?;
    check_token(state, client, &token, via)?;
    Ok(Admin {
        who: format!("admin from {}", address(client)),
    })
}

fn refuse_if_locked_out(state: &AppState, client: Option<IpAddr>) -> Result<(), ApiError> {
    let Some(ip) = client else { return Ok(()) };
    state
        .sign_ins
        .check(ip, Instant::now())
        .map_err(|wait| ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs_f64().ceil() as u64,
        })
}

/// A wrong token is counted against the client and audited; the one that locks the client
/// out says so in the audit.
fn check_token(
    state: &AppState,
    client: Option<IpAddr>,
    offered: &str,
    via: SignInVia,
) -> Result<(), ApiError> {
    if state.admin_token.matches(offered) {
        return Ok(());
    }
    let locked = client.and_then(|ip| state.sign_ins.failed(ip, Instant::now()));
    let result = match locked {
        Some(lockout) => format!("wrong token; locked out for {} s", lockout.as_secs()),
        None => "wrong token".to_owned(),
    };
    audit_sign_in(state, client, via, result);
    Err(ApiError::Unauthorized)
}

fn audit_sign_in(state: &AppState, client: Option<IpAddr>, via: SignInVia, result: String) {
    let who = format!("client from {}", address(client));
    state.audit.record(who, Audited::SignIn { via }, result);
}

fn address(client: Option<IpAddr>) -> String {
    client.map_or("?".into(), |ip| ip.to_string())
}

#[derive(Deserialize)]
struct Login {
    token: String,
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    let client = req.peer_addr().map(|a| a.ip());
    refuse_if_locked_out(&state, client)?;
    check_token(&state, client, &body.token, SignInVia::Login)?;
    audit_sign_in(&state, client, SignInVia::Login, "ok".to_owned());
    let cookie = Cookie::build(COOKIE, body.token.clone())
        .path("/api")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::hours(12))
        .finish();
    Ok(HttpResponse::Ok()
        .cookie(cookie)
        .json(AdminView { admin: true }))
}

async fn logout() -> HttpResponse {
    HttpResponse::Ok()
        .cookie(removal_cookie())
        .json(AdminView { admin: false })
}

/// Tells the browser to drop its admin cookie.
pub(super) fn removal_cookie() -> Cookie<'static> {
    let mut gone = Cookie::build(COOKIE, "").path("/api").finish();
    gone.make_removal();
    gone
}

/// Whether this browser now holds the admin cookie.
#[derive(Serialize)]
struct AdminView {
    admin: bool,
}
