use super::openapi::{rules, BadRequest, Invalid, SessionCookie, TooLarge, Unavailable};
use super::session::Session;
use super::ApiError;
use crate::domain::{CustomerName, Email, IdempotencyKey, SessionId};
use crate::metrics::ReasonLabels;
use crate::orders::{CheckoutError, CheckoutRequest};
use crate::state::AppState;
use crate::store::Placed;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(checkout);
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CheckoutBody {
    #[schema(schema_with = rules::customer_name)]
    customer_name: String,
    #[schema(schema_with = rules::customer_email)]
    customer_email: String,
    /// Older clients send the session here; absent or null means the cookie's.
    #[serde(default)]
    session_id: Option<String>,
}

/// The client's name for this attempt: 1 to 200 visible ASCII characters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct Attempt {
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 200,
        pattern = "^[!-~]+$"
    )]
    idempotency_key: Option<String>,
}

/// Place an order from this session's cart (compat)
///
/// Prices come from the catalog, never from the client. A retry with the same Idempotency-Key
/// and session returns the same order and creates nothing. 400: no_session, cart_empty,
/// invalid_idempotency_key; 422: invalid_customer_name, invalid_customer_email; 503:
/// orders_unavailable (the cart is kept).
#[utoipa::path(
    operation_id = "checkout",
    params(SessionCookie, Attempt),
    request_body = CheckoutBody,
    responses(
        (status = 201, description = "The order was placed (or was already, for this key)",
            body = Created, links(
            ("order" = (operation_id = "getOrder", parameters(
                ("path.id" = "$response.body#/order_id"),
                ("cookie.session_id" = "$request.body#/session_id"),
            ))),
            ("orders" = (operation_id = "listOrders", parameters(
                ("cookie.session_id" = "$request.body#/session_id"),
            ))),
        )),
        (status = 400, response = BadRequest),
        (status = 409, description = "checkout_in_progress: another checkout of this cart \
            (without this one's Idempotency-Key) holds it right now", body = super::error::ErrorBody),
        (status = 413, response = TooLarge),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
#[post("/checkout")]
async fn checkout(
    state: web::Data<AppState>,
    req: HttpRequest,
    cookie: Session,
    body: web::Json<CheckoutBody>,
) -> Result<HttpResponse, ApiError> {
    let placed = place(&state, &req, &cookie, body.into_inner()).await;
    let id = match placed {
        Ok(Placed::New(id)) => {
            state.console.metrics.orders_created.inc();
            id
        }
        // Only a repeat answered with the order already made is a suppressed duplicate. That
        // covers a retry that resumed a claim held under its own key (a try still running, or
        // one that died after writing): the order's key is unique, so such a retry gets
        // `Existing` here, and the one try that wrote the order is counted as created instead.
        // A 409 `checkout_in_progress` made no order either, but it is a refusal the client
        // must retry, already counted among `checkout_failures`.
        Ok(Placed::Existing(id)) => {
            state.console.metrics.checkout_duplicates_suppressed.inc();
            id
        }
        Err(e) => {
            let reason = ReasonLabels { reason: e.code() };
            state
                .console
                .metrics
                .checkout_failures
                .get_or_create(&reason)
                .inc();
            return Err(e);
        }
    };
    Ok(HttpResponse::Created().json(Created {
        order_id: id.0,
        status: "created",
    }))
}

/// The compat answer to a checkout: the order's id, and always `"created"` whatever the
/// order's own status (older clients test for that word).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Placed)]
struct Created {
    #[schema(minimum = 1)]
    order_id: i64,
    #[schema(schema_with = created)]
    status: &'static str,
}

fn created() -> utoipa::openapi::Object {
    rules::word("created")
}

async fn place(
    state: &AppState,
    req: &HttpRequest,
    cookie: &Session,
    body: CheckoutBody,
) -> Result<Placed, ApiError> {
    let customer_name = CustomerName::parse(&body.customer_name)
        .map_err(|e| ApiError::invalid("invalid_customer_name", e.0))?;
    let customer_email = Email::parse(&body.customer_email)
        .map_err(|e| ApiError::invalid("invalid_customer_email", e.0))?;
    let session = checkout_session(body.session_id.as_deref(), cookie)?;
    let idempotency_key = idempotency_key(req)?;
    let request = CheckoutRequest {
        session,
        customer_name,
        customer_email,
        idempotency_key,
    };
    match state.shop.checkout.place_order(request).await {
        Ok(placed) => Ok(placed),
        Err(CheckoutError::CartEmpty) => Err(ApiError::bad_request(
            "cart_empty",
            "the cart is empty; add a car first",
        )),
        Err(CheckoutError::InProgress) => Err(ApiError::Conflict {
            code: "checkout_in_progress",
            message: "this cart is being checked out right now; retry with the same \
                Idempotency-Key to get its order"
                .into(),
        }),
        Err(CheckoutError::Backend(e)) => Err(ApiError::from(e)),
    }
}

/// The body's session wins when given; otherwise the cookie's (the account's cart when signed
/// in). With neither there is no cart.
fn checkout_session(from_body: Option<&str>, cookie: &Session) -> Result<SessionId, ApiError> {
    match from_body {
        // An older client sending the cookie's own id means the cookie's cart.
        Some(raw) if !cookie.is_new && raw == cookie.id.as_str() => Ok(cookie.owner.clone()),
        // An id the store did not issue is a new, empty session: its cart is empty.
        Some(raw) => Ok(cookie.honoured(raw)),
        None if !cookie.is_new => Ok(cookie.owner.clone()),
        None => Err(ApiError::bad_request(
            "no_session",
            "no session: add a car to the cart first",
        )),
    }
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let raw = value.to_str().map_err(|_| {
        ApiError::bad_request("invalid_idempotency_key", "Idempotency-Key must be ASCII")
    })?;
    IdempotencyKey::parse(raw)
        .map(Some)
        .map_err(|e| ApiError::bad_request("invalid_idempotency_key", e.0))
}
