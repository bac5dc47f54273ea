//! The signed-in side: the account, its sessions (`GET /api/account/sessions` lists them, the
//! current one marked; `DELETE /api/account/sessions/{id}` ends one), signing out, and the
//! count of signed-in shoppers.

use super::{not_signed_in, sessions_down, signed_in_as, Ended, ShopperView};
use crate::accounts::SessionView;
use crate::domain::SessionId;
use crate::http::openapi::{NotFound, NotSignedIn, SessionCookie, Unavailable};
use crate::http::session::Session;
use crate::http::ApiError;
use crate::state::AppState;
use actix_web::{delete, get, web, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(show)
        .service(sign_out)
        .service(list_sessions)
        .service(sign_out_everywhere)
        .service(end_session)
        .service(shoppers);
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountSession)]
struct SessionItem {
    id: String,
    device: String,
    created_at: chrono::DateTime<chrono::Utc>,
    current: bool,
}

impl From<SessionView> for SessionItem {
    fn from(s: SessionView) -> Self {
        SessionItem {
            id: s.id,
            device: s.device,
            created_at: s.created_at,
            current: s.current,
        }
    }
}

/// The account's signed-in sessions, oldest first
#[utoipa::path(
    operation_id = "listAccountSessions",
    params(SessionCookie),
    responses(
        (status = 200, description = "The sessions", body = [SessionItem]),
        (status = 401, response = NotSignedIn),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/account/sessions")]
async fn list_sessions(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let id = signed_in_as(&session)?;
    let sessions = state
        .shop
        .accounts
        .sessions(id, &session.id)
        .await
        .map_err(sessions_down)?;
    let items: Vec<SessionItem> = sessions.into_iter().map(SessionItem::from).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// End one session of the account
#[utoipa::path(
    operation_id = "endAccountSession",
    params(("id" = String, Path, description = "A session's id from the sessions list."),
        SessionCookie),
    responses(
        (status = 200, description = "The session ended", body = Ended),
        (status = 401, response = NotSignedIn),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
#[delete("/account/sessions/{id}")]
async fn end_session(
    state: web::Data<AppState>,
    session: Session,
    handle: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = signed_in_as(&session)?;
    let ended = state
        .shop
        .accounts
        .end_session(id, &handle)
        .await
        .map_err(sessions_down)?;
    if !ended {
        return Err(ApiError::not_found(
            "session_not_found",
            "this account has no such session",
        ));
    }
    Ok(HttpResponse::Ok().json(Ended { ended: 1 }))
}

/// The signed-in shopper
#[utoipa::path(
    operation_id = "getAccount",
    params(SessionCookie),
    responses(
        (status = 200, description = "Who is signed in", body = ShopperView),
        (status = 401, response = NotSignedIn),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/account")]
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

/// Sign this session out; the browser becomes a new guest
#[utoipa::path(
    operation_id = "signOut",
    params(SessionCookie),
    responses(
        (status = 200, description = "Sessions ended (0 when not signed in)", body = Ended),
        (status = 503, response = Unavailable),
    ),
)]
#[delete("/session")]
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

/// Sign out every session of the account, this one too
#[utoipa::path(
    operation_id = "signOutEverywhere",
    params(SessionCookie),
    responses(
        (status = 200, description = "Sessions ended", body = Ended),
        (status = 401, response = NotSignedIn),
        (status = 503, response = Unavailable),
    ),
)]
#[delete("/account/sessions")]
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

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Shoppers {
    signed_in: u64,
}

/// How many accounts are signed in somewhere (a count, nobody's name)
#[utoipa::path(
    operation_id = "countShoppers",
    responses(
        (status = 200, description = "The count", body = Shoppers),
        (status = 503, response = Unavailable),
    ),
)]
#[get("/shoppers")]
async fn shoppers(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let signed_in = state
        .shop
        .accounts
        .signed_in_count()
        .await
        .map_err(sessions_down)?;
    Ok(HttpResponse::Ok().json(Shoppers { signed_in }))
}
