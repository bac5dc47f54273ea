//! Shopper accounts: sign up, sign in and out, the account and its sessions, and the count of
//! signed-in shoppers the dashboard shows.

use super::shop::{customer_email, customer_name};
use super::{
    answer, array, body, boolean, closed, integer, path_param, response, schema, session_cookie,
    string, timestamp,
};
use crate::accounts::limits::{PER_ACCOUNT, PER_CLIENT, WINDOW};
use crate::domain::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use serde_json::{json, Map, Value};

fn password() -> Value {
    json!({ "type": "string", "minLength": MIN_PASSWORD_CHARS, "maxLength": MAX_PASSWORD_CHARS,
            "pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$",
            "description": format!("{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters as \
                typed (nothing trimmed), no control characters.") })
}

/// The cookie a sign-in or sign-up sets: a new session id every time.
fn new_session() -> Value {
    json!({ "Set-Cookie": { "required": true, "schema": { "type": "string" },
        "description": "session_id: a new id (HttpOnly; SameSite=Lax; Secure over HTTPS from a \
            trusted proxy)." } })
}

fn signed_in(description: &str) -> Value {
    let mut ok = answer(description, schema("Shopper"));
    ok["headers"] = new_session();
    ok
}

pub fn paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/account".into(),
        json!({
            "get": {
                "operationId": "getAccount",
                "summary": "The signed-in shopper",
                "parameters": [session_cookie()],
                "responses": {
                    "200": answer("Who is signed in", schema("Shopper")),
                    "401": response("NotSignedIn"),
                    "503": response("Unavailable"),
                },
            },
            "post": {
                "operationId": "signUp",
                "summary": "Make an account and sign in with it; the guest cart and orders join it",
                "description": "422: invalid_name, invalid_email, invalid_password (nothing is \
                    stored); 409: email_taken (emails are compared without regard to case).",
                "parameters": [session_cookie()],
                "requestBody": body(json!({
                    "type": "object",
                    "properties": { "name": customer_name(), "email": customer_email(),
                                    "password": password() },
                    "required": ["name", "email", "password"],
                })),
                "responses": {
                    "201": signed_in("The account, signed in"),
                    "429": response("TooManySignUps"),
                    "400": response("BadRequest"),
                    "409": response("Conflict"),
                    "413": response("TooLarge"),
                    "422": response("Invalid"),
                    "503": response("Unavailable"),
                },
            },
        }),
    );
    paths.insert(
        "/api/session".into(),
        json!({
            "post": {
                "operationId": "signIn",
                "summary": "Sign in: a new session id, the guest cart merged into the account's",
                "parameters": [session_cookie()],
                "requestBody": body(json!({
                    "type": "object",
                    "properties": { "email": string(), "password": string() },
                    "required": ["email", "password"],
                })),
                "responses": {
                    "200": signed_in("Signed in"),
                    "400": response("BadRequest"),
                    "401": response("NotSignedIn"),
                    "413": response("TooLarge"),
                    "429": response("SignInLimited"),
                    "503": response("Unavailable"),
                },
            },
            "delete": {
                "operationId": "signOut",
                "summary": "Sign this session out; the browser becomes a new guest",
                "parameters": [session_cookie()],
                "responses": {
                    "200": answer("Sessions ended (0 when not signed in)", schema("Ended")),
                    "503": response("Unavailable"),
                },
            },
        }),
    );
    sessions(paths);
}

fn sessions(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/account/sessions".into(),
        json!({
            "get": {
                "operationId": "listAccountSessions",
                "summary": "The account's signed-in sessions, oldest first",
                "parameters": [session_cookie()],
                "responses": {
                    "200": answer("The sessions", array(schema("AccountSession"))),
                    "401": response("NotSignedIn"),
                    "503": response("Unavailable"),
                },
            },
            "delete": {
                "operationId": "signOutEverywhere",
                "summary": "Sign out every session of the account, this one too",
                "parameters": [session_cookie()],
                "responses": {
                    "200": answer("Sessions ended", schema("Ended")),
                    "401": response("NotSignedIn"),
                    "503": response("Unavailable"),
                },
            },
        }),
    );
    paths.insert(
        "/api/account/sessions/{id}".into(),
        json!({ "delete": {
        "operationId": "endAccountSession",
        "summary": "End one session of the account",
        "parameters": [
            path_param("id", string(), "A session's id from the sessions list."),
            session_cookie(),
        ],
        "responses": {
            "200": answer("The session ended", schema("Ended")),
            "401": response("NotSignedIn"),
            "404": response("NotFound"),
            "503": response("Unavailable"),
        },
    } }),
    );
    paths.insert(
        "/api/shoppers".into(),
        json!({ "get": {
        "operationId": "countShoppers",
        "summary": "How many accounts are signed in somewhere (a count, nobody's name)",
        "responses": {
            "200": answer("The count", schema("Shoppers")),
            "503": response("Unavailable"),
        },
    } }),
    );
}

pub fn schemas(schemas: &mut Map<String, Value>) {
    let entries = [
        (
            "Shopper",
            closed(&[("name", string()), ("email", string())]),
        ),
        (
            "AccountSession",
            closed(&[
                ("id", string()),
                ("device", string()),
                ("created_at", timestamp()),
                ("current", boolean()),
            ]),
        ),
        ("Ended", closed(&[("ended", integer(0))])),
        ("Shoppers", closed(&[("signed_in", integer(0))])),
    ];
    for (name, value) in entries {
        schemas.insert(name.into(), value);
    }
}

/// The answers only the account routes give.
pub fn responses(responses: &mut Map<String, Value>) {
    let error = json!({ "application/json": { "schema": schema("Error") } });
    responses.insert(
        "NotSignedIn".into(),
        json!({
            "description": "not_signed_in: no signed-in session; invalid_credentials: the email \
                and password match no account (one answer for an unknown email and a wrong \
                password).",
            "content": error,
        }),
    );
    responses.insert("SignInLimited".into(), json!({
        "description": format!("too_many_attempts: {PER_ACCOUNT} failed sign-ins for one email, \
            or {PER_CLIENT} from one client, within {} minutes; refused until that window \
            ends, the right password included. Retry after the seconds given.",
            WINDOW.as_secs() / 60),
        "headers": { "Retry-After": { "required": true,
            "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
        "content": error,
    }));
}
