//! Shopper accounts: `POST /api/account` (sign up), `POST`/`DELETE /api/session` (sign in and
//! out), `GET /api/account`, the account's sessions, and `GET /api/shoppers` for the dashboard.
//! Signing in or up always gives the browser a new session id (no fixation); signing out gives
//! it a new guest one. Outcomes are counted for the metrics, never who.

mod sessions;

use super::session::Session;
use super::{forwarded, ApiError};
use crate::accounts::{device_label, AccountError, AccountHolder, Attempt, SignedIn};
use crate::domain::{AccountId, SessionId, SignUp};
use crate::metrics::OutcomeLabels;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/account").get(show).post(sign_up))
        .service(web::resource("/session").post(sign_in).delete(sign_out))
        .service(
            web::resource("/account/sessions")
                .get(sessions::list_sessions)
                .delete(sign_out_everywhere),
        )
        .service(web::resource("/account/sessions/{id}").delete(sessions::end_session))
        .service(web::resource("/shoppers").get(shoppers));
}

#[derive(Deserialize)]
struct SignUpBody {
    name: String,
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct SignInBody {
    email: String,
    password: String,
}

#[derive(Serialize)]
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

#[derive(Serialize)]
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

fn not_signed_in() -> ApiError {
    ApiError::NotSignedIn {
        code: "not_signed_in",
        message: "sign in to see your account".into(),
    }
}

fn signed_in_as(session: &Session) -> Result<AccountId, ApiError> {
    session.account.ok_or_else(not_signed_in)
}

/// Sessions live beside the carts: their outage is the session store's.
fn sessions_down(e: crate::adapter::AdapterError) -> ApiError {
    ApiError::unavailable("session_unavailable", e)
}

async fn show(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let id = signed_in_as(&session)?;
    let shopper = state
        .shop
        .accounts
        .shopper(id)
        .await
        .map_err(|e| ApiError::unavailable("accounts_unavailable", e))?;
    // A session outliving its account (deleted by retention) is a signed-out one.
    let shopper = shopper.ok_or_else(not_signed_in)?;
    Ok(HttpResponse::Ok().json(ShopperView::from(shopper)))
}

/// Signs this session out; the browser becomes a new, empty guest.
async fn sign_out(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let ended = match session.account {
        Some(id) => state
            .shop
            .accounts
            .sign_out(id, &session.id)
            .await
            .map_err(sessions_down)? as u32,
        None => 0,
    };
    let resp = HttpResponse::Ok().json(Ended { ended });
    Ok(session.replace_with(resp, &SessionId::new_guest(&session.key)))
}

async fn sign_out_everywhere(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let id = signed_in_as(&session)?;
    let ended = state
        .shop
        .accounts
        .sign_out_everywhere(id)
        .await
        .map_err(sessions_down)?;
    tracing::info!(account = id.0, ended, "shopper signed out everywhere");
    let resp = HttpResponse::Ok().json(Ended { ended });
    Ok(session.replace_with(resp, &SessionId::new_guest(&session.key)))
}

#[derive(Serialize)]
struct Shoppers {
    signed_in: u64,
}

/// How many accounts are signed in somewhere: a count, nobody's name.
async fn shoppers(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let signed_in = state
        .shop
        .accounts
        .signed_in_count()
        .await
        .map_err(sessions_down)?;
    Ok(HttpResponse::Ok().json(Shoppers { signed_in }))
}
