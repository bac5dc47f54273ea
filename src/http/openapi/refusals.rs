//! The error answers operations share, each a response the paths name (`response = NotFound`)
//! and listing the codes it may carry; and the refusals made before any route.

use crate::http::error::RETRY_AFTER_SECS;
use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// One shared error answer: `{error, message}`, with `Retry-After` where a wait is asked.
fn error_answer(description: String, retry_after: bool) -> Response {
    let mut answer = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Error")))
            .build(),
    );
    if retry_after {
        let seconds = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some("^[0-9]+$"))
            .build();
        answer = answer.header("Retry-After", HeaderBuilder::new().schema(seconds).build());
    }
    answer.build()
}

macro_rules! error_answers {
    ($($name:ident, $retry_after:expr, $description:expr;)*) => {
        $(
            pub struct $name;
            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), error_answer($description, $retry_after).into())
                }
            }
        )*
        /// Every shared answer, for the document's components.
        pub fn all() -> Vec<(&'static str, RefOr<Response>)> {
            vec![$(<$name as utoipa::ToResponse>::response()),*]
        }
    };
}

error_answers! {
    BadRequest, false, "Malformed request: invalid_json, invalid_request (missing or mistyped \
        field), invalid_query, or a code naming what cannot be acted on.".into();
    AdminRequired, false, "admin_required: the admin token is missing or wrong (and an admin \
        cookie is dropped). A wrong token counts towards a limit, see 429.".into();
    NotFound, false, "No such thing (or not yours to see): a code naming what.".into();
    Conflict, false, "The request conflicts with how things are set up.".into();
    TooLarge, false, "payload_too_large: the body is over 64 KiB.".into();
    Invalid, false, "Well-formed but invalid value: a code naming the field.".into();
    NotJson, false, "unsupported_media_type: the body was sent as something other than \
        application/json (a form, text/plain).".into();
    CrossSite, false, "cross_site_request: a state change sent from another site's page \
        (Sec-Fetch-Site other than same-origin or none, or an Origin naming another host)."
        .into();
    NotSignedIn, false, "not_signed_in: no signed-in session; invalid_credentials: the email \
        and password match no account (one answer for an unknown email and a wrong password)."
        .into();
    TooManyAttempts, true, {
        use crate::http::admin::{OVERALL, PER_CLIENT, WINDOW};
        format!("too_many_attempts: past {PER_CLIENT} wrong admin tokens from this client, or \
            {OVERALL} from all clients, within {} s, a wrong token is answered 429 instead of \
            401 until the window ends; the right token is always let in. Retry after the \
            seconds given.", WINDOW.as_secs())
    };
    TooManyStreams, true, format!("too_many_streams: this client holds {} live feeds, or the \
        store {}; close one and retry after the seconds given.",
        crate::access::FEEDS_PER_CLIENT, crate::access::FEEDS_IN_ALL);
    TooManySignUps, true, {
        use crate::accounts::limits::{SIGN_UPS_PER_CLIENT, SIGN_UP_WINDOW};
        format!("too_many_sign_ups: {SIGN_UPS_PER_CLIENT} sign-ups from this client within {} \
            min, made or refused alike; retry after the seconds given.",
            SIGN_UP_WINDOW.as_secs() / 60)
    };
    SignInLimited, true, {
        use crate::accounts::limits::{PER_ACCOUNT, PER_CLIENT, WINDOW};
        format!("too_many_attempts: {PER_ACCOUNT} failed sign-ins for one email, or \
            {PER_CLIENT} from one client, within {} minutes; refused until that window ends, \
            the right password included. Retry after the seconds given.",
            WINDOW.as_secs() / 60)
    };
    Unavailable, true, format!("A dependency is down; nothing was changed. Retry after \
        {RETRY_AFTER_SECS} s.");
}

/// What every admin operation may answer besides its own: 401 without the admin token, and 429
/// past the limit of wrong ones.
pub struct AdminOnly;

impl utoipa::IntoResponses for AdminOnly {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        [("401", "AdminRequired"), ("429", "TooManyAttempts")]
            .into_iter()
            .map(|(status, name)| (status.into(), Ref::from_response_name(name).into()))
            .collect()
    }
}

/// Every header an answer documents is always sent with it (`Retry-After` on a refusal that asks
/// for a wait, `Set-Cookie` on a sign-in): marked required, so clients and tests may rely on it.
pub fn headers_always_sent(doc: &mut Value) {
    let mut pending: Vec<&mut Value> = vec![doc];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(fields) => {
                for (key, value) in fields.iter_mut() {
                    if key == "headers" {
                        for header in value
                            .as_object_mut()
                            .into_iter()
                            .flat_map(|h| h.values_mut())
                        {
                            header["required"] = Value::Bool(true);
                        }
                    } else {
                        pending.push(value);
                    }
                }
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// The refusals made before any route (`http::guard`): 403 to a state change from another site,
/// 415 to a body that is not JSON; and 429 to a live feed past its limit.
pub fn every_request_may_get(paths: &mut Value) {
    let answer = |name: &str| json!({ "$ref": format!("#/components/responses/{name}") });
    for (path, item) in paths.as_object_mut().into_iter().flatten() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            if method != "get" && method != "head" {
                op["responses"]["403"] = answer("CrossSite");
            }
            if op.get("requestBody").is_some() {
                op["responses"]["415"] = answer("NotJson");
            }
            let feed = path == "/api/events" || path == "/api/service/{name}/logs";
            if feed && op["responses"].get("429").is_none() {
                op["responses"]["429"] = answer("TooManyStreams");
            }
        }
    }
}
