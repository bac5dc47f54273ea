//! The admin: `Authorization: Bearer <token>`, or the session cookie that signing in sets
//! ([`AdminSessions`](crate::access::AdminSessions): the cookie never holds the token itself).
//!
//! Wrong tokens are counted per client (its forwarded address behind a trusted proxy) and over
//! all clients, in the session store, so every replica counts the same guesses; past either
//! limit a wrong token is answered 429 with `Retry-After` instead of 401, and each one is in the
//! audit log. The right token is always let in: a flood of wrong ones from an address the admin
//! shares (an ingress, Docker Desktop) cannot lock its holder out. What keeps a guesser out is
//! the token itself, which carstore refuses at start unless it is long and random-looking.

use super::openapi::{AdminOnly, BadRequest, TooLarge};
use super::{forwarded, ApiError};
use crate::access::{client_key, AdminSession, ADMIN_SESSION_LIFETIME};
use crate::accounts::over_limit;
use crate::ops::audit::{Audited, SignInVia};
use crate::state::AppState;
use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::{Duration, Instant};

const COOKIE: &str = "carstore_admin";
/// Wrong tokens from one client within [`WINDOW`]; more are answered 429.
pub const PER_CLIENT: u32 = 5;
/// Wrong tokens from all clients together within [`WINDOW`] (many addresses, many replicas).
pub const OVERALL: u32 = 50;
/// The window wrong tokens are counted in, from the first of them.
pub const WINDOW: Duration = Duration::from_secs(5 * 60);

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(state_of).service(login).service(logout);
}

/// Proof the request carries the admin token or a live admin session; names who asked, for the
/// audit log.
pub struct Admin {
    pub who: String,
    session: Option<AdminSession>,
}

impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let client = state
            .as_ref()
            .map(|s| forwarded::address(req, &s.access.trusted_proxies));
        let bearer = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_owned());
        Box::pin(async move {
            let (Some(state), Some(client)) = (state, client) else {
                return Err(ApiError::Unauthorized.into());
            };
            let who = format!("admin from {client}");
            if let Some(token) = bearer {
                check_token(&state, client, &token, SignInVia::Bearer).await?;
                return Ok(Admin { who, session: None });
            }
            let value = cookie.ok_or(ApiError::Unauthorized)?;
            let session = live_session(&state, &value)
                .await
                .ok_or(ApiError::Unauthorized)?;
            Ok(Admin {
                who,
                session: Some(session),
            })
        })
    }
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A session tagged with this token's key, not expired, and not signed out on any replica. When
/// the session store cannot say, this replica's own memory of sign-outs decides, so the
/// dashboard keeps working through a Redis outage.
async fn live_session(state: &AppState, value: &str) -> Option<AdminSession> {
    let now = now_unix();
    let session = state.access.admin_sessions.check(value, now)?;
    match state
        .shop
        .accounts
        .sessions
        .is_marked(&session.mark())
        .await
    {
        Ok(true) => {
            state.access.admin_sessions.end(&session, now);
            None
        }
        Ok(false) => Some(session),
        Err(e) => {
            tracing::warn!(error = %e, "admin session checked against this replica's sign-outs only");
            Some(session)
        }
    }
}

/// The right token passes; a wrong one is counted, audited, and answered 401, or 429 past a
/// limit.
async fn check_token(
    state: &AppState,
    client: IpAddr,
    offered: &str,
    via: SignInVia,
) -> Result<(), ApiError> {
    if state.access.admin_token.matches(offered) {
        return Ok(());
    }
    let wait = count_wrong(state, client).await;
    let result = match wait {
        Some(wait) => format!("wrong token; over the limit for {} s", wait.as_secs()),
        None => "wrong token".to_owned(),
    };
    audit_sign_in(state, client, via, result);
    Err(match wait {
        Some(wait) => ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs_f64().ceil() as u64,
        },
        None => ApiError::Unauthorized,
    })
}

/// Counts a wrong token where every replica sees it; this replica's memory when the session
/// store cannot be reached. How long the client must wait, when it is over a limit.
async fn count_wrong(state: &AppState, client: IpAddr) -> Option<Duration> {
    let keys = [
        format!("admin:client:{}", client_key(client)),
        "admin:all".to_owned(),
    ];
    match state
        .shop
        .accounts
        .sessions
        .count_failure(&keys, WINDOW)
        .await
    {
        Ok(counted) => over_limit(&counted, &[PER_CLIENT, OVERALL]),
        Err(e) => {
            tracing::warn!(error = %e, "wrong admin token counted on this replica only");
            let now = Instant::now();
            state.access.sign_ins.failed(client, now);
            state.access.sign_ins.check(client, now).err()
        }
    }
}

fn audit_sign_in(state: &AppState, client: IpAddr, via: SignInVia, result: String) {
    let who = format!("client from {client}");
    state
        .console
        .audit
        .record(who, Audited::SignIn { via }, result);
}

/// Whether this browser holds a live admin session: `{admin}`, read from its cookie alone
///
/// Public, and never asks a backing service: the cookie's tag, expiry and the sign-outs this
/// replica knows of decide (a sign-out on another replica that this one has not heard of shows
/// here only once an admin operation asks the session store). The `Authorization` header is
/// not read: checking a bearer token here would count a wrong one as a guess, as every admin
/// operation does, or else let anyone test tokens uncounted; a token holder signs in instead.
#[utoipa::path(
    operation_id = "adminState",
    responses((status = 200, description = "Whether the admin cookie holds a live session",
        body = AdminView)),
)]
#[get("/admin")]
async fn state_of(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let session = req.cookie(COOKIE);
    let admin = session.is_some_and(|c| {
        let sessions = &state.access.admin_sessions;
        sessions.check(c.value(), now_unix()).is_some()
    });
    HttpResponse::Ok().json(AdminView { admin })
}

#[derive(Deserialize, utoipa::ToSchema)]
struct Login {
    token: String,
}

/// Sign in to the dashboard: sets the HttpOnly admin cookie
#[utoipa::path(
    operation_id = "adminLogin",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = AdminView),
        (status = 400, response = BadRequest),
        AdminOnly,
        (status = 413, response = TooLarge),
    ),
)]
#[post("/admin/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    let client = forwarded::address(&req, &state.access.trusted_proxies);
    check_token(&state, client, &body.token, SignInVia::Login).await?;
    audit_sign_in(&state, client, SignInVia::Login, "ok".to_owned());
    let cookie = Cookie::build(COOKIE, state.access.admin_sessions.issue(now_unix()))
        .path("/api")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(forwarded::over_https(&req, &state.access.trusted_proxies))
        .max_age(CookieAge::seconds(ADMIN_SESSION_LIFETIME.as_secs() as i64))
        .finish();
    Ok(HttpResponse::Ok()
        .cookie(cookie)
        .json(AdminView { admin: true }))
}

/// Sign out: removes the admin cookie
///
/// Ends the session the cookie holds, on every replica (a bearer request has none to end).
#[utoipa::path(
    operation_id = "adminLogout",
    responses((status = 200, description = "Signed out", body = AdminView)),
)]
#[post("/admin/logout")]
async fn logout(state: web::Data<AppState>, admin: Admin) -> HttpResponse {
    if let Some(session) = &admin.session {
        let now = now_unix();
        state.access.admin_sessions.end(session, now);
        let marked = state
            .shop
            .accounts
            .sessions
            .mark(&session.mark(), session.left(now))
            .await;
        if let Err(e) = marked {
            tracing::warn!(error = %e, "admin sign-out known to this replica only");
        }
    }
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
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AdminState)]
struct AdminView {
    admin: bool,
}
