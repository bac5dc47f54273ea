//! The one error type handlers return, and the one place it becomes a status code.

use crate::adapter::AdapterError;
use crate::service::Service;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
pub(crate) use bodies::ErrorBody;
use bodies::ProbeDownBody;
use std::fmt;

/// Seconds a client is asked to wait before retrying a request a dependency outage refused.
pub const RETRY_AFTER_SECS: u32 = 3;

#[derive(Debug)]
pub enum ApiError {
    /// 400: malformed JSON, a missing field, or a request that cannot be acted on as sent.
    BadRequest { code: &'static str, message: String },
    /// 401: an admin action without the admin token.
    Unauthorized,
    /// 401: a shopper's account route without a signed-in session, or a sign-in that failed.
    NotSignedIn { code: &'static str, message: String },
    /// 429: too many failed sign-ins (admin tokens from this client, or a shopper's); refused
    /// unread for this many seconds.
    TooManyAttempts { retry_after_secs: u64 },
    /// 429: a limit other than failed sign-ins (sign-ups, live feeds), for this many seconds.
    Limited {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// 403: a state change sent from another site's page (a forged form or fetch).
    CrossSite,
    /// 415: a body that is not JSON where JSON is expected.
    NotJson,
    /// 409: the request conflicts with how things are set up.
    Conflict { code: &'static str, message: String },
    /// 404: no such thing (or not yours to see).
    NotFound { code: &'static str, message: String },
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 422: well-formed but invalid value.
    Invalid { code: &'static str, message: String },
    /// 503: a dependency is down; nothing was changed.
    Unavailable {
        code: &'static str,
        service: Service,
    },
    /// 503: a compat status probe got no answer; its body is `{<field>: "DOWN", error}`.
    ProbeDown {
        field: &'static str,
        message: String,
    },
    /// 503: `/readyz`: the service the store cannot work without is not answering.
    NotReady(Service),
    /// 503: `/readyz` after SIGTERM: this replica is stopping; load balancers should move on.
    Draining,
    /// 503: every password-hashing turn is taken and stayed taken; nothing was changed.
    Busy,
    /// 503: the service's control backend cannot be reached (the reason says where it looked).
    ControlUnavailable(String),
    /// 503: a store fault set on purpose (`/api/faults/store/errors`) failed this request.
    FaultInjected,
    /// 500: our own fault. The detail goes to the log, never to the client.
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            code,
            message: message.into(),
        }
    }

    /// An outage, answered with a code naming what the shopper cannot do right now.
    pub fn unavailable(code: &'static str, e: AdapterError) -> Self {
        match e {
            AdapterError::Unavailable { service, detail } => {
                tracing::warn!(%service, %detail, code, "request refused: service unavailable");
                ApiError::Unavailable { code, service }
            }
            AdapterError::Corrupt(detail) => ApiError::Internal(detail),
        }
    }

    /// The stable code, e.g. `cart_empty`: bounded, so it can label a metric.
    pub fn code(&self) -> &'static str {
        self.parts().1
    }

    /// The sentence the answer's body carries.
    pub fn message(&self) -> String {
        self.parts().2
    }

    /// The status, stable code and message: the only place these are decided.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest { code, message } => {
                (StatusCode::BAD_REQUEST, code, message.clone())
            }
            ApiError::NotFound { code, message } => (StatusCode::NOT_FOUND, code, message.clone()),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "admin_required",
                "sign in with the admin token first".into(),
            ),
            ApiError::NotSignedIn { code, message } => {
                (StatusCode::UNAUTHORIZED, code, message.clone())
            }
            ApiError::TooManyAttempts { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("too many failed sign-ins; try again in {retry_after_secs} s"),
            ),
            ApiError::Limited { code, message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, code, message.clone())
            }
            ApiError::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site_request",
                "this request came from another site's page and was refused".into(),
            ),
            ApiError::NotJson => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be JSON, sent as Content-Type: application/json".into(),
            ),
            ApiError::Conflict { code, message } => (StatusCode::CONFLICT, code, message.clone()),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this method is not allowed on this path".into(),
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "request body must be at most 64 KiB".into(),
            ),
            ApiError::Invalid { code, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, code, message.clone())
            }
            ApiError::Unavailable { code, service } => (
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                format!(
                    "{} is unavailable right now; nothing was changed, please retry shortly",
                    service.role()
                ),
            ),
            ApiError::ProbeDown { message, .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "service_down",
                message.clone(),
            ),
            ApiError::NotReady(service) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                format!("{} is not answering", service.role().to_lowercase()),
            ),
            ApiError::Draining => (
                StatusCode::SERVICE_UNAVAILABLE,
                "draining",
                "this replica is stopping; another replica takes its requests".into(),
            ),
            ApiError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the store is busy checking other sign-ins; nothing was changed, please retry shortly"
                    .into(),
            ),
            ApiError::ControlUnavailable(why) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "control_unavailable",
                format!("the control backend is unavailable: {why}"),
            ),
            ApiError::FaultInjected => (
                StatusCode::SERVICE_UNAVAILABLE,
                "fault_injected",
                "a fault set on purpose failed this request; nothing was changed, please retry"
                    .into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "something went wrong on our side".into(),
            ),
        }
    }
}

/// Adapter errors without a more specific code: the service decides it.
impl From<AdapterError> for ApiError {
    fn from(e: AdapterError) -> Self {
        let code = match &e {
            AdapterError::Unavailable { service, .. } => match service {
                Service::Postgres => "orders_unavailable",
                Service::Redis => "cart_unavailable",
                Service::Rabbit => "queue_unavailable",
            },
            AdapterError::Corrupt(detail) => return ApiError::Internal(detail.clone()),
        };
        ApiError::unavailable(code, e)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (status, code, message) = self.parts();
        write!(f, "{} {code}: {message}", status.as_u16())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, message) = self.parts();
        if let ApiError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
        let mut resp = HttpResponse::build(status);
        match self {
            ApiError::TooManyAttempts { retry_after_secs }
            | ApiError::Limited {
                retry_after_secs, ..
            } => {
                resp.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            // A wrong admin cookie is dropped, so a browser holding one from an earlier token
            // stops sending it and is not locked out for guessing.
            ApiError::Unauthorized => {
                resp.cookie(super::admin::removal_cookie());
            }
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                resp.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
            }
            _ => {}
        }
        match self {
            ApiError::ProbeDown { field, .. } => resp.json(ProbeDownBody {
                field,
                down: "DOWN",
                error: message,
            }),
            ApiError::NotReady(service) => resp.json(ErrorBody {
                error: code,
                message,
                dependency: Some(service.kind()),
            }),
            _ => resp.json(ErrorBody {
                error: code,
                message,
                dependency: None,
            }),
        }
    }
}

mod bodies;
mod json_body;

#[cfg(test)]
mod tests;
