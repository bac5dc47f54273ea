//! The account operations in the contract walk: every documented answer of sign-up, sign-in
//! and the sessions, from a live store.

use crate::contract_answers::Walk;
use reqwest::Method as M;
use serde_json::json;

pub async fn accounts_side(w: &mut Walk) {
    let (account, session) = ("/api/account", "/api/session");
    let ada = json!({ "name": "Ada", "email": "Ada@Example.com", "password": "correct horse" });
    w.call(M::GET, account, account, None, 401).await;
    let short = json!({ "name": "Ada", "email": "ada@example.com", "password": "short" });
    w.call(M::POST, account, account, Some(short), 422).await;
    let missing = json!({ "name": "Ada", "email": "ada@example.com" });
    w.call(M::POST, account, account, Some(missing), 400).await;
    w.call(M::POST, account, account, Some(ada.clone()), 201)
        .await;
    w.call(M::POST, account, account, Some(ada), 409).await;
    w.call(M::GET, account, account, None, 200).await;

    let right = json!({ "email": "ada@example.com", "password": "correct horse" });
    let wrong = json!({ "email": "ada@example.com", "password": "wrong horse!" });
    w.call(M::POST, session, session, Some(wrong.clone()), 401)
        .await;
    w.call(M::POST, session, session, Some(right.clone()), 200)
        .await;
    // Signing in again ended this browser's earlier session; a second device adds one.
    let device = crate::helpers::shopper();
    let signed = device.post(w.app.url(session)).json(&right).send().await;
    assert_eq!(signed.unwrap().status(), 200);
    let sessions = "/api/account/sessions";
    let listed = w.call(M::GET, sessions, sessions, None, 200).await;
    let other = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .expect("the second device's session")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = "/api/account/sessions/{id}";
    w.call(M::DELETE, one, &format!("{sessions}/{other}"), None, 200)
        .await;
    w.call(M::DELETE, one, &format!("{sessions}/{other}"), None, 404)
        .await;
    w.call(M::GET, "/api/shoppers", "/api/shoppers", None, 200)
        .await;
    w.call(M::DELETE, sessions, sessions, None, 200).await;
    w.call(M::DELETE, sessions, sessions, None, 401).await;
    w.call(M::POST, session, session, Some(right), 200).await;
    w.call(M::DELETE, session, session, None, 200).await;

    // Five wrong passwords since the last sign-in (which cleared the count): the next attempt
    // is refused.
    for _ in 0..5 {
        w.call(M::POST, session, session, Some(wrong.clone()), 401)
            .await;
    }
    w.call(M::POST, session, session, Some(wrong), 429).await;
}
