//! Shopper accounts: `POST /api/account` (sign up), `POST`/`DELETE /api/session` (sign in and
//! out), `GET /api/account`, the account's sessions, and `GET /api/shoppers` for the dashboard.
//! Signing in or up always gives the browser a new session id (no fixation); signing out gives
//! it a new guest one. Outcomes are counted for the metrics, never who.

mod sessions;

use super::openapi::{rules, BadRequest, Conflict, Invalid, NotSignedIn, SessionCookie};
use super::openapi::{SignInLimited, TooLarge, TooManySignUps, Unavailable};
use super::session::Session;
use super::{forwarded, ApiError};
use crate::accounts::{device_label, AccountError, AccountHolder, Attempt, SignedIn};
use crate::domain::{AccountId, SignUp};
use crate::metrics::OutcomeLabels;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sign_up)
        .service(sign_in)
        .configure(sessions::configure);
}

#[derive(Deserialize, utoipa::ToSchema)]
struct SignUpBody {
    #[schema(schema_with = rules::customer_name)]
    name: String,
    #[schema(schema_with = rules::customer_email)]
    email: String,
    #[schema(schema_with = rules::password)]
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct SignInBody {
    email: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Shopper)]
struct ShopperView {
    name: String,
    email: String,
}

impl From<AccountHolder> for ShopperView {
    fn from(s: AccountHolder) -> Self {
        ShopperView {
            name: s.name,
            email: s.email,
        }
    }
}

/// How many sessions a sign-out ended.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Ended {
    ended: u32,
}

fn attempt<'a>(req: &HttpRequest, state: &AppState, session: &'a Session) -> Attempt<'a> {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Attempt {
        before: &session.id,
        signed_in_as: session.account,
        client: forwarded::address(req, &state.access.trusted_proxies),
        device: device_label(user_agent),
    }
}

fn count(state: &AppState, signing_up: bool, outcome: &'static str) {
    let family = if signing_up {
        &state.console.metrics.sign_ups
    } else {
        &state.console.metrics.sign_ins
    };
    family.get_or_create(&OutcomeLabels { outcome }).inc();
}

/// The failures' answers: one for an unknown email and a wrong password alike.
fn refusal(e: AccountError) -> (ApiError, &'static str) {
    match e {
        AccountError::EmailTaken => (
            ApiError::Conflict {
                code: "email_taken",
                message: "an account with this email already exists; sign in instead".into(),
            },
            "email_taken",
        ),
        AccountError::InvalidCredentials => (
            ApiError::NotSignedIn {
                code: "invalid_credentials",
                message: "that email and password do not match an account".into(),
            },
            "invalid_credentials",
        ),
        AccountError::TooManyAttempts(wait) => (
            ApiError::TooManyAttempts {
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            },
            "too_many_attempts",
        ),
        AccountError::TooManySignUps(wait) => (
            ApiError::Limited {
                code: "too_many_sign_ups",
                message: format!(
                    "too many sign-ups from this address; try again in {} s",
                    wait.as_secs_f64().ceil() as u64
                ),
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            },
            "limited",
        ),
        AccountError::Busy => (ApiError::Busy, "unavailable"),
        AccountError::Backend(e) => (
            ApiError::unavailable("accounts_unavailable", e),
            "unavailable",
        ),
    }
}

fn signed_in(
    session: &Session,
    status: actix_web::http::StatusCode,
    done: SignedIn,
) -> HttpResponse {
    let resp = HttpResponse::build(status).json(ShopperView::from(done.shopper));
    session.replace_with(resp, &done.session)
}

/// Make an account and sign in with it; the guest cart and orders join it
///
/// 422: invalid_name, invalid_email, invalid_password (nothing is stored); 409: email_taken
/// (emails are compared without regard to case).
#[utoipa::path(
    operation_id = "signUp",
    params(SessionCookie),
    request_body = SignUpBody,
    responses(
        (status = 201, description = "The account, signed in", body = ShopperView,
            headers(("Set-Cookie" = String, description = "session_id: a new id (HttpOnly; \
                SameSite=Lax; Secure over HTTPS from a trusted proxy)."))),
        (status = 429, response = TooManySignUps),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
#[post("/account")]
async fn sign_up(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<SignUpBody>,
) -> Result<HttpResponse, ApiError> {
    let form = SignUp::parse(&body.name, &body.email, &body.password).map_err(|(code, why)| {
        count(&state, true, "invalid");
        ApiError::invalid(code, why.0)
    })?;
    match state
        .shop
        .accounts
        .sign_up(form, &attempt(&req, &state, &session))
        .await
    {
        Ok(done) => {
            count(&state, true, "created");
            tracing::info!(account = done.account.0, "shopper account created");
            Ok(signed_in(
                &session,
                actix_web::http::StatusCode::CREATED,
                done,
            ))
        }
        Err(e) => {
            let (error, outcome) = refusal(e);
            count(&state, true, outcome);
            Err(error)
        }
    }
}

/// Sign in: a new session id, the guest cart merged into the account's
#[utoipa::path(
    operation_id = "signIn",
    params(SessionCookie),
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in", body = ShopperView,
            headers(("Set-Cookie" = String, description = "session_id: a new id (HttpOnly; \
                SameSite=Lax; Secure over HTTPS from a trusted proxy)."))),
        (status = 400, response = BadRequest),
        (status = 401, response = NotSignedIn),
        (status = 413, response = TooLarge),
        (status = 429, response = SignInLimited),
        (status = 503, response = Unavailable),
    ),
)]
#[post("/session")]
async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    let at = attempt(&req, &state, &session);
    match state
        .shop
        .accounts
        .sign_in(&body.email, &body.password, &at)
        .await
    {
        Ok(done) => {
            count(&state, false, "ok");
            tracing::info!(account = done.account.0, "shopper signed in");
            Ok(signed_in(&session, actix_web::http::StatusCode::OK, done))
        }
        Err(e) => {
            let (error, outcome) = refusal(e);
            count(&state, false, outcome);
            Err(error)
        }
    }
}

pub(super) fn not_signed_in() -> ApiError {
    ApiError::NotSignedIn {
        code: "not_signed_in",
        message: "sign in to see your account".into(),
    }
}

pub(super) fn signed_in_as(session: &Session) -> Result<AccountId, ApiError> {
    session.account.ok_or_else(not_signed_in)
}

/// Sessions live beside the carts: their outage is the session store's.
pub(super) fn sessions_down(e: crate::adapter::AdapterError) -> ApiError {
    ApiError::unavailable("session_unavailable", e)
}
