//! The account's sessions: `GET /api/account/sessions` lists them (the current one marked),
//! `DELETE /api/account/sessions/{id}` ends one.

use super::{sessions_down, signed_in_as, Ended};
use crate::accounts::SessionView;
use crate::http::session::Session;
use crate::http::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
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

pub(super) async fn list_sessions(
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

pub(super) async fn end_session(
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
