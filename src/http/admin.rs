//! The admin token: `Authorization: Bearer <token>` or the cookie set by signing in.

use super::ApiError;
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};

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
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::Unauthorized.into()));
        };
        let bearer = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let offered = bearer.or_else(|| req.cookie(COOKIE).map(|c| c.value().to_owned()));
        let admitted = offered.is_some_and(|token| state.admin_token.matches(&token));
        let who = format!(
            "admin from {}",
            req.peer_addr().map_or("?".into(), |a| a.ip().to_string())
        );
        ready(if admitted {
            Ok(Admin { who })
        } else {
            Err(ApiError::Unauthorized.into())
        })
    }
}

#[derive(Deserialize)]
struct Login {
    token: String,
}

async fn login(
    state: web::Data<AppState>,
    body: web::Json<Login>,
) -> Result<HttpResponse, ApiError> {
    if !state.admin_token.matches(&body.token) {
        return Err(ApiError::Unauthorized);
    }
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
    let mut gone = Cookie::build(COOKIE, "").path("/api").finish();
    gone.make_removal();
    HttpResponse::Ok()
        .cookie(gone)
        .json(AdminView { admin: false })
}

/// Whether this browser now holds the admin cookie.
#[derive(Serialize)]
struct AdminView {
    admin: bool,
}
