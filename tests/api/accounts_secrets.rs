//! What a shopper types stays in the store: the real binary, logging at debug, embedded and on
//! the real services, is put through every account path (sign-up, a duplicate, refusals,
//! wrong passwords, a lockout, sign-in, checkout); then no password, email or name may appear
//! in its log, its /metrics or the admin's audit log.

use crate::cli::{serve_with, Served};
use crate::services::{RealEnv, AMQP, REDIS};
use crate::shoppers::{Account, Device};
use std::cell::RefCell;
use std::time::Duration;

const ADMIN: &str = "accounts-secrets-admin-token-0123";

/// carstore's own events down to debug (the access log among them); the libraries at info,
/// where they log no query parameters.
const LOG: &str = "carstore=debug,info";

#[tokio::test]
async fn no_password_email_or_name_reaches_the_log_metrics_or_audit_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_with(dir.path(), &["--log", LOG], &[admin()]);
    leaves_no_trace(served).await;
}

#[tokio::test]
async fn no_password_email_or_name_reaches_the_log_metrics_or_audit_real_services() {
    let env = RealEnv::shared().await;
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("DATABASE_URL", env.db.url()),
        ("REDIS_URL", REDIS.to_owned()),
        ("AMQP_URL", AMQP.to_owned()),
        ("CARSTORE_REDIS_PREFIX", env.redis.prefix.clone()),
        ("CARSTORE_ORDERS_QUEUE", env.queues.orders.clone()),
    ];
    let mut vars: Vec<(String, String)> = vars.map(|(k, v)| (k.to_owned(), v)).to_vec();
    vars.push(admin());
    let served = serve_with(dir.path(), &["--log", LOG], &vars);
    leaves_no_trace(served).await;
}

fn admin() -> (String, String) {
    ("CARSTORE_ADMIN_TOKEN".into(), ADMIN.into())
}

/// An account whose name is as unique as its email, so finding either anywhere means a leak.
fn traceable(tag: &str) -> Account {
    let mut account = Account::new(tag);
    account.name = format!("Name {}", account.password);
    account
}

/// Every account path once; returns what must never show up outside the store.
async fn exercise(base: &str) -> Vec<String> {
    let owner = traceable("secret");
    let device = Device::at(base);
    device.add(3, 1).await;
    assert_eq!(device.sign_up(&owner).await.status(), 201);
    device.checkout().await;

    let rival = Account {
        email: owner.email.to_uppercase(),
        ..traceable("rival")
    };
    assert_eq!(Device::at(base).sign_up(&rival).await.status(), 409);
    // Too long by its tail: the unique part is what would show in a leak.
    let refused = traceable("refused");
    let too_long = Account {
        password: format!("{:x<129}", refused.password),
        ..refused.clone()
    };
    assert_eq!(Device::at(base).sign_up(&too_long).await.status(), 422);

    let guesser = Device::at(base);
    let wrong = format!("wrong-{}", owner.password);
    let unknown = traceable("unknown");
    assert_eq!(guesser.sign_in(&unknown.email, &wrong).await.status(), 401);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            guesser
                .sign_in(&owner.email, &wrong)
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 401, 429],
        "a lockout was logged too"
    );
    assert_eq!(device.account_status().await, 200);

    let mut secrets = vec![wrong, unknown.email];
    for a in [&owner, &rival, &refused] {
        secrets.extend([a.password.clone(), a.name.clone(), a.email.clone()]);
        secrets.push(a.email.to_lowercase());
    }
    secrets
}

/// Waits (up to 15 s) until every service the store uses answers.
async fn ready(client: &reqwest::Client, base: &str) {
    let what = "every service answering";
    crate::helpers::eventually(what, Duration::from_secs(15), async || {
        let mut ready = true;
        for path in ["/readyz", "/api/status/redis", "/api/status/rabbit"] {
            let resp = client.get(format!("{base}{path}")).send().await;
            ready &= resp.is_ok_and(|r| r.status() == 200);
        }
        ready
    })
    .await;
}

async fn leaves_no_trace(served: Served) {
    let client = reqwest::Client::new();
    ready(&client, &served.url).await;
    let secrets = exercise(&served.url).await;
    let metrics = client.get(format!("{}/metrics", served.url)).send().await;
    let metrics = metrics.unwrap().text().await.unwrap();
    let audit = client
        .get(format!("{}/api/audit", served.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(audit.status(), 200);
    let audit = audit.text().await.unwrap();
    // Lines come through a pipe; the access log of the last request is the last to arrive.
    let log = RefCell::new(Vec::new());
    crate::helpers::eventually(
        "the access log of the lockout",
        Duration::from_secs(5),
        async || {
            let mut log = log.borrow_mut();
            log.extend(served.log.try_iter());
            log.iter()
                .any(|l: &String| l.contains("429 POST /api/session"))
        },
    )
    .await;
    let (status, rest) = served.terminate();
    assert!(status.success(), "{status}");
    let log = log.into_inner().into_iter().chain(rest);
    let log = log.collect::<Vec<_>>().join("\n");

    assert!(metrics.contains("carstore_sign_ins_total"), "{metrics}");
    for (place, text) in [("log", &log), ("/metrics", &metrics), ("audit", &audit)] {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} is in the {place}:\n{text}"
            );
        }
    }
}
