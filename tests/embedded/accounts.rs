//! Account details one backend shows as well as two: the sessions an account lists and ends,
//! the cap of 10 sessions, and the metrics that count sign-ups and sign-ins.

use crate::helpers::{assert_error, eventually, spawn_app, TestApp};
use crate::shoppers::{metric, Account, Device};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const LAPTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";
const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                     (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

fn device_with_agent(app: &TestApp, agent: &str) -> Device {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .build()
        .unwrap();
    Device {
        base: app.address.clone(),
        client,
    }
}

async fn sessions(device: &Device) -> Vec<Value> {
    let resp = device.sessions().await;
    assert_eq!(resp.status(), 200);
    resp.json::<Vec<Value>>().await.expect("a list of sessions")
}

#[tokio::test]
async fn an_account_lists_its_sessions_by_device_and_ends_one() {
    let app = spawn_app().await;
    let account = Account::new("sessions");
    let laptop = device_with_agent(&app, LAPTOP);
    assert_eq!(laptop.sign_up(&account).await.status(), 201);
    let phone = device_with_agent(&app, PHONE);
    phone.signed_in(&account).await;

    let listed = sessions(&laptop).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let cookies = [laptop.session_id().await, phone.session_id().await];
    for s in &listed {
        let id = s["id"].as_str().expect("an id");
        assert!(
            !cookies.iter().any(|c| c == id),
            "the id is a handle, not the cookie"
        );
        assert!(
            s["created_at"].as_str().is_some_and(|t| t.contains('T')),
            "{s}"
        );
    }
    let current: Vec<&Value> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "{listed:?}");
    let label = current[0]["device"].as_str().unwrap();
    assert!(
        label.contains("Chrome") && label.contains("Linux"),
        "{label}"
    );
    let other = listed.iter().find(|s| s["current"] == false).unwrap();
    assert_ne!(other["device"], current[0]["device"]);
    assert!(
        !other["device"].as_str().unwrap().contains("Mozilla/5.0"),
        "a coarse label"
    );

    let path = format!("/api/account/sessions/{}", other["id"].as_str().unwrap());
    let ended = laptop.send(Method::DELETE, &path, None).await;
    assert_eq!(ended.status(), 200);
    assert_eq!(ended.json::<Value>().await.unwrap(), json!({ "ended": 1 }));
    assert_error(phone.account().await, 401, "not_signed_in").await;
    assert_eq!(
        laptop.account_status().await,
        200,
        "only that device was signed out"
    );
    assert_eq!(sessions(&laptop).await.len(), 1);
    let again = laptop.send(Method::DELETE, &path, None).await;
    assert_error(again, 404, "session_not_found").await;
    assert_error(phone.sessions().await, 401, "not_signed_in").await;
    let guest = phone.send(Method::DELETE, &path, None).await;
    assert_error(guest, 401, "not_signed_in").await;
}

#[tokio::test]
async fn one_account_cannot_end_another_accounts_session() {
    let app = spawn_app().await;
    let (alice, mallory) = (Account::new("alice"), Account::new("mallory"));
    let victim = Device::new(&app);
    assert_eq!(victim.sign_up(&alice).await.status(), 201);
    let handle = sessions(&victim).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attacker = Device::new(&app);
    assert_eq!(attacker.sign_up(&mallory).await.status(), 201);

    let path = format!("/api/account/sessions/{handle}");
    let resp = attacker.send(Method::DELETE, &path, None).await;
    assert_error(resp, 404, "session_not_found").await;
    assert_eq!(victim.account_status().await, 200);
}

#[tokio::test]
async fn an_eleventh_sign_in_ends_the_oldest_session() {
    let app = spawn_app().await;
    let account = Account::new("eleven");
    let first = Device::new(&app);
    assert_eq!(first.sign_up(&account).await.status(), 201);
    let mut later = Vec::new();
    for _ in 0..10 {
        let device = Device::new(&app);
        device.signed_in(&account).await;
        later.push(device);
    }
    assert_error(first.account().await, 401, "not_signed_in").await;
    for device in &later {
        assert_eq!(device.account_status().await, 200);
    }
    assert_eq!(sessions(&later[9]).await.len(), 10);
}

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics").await.text().await.unwrap()
}

/// How far each series moved while `act` ran.
async fn moved(app: &TestApp, series: &[&str], act: impl AsyncFnOnce()) -> Vec<f64> {
    let before = metrics(app).await;
    act().await;
    let after = metrics(app).await;
    series
        .iter()
        .map(|s| metric(&after, s) - metric(&before, s))
        .collect()
}

async fn signed_in_gauge(app: &TestApp, n: f64) {
    let what = format!("carstore_signed_in_shoppers at {n}");
    eventually(&what, Duration::from_secs(5), async || {
        metric(&metrics(app).await, "carstore_signed_in_shoppers") == n
    })
    .await;
}

#[tokio::test]
async fn sign_ups_and_sign_ins_are_counted_by_outcome() {
    let app = spawn_app().await;
    let (account, other) = (Account::new("counted"), Account::new("other"));
    let device = Device::new(&app);
    let ups = [
        r#"carstore_sign_ups_total{outcome="created"}"#,
        r#"carstore_sign_ups_total{outcome="email_taken"}"#,
        r#"carstore_sign_ups_total{outcome="invalid"}"#,
    ];
    let counted = moved(&app, &ups, async || {
        assert_eq!(device.sign_up(&account).await.status(), 201);
        assert_eq!(Device::new(&app).sign_up(&account).await.status(), 409);
        let bad = Account {
            password: "short".into(),
            ..Account::new("bad")
        };
        assert_eq!(Device::new(&app).sign_up(&bad).await.status(), 422);
        assert_eq!(Device::new(&app).sign_up(&bad).await.status(), 422);
    })
    .await;
    assert_eq!(counted, [1.0, 1.0, 2.0]);
    signed_in_gauge(&app, 1.0).await;
    assert_eq!(device.sign_out().await.status(), 200);
    signed_in_gauge(&app, 0.0).await;
    let first = Device::new(&app);
    assert_eq!(first.sign_up(&other).await.status(), 201);
    assert_eq!(first.sign_out().await.status(), 200);

    let ins = [
        r#"carstore_sign_ins_total{outcome="ok"}"#,
        r#"carstore_sign_ins_total{outcome="invalid_credentials"}"#,
        r#"carstore_sign_ins_total{outcome="too_many_attempts"}"#,
        "carstore_password_hash_seconds_count",
    ];
    let counted = moved(&app, &ins, async || {
        let guesser = Device::new(&app);
        for _ in 0..6 {
            guesser.sign_in(&account.email, "wrong-password-0123").await;
        }
        let nobody = Account::new("nobody").email;
        guesser.sign_in(&nobody, "wrong-password-0123").await;
        Device::new(&app).signed_in(&other).await;
    })
    .await;
    // Five wrong passwords refused, the sixth limited; the unknown email refused too.
    assert_eq!(counted[..3], [1.0, 6.0, 1.0], "{counted:?}");
    signed_in_gauge(&app, 1.0).await;
    // A hash for each refusal and the sign-in: an unknown email costs one as well.
    assert!(
        counted[3] >= 7.0,
        "carstore_password_hash_seconds: {counted:?}"
    );
}
