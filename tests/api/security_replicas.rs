//! The security tier through the real binary: three stores behind haproxy on the shared
//! services, where a limit kept per process would let each replica be guessed at in turn, and
//! an admin session must end everywhere at once; and the binary refusing a placeholder token.

use crate::helpers::BIN;
use crate::replicas_fleet::{shared_vars, Proc, ADMIN_TOKEN};
use crate::replicas_haproxy::Haproxy;
use crate::security_store::{parallel_wrong_passwords, say, tally};
use crate::services::RealEnv;
use crate::shoppers::{Account, Device};
use futures::future::join_all;
use reqwest::Client;
use serde_json::json;
use std::process::Command;

async fn three_stores(env: &RealEnv) -> (Vec<Proc>, Haproxy) {
    let vars = shared_vars(env);
    let mut stores: Vec<Proc> = ["sec-a", "sec-b", "sec-c"]
        .iter()
        .map(|name| Proc::serve(name, &vars))
        .collect();
    for store in &mut stores {
        store.start().await;
    }
    let servers: Vec<(&str, u16)> = stores.iter().map(|s| (s.name.as_str(), s.port())).collect();
    let haproxy = Haproxy::start(&servers);
    for store in &stores {
        haproxy
            .wait_for(&store.name, "UP", std::time::Duration::from_secs(10))
            .await;
    }
    (stores, haproxy)
}

async fn admin_login(client: &Client, base: &str, token: impl AsRef<str>) -> reqwest::Response {
    let token = token.as_ref();
    client
        .post(format!("{base}/api/admin/login"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_admin_sessions_hold_across_three_replicas() {
    let env = RealEnv::shared().await;
    let (stores, haproxy) = three_stores(&env).await;
    let account = Account::new("replicated");
    assert_eq!(
        Device::at(&haproxy.url).sign_up(&account).await.status(),
        201
    );

    let counts = parallel_wrong_passwords(&haproxy.url, &account.email, 100).await;
    say(
        "100 parallel wrong passwords for one email, 3 replicas",
        format!("{counts:?}"),
    );
    let wrong = counts.get(&401).copied().unwrap_or(0);
    assert!(wrong <= 5, "{wrong} guesses were checked: {counts:?}");

    // Every client shares haproxy's address: the guesses of all of them count together.
    let guesser = Client::new();
    let guesses =
        (0..60).map(|i| admin_login(&guesser, &haproxy.url, format!("guess-{i:03}-abcdefgh")));
    let counts = tally(join_all(guesses).await.iter().map(|r| r.status()));
    say(
        "60 wrong admin tokens through one address, 3 replicas",
        format!("{counts:?}"),
    );
    assert!(counts.get(&401).copied().unwrap_or(0) <= 5, "{counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 60);

    // The holder of the right token is not locked out, on any replica.
    let admin = Client::builder().cookie_store(true).build().unwrap();
    for store in &stores {
        let resp = admin_login(&admin, &store.url, ADMIN_TOKEN).await;
        say(
            &format!("the right token on {} after the flood", store.name),
            resp.status(),
        );
        assert_eq!(resp.status(), 200);
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            !cookie.contains(ADMIN_TOKEN),
            "the cookie holds no token: {cookie}"
        );
    }
    signed_out_everywhere(&stores).await;
}

/// An admin session made on one replica works on each, and signing out on one ends it on all.
async fn signed_out_everywhere(stores: &[Proc]) {
    let made = admin_login(&Client::new(), &stores[0].url, ADMIN_TOKEN).await;
    let pair = made.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let with_cookie = |url: String| Client::new().get(url).header("Cookie", &pair).send();
    for store in stores {
        let audit = with_cookie(format!("{}/api/audit", store.url))
            .await
            .unwrap();
        assert_eq!(
            audit.status(),
            200,
            "{}: the session works here",
            store.name
        );
    }
    let out = Client::new()
        .post(format!("{}/api/admin/logout", stores[1].url))
        .header("Cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    for store in stores {
        let audit = with_cookie(format!("{}/api/audit", store.url))
            .await
            .unwrap();
        say(
            &format!("a signed-out admin cookie replayed on {}", store.name),
            audit.status(),
        );
        assert_eq!(audit.status(), 401);
    }
    let nothing = Client::new()
        .post(format!("{}/api/admin/logout", stores[0].url))
        .send()
        .await
        .unwrap();
    say("a sign-out with no session", nothing.status());
    assert_eq!(nothing.status(), 401);
}

#[test]
fn the_binary_refuses_placeholder_and_weak_admin_tokens() {
    for token in [
        "REPLACE-ME-with-a-long-random-token",
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "0123456789abcdef",
    ] {
        let data = tempfile::tempdir().unwrap();
        let out = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("CARSTORE_ADMIN_TOKEN", token)
            .env("CARSTORE_DATA_DIR", data.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        say(
            &format!("carstore serve with the admin token {token:?}"),
            format!("exit {:?}", out.status.code()),
        );
        assert!(!out.status.success(), "{token}: {said}");
        assert!(
            said.contains("the admin token is refused"),
            "{token}: {said}"
        );
        assert!(
            !said.contains(token),
            "the refusal repeats no token: {said}"
        );
    }
}
