//! A checkout's claim on a cart, on both cart stores: the cart is held, not emptied, until the
//! order is written, so a process killed mid-checkout loses nothing and a retry with the same
//! name resumes it with the same lines; another checkout is kept off; settling takes out only
//! what was bought, once.

use crate::services::{require_shared_services, RedisPrefix, REDIS};
use carstore::cache::SqliteCarts;
use carstore::cache::{CartClaims, CartLines};
use carstore::cache::{CartLine, CartStore, Claimed, RedisCache};
use carstore::config::ServiceUrl;
use carstore::domain::{CarId, Quantity, SessionId, MAX_LINE_QUANTITY};
use carstore::store::sqlite::SqliteDb;

async fn a_claim_holds_the_cart_until_settled_and_a_retry_resumes_it(carts: &dyn CartStore) {
    let session = SessionId::new_random();
    let add = |car, n| {
        carts.add(
            &session,
            CarId(car),
            Quantity::parse(n).unwrap(),
            MAX_LINE_QUANTITY,
        )
    };
    add(3, 2).await.unwrap();
    add(5, 1).await.unwrap();
    let bought = vec![
        CartLine {
            car_id: CarId(3),
            quantity: 2,
        },
        CartLine {
            car_id: CarId(5),
            quantity: 1,
        },
    ];
    let first = carts.claim(&session, "key:k-1").await.unwrap();
    assert_eq!(
        first,
        Claimed::Lines {
            lines: bought.clone(),
            resumed: false
        }
    );
    // The process that claimed it dies here. The cart is still whole.
    assert_eq!(carts.lines(&session).await.unwrap(), bought);
    // Another checkout is kept off; the retry of the first resumes with the same lines, even
    // though the shopper added a car meanwhile.
    assert_eq!(
        carts.claim(&session, "once:other").await.unwrap(),
        Claimed::HeldByAnother
    );
    add(3, 1).await.unwrap();
    add(8, 1).await.unwrap();
    let retry = carts.claim(&session, "key:k-1").await.unwrap();
    assert_eq!(
        retry,
        Claimed::Lines {
            lines: bought,
            resumed: true
        }
    );
    // The order is written: what was bought leaves the cart, what was added stays, once only.
    carts.settle(&session, "key:k-1").await.unwrap();
    carts.settle(&session, "key:k-1").await.unwrap();
    let left = vec![
        CartLine {
            car_id: CarId(3),
            quantity: 1,
        },
        CartLine {
            car_id: CarId(8),
            quantity: 1,
        },
    ];
    assert_eq!(carts.lines(&session).await.unwrap(), left);
    // A released claim leaves the cart as it is and lets the next checkout in.
    let next = carts.claim(&session, "once:next").await.unwrap();
    assert_eq!(
        next,
        Claimed::Lines {
            lines: left.clone(),
            resumed: false
        }
    );
    carts.release(&session, "once:not-mine").await.unwrap();
    assert_eq!(
        carts.claim(&session, "once:third").await.unwrap(),
        Claimed::HeldByAnother
    );
    carts.release(&session, "once:next").await.unwrap();
    assert_eq!(carts.lines(&session).await.unwrap(), left);
    carts.clear(&session).await.unwrap();
    assert_eq!(
        carts.claim(&session, "once:empty").await.unwrap(),
        Claimed::Empty
    );
}

#[tokio::test]
async fn in_redis() {
    require_shared_services();
    let prefix = RedisPrefix::new(6379);
    let url = ServiceUrl::parse(REDIS, &["redis"], "redis").unwrap();
    let redis = RedisCache::connect(&url, &prefix.prefix).unwrap();
    crate::helpers::eventually(
        "Redis answering",
        std::time::Duration::from_secs(5),
        async || carstore::adapter::Ping::ping(&redis).await.is_ok(),
    )
    .await;
    a_claim_holds_the_cart_until_settled_and_a_retry_resumes_it(&redis).await;
}

#[tokio::test]
async fn embedded() {
    let dir = tempfile::tempdir().unwrap();
    let carts = SqliteCarts::new(SqliteDb::open(dir.path()).unwrap());
    a_claim_holds_the_cart_until_settled_and_a_retry_resumes_it(&carts).await;
}

/// A store killed after claiming a cart and before writing its order: the shopper's retry, on
/// any replica, with the same Idempotency-Key, buys exactly that cart, once.
#[tokio::test]
async fn a_checkout_cut_short_after_its_claim_is_finished_by_its_retry() {
    let env = crate::services::RealEnv::shared().await;
    let app = crate::services::spawn_real(&env).await;
    let session = issued_session(&app.address).await;
    let cookie = format!("session_id={}", session.as_str());
    let shopper = reqwest::Client::new();
    let added = shopper
        .post(app.url("/api/cart"))
        .header("Cookie", &cookie)
        .json(&serde_json::json!({"car_id": 4, "quantity": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    // The dead store's claim, as it left it.
    let url = ServiceUrl::parse(REDIS, &["redis"], "redis").unwrap();
    let redis = RedisCache::connect(&url, &env.redis.prefix).unwrap();
    let key = carstore::domain::IdempotencyKey::parse("retry-after-kill").unwrap();
    crate::helpers::eventually(
        "the claim taken",
        std::time::Duration::from_secs(5),
        async || {
            matches!(
                redis
                    .claim(&session, &carstore::orders::claim_of(&key))
                    .await,
                Ok(Claimed::Lines { .. })
            )
        },
    )
    .await;
    let checkout = || {
        shopper
            .post(app.url("/api/checkout"))
            .header("Cookie", &cookie)
            .header("Idempotency-Key", key.as_str())
            .json(&serde_json::json!({"customer_name": "Ada", "customer_email": "ada@example.com"}))
            .send()
    };
    let placed = checkout().await.unwrap();
    assert_eq!(placed.status(), 201);
    let order: serde_json::Value = placed.json().await.unwrap();
    let seen: serde_json::Value = shopper
        .get(app.url(&format!("/api/orders/{}", order["order_id"])))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["items"][0]["car_id"], 4, "{seen}");
    assert_eq!(seen["items"][0]["quantity"], 2, "{seen}");
    let again: serde_json::Value = checkout().await.unwrap().json().await.unwrap();
    assert_eq!(again["order_id"], order["order_id"]);
    assert_eq!(app.order_count().await, 1);
    assert!(
        redis.lines(&session).await.unwrap().is_empty(),
        "the cart is bought"
    );
}

fn redis_cli(args: &[&str]) {
    let out = std::process::Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", "6379"])
        .args(args)
        .output()
        .expect("redis-cli (apt-get install redis-tools)");
    assert!(out.status.success(), "{out:?}");
}

/// What a store killed mid-checkout leaves behind, long ago: its claim on the cart.
fn leave_an_old_claim(prefix: &str, session: &SessionId, claim: &str, lines: &str) {
    let key = format!("{prefix}claim:{}", session.as_str());
    redis_cli(&["HSET", &key, "id", claim, "lines", lines, "since", "0"]);
    redis_cli(&["EXPIRE", &key, "600"]);
}

/// A session the store issued (it honours no other), read from a first cart call.
async fn issued_session(base: &str) -> SessionId {
    let cart: serde_json::Value = reqwest::get(format!("{base}/api/cart"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    SessionId::parse(cart["session_id"].as_str().unwrap()).unwrap()
}

struct Shopper {
    client: reqwest::Client,
    cookie: String,
    base: String,
}

impl Shopper {
    async fn add(&self, car: i64, quantity: i64) {
        let added = self
            .client
            .post(format!("{}/api/cart", self.base))
            .header("Cookie", &self.cookie)
            .json(&serde_json::json!({"car_id": car, "quantity": quantity}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 201);
    }

    /// The order's `(car, quantity)` lines.
    async fn checkout(&self, key: &str) -> Vec<(i64, i64)> {
        let placed = self
            .client
            .post(format!("{}/api/checkout", self.base))
            .header("Cookie", &self.cookie)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"customer_name": "Ada", "customer_email": "ada@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(placed.status(), 201, "{:?}", placed.text().await);
        let id = placed.json::<serde_json::Value>().await.unwrap()["order_id"].clone();
        let order: serde_json::Value = self
            .client
            .get(format!("{}/api/orders/{id}", self.base))
            .header("Cookie", &self.cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = order["items"].as_array().unwrap().iter();
        items
            .map(|i| {
                (
                    i["car_id"].as_i64().unwrap(),
                    i["quantity"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

/// A claim left long ago by a store killed before it wrote the order: the next checkout ends
/// it and buys the whole cart. One killed after writing its order: the next checkout takes that
/// order's lines out of the cart first, and buys only what was added since.
#[tokio::test]
async fn an_old_claim_of_a_stopped_checkout_is_ended_by_the_next_one() {
    let env = crate::services::RealEnv::shared().await;
    let app = crate::services::spawn_real(&env).await;
    let session = issued_session(&app.address).await;
    let shopper = Shopper {
        client: reqwest::Client::new(),
        cookie: format!("session_id={}", session.as_str()),
        base: app.address.clone(),
    };
    let prefix = &env.redis.prefix;

    shopper.add(4, 2).await;
    leave_an_old_claim(prefix, &session, "key:died-before-its-order", "4:2");
    assert_eq!(shopper.checkout("next-1").await, [(4, 2)]);

    // Bought, but its store died before taking the lines out of the cart.
    shopper.add(5, 1).await;
    assert_eq!(shopper.checkout("bought-then-died").await, [(5, 1)]);
    shopper.add(5, 1).await;
    leave_an_old_claim(prefix, &session, "key:bought-then-died", "5:1");
    shopper.add(6, 1).await;
    assert_eq!(
        shopper.checkout("next-2").await,
        [(6, 1)],
        "car 5 is not bought twice"
    );
    assert_eq!(app.order_count().await, 3);
}
