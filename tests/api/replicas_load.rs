//! The replica test's shoppers through haproxy: an open-model load (a new shopper every
//! `1/rate` s, whatever the stores answer) of mixed shoppers who browse, view a car, fill a cart
//! and leave, or check out with an Idempotency-Key, retrying with the same key a checkout whose
//! answer was lost. Every request is kept with which store answered, by the store's own header
//! and by haproxy's, so the test can cut the run into phases and replicas afterwards.

use crate::chaos_load::{at_rate, Step};
use crate::helpers::pace;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tries of a checkout whose answer was lost (no answer, or haproxy's 502/503/504).
const CHECKOUT_TRIES: usize = 4;

/// One request: when it was sent (since the run began), how it ended and who answered.
#[derive(Debug, Clone)]
pub struct Shot {
    /// Which shopper sent it.
    pub shopper: u64,
    pub step: Step,
    pub sent: Duration,
    pub took: Duration,
    /// 0 when no answer came (connection refused, reset, timed out).
    pub status: u16,
    /// `X-Carstore-Instance`: the store's own name for itself.
    pub instance: Option<String>,
    /// `X-Haproxy-Server`: the store haproxy sent the request to.
    pub server: Option<String>,
    /// The order a checkout answered with.
    pub order_id: Option<i64>,
    /// The `error` code of a refusal.
    pub error: Option<String>,
    /// A checkout sent again with the same key.
    pub retry: bool,
}

impl Shot {
    pub fn answered_at(&self) -> Duration {
        self.sent + self.took
    }

    /// Whether the request was on its way at any time in `[from, to)`.
    pub fn overlaps(&self, from: Duration, to: Duration) -> bool {
        self.sent < to && self.answered_at() >= from
    }

    pub fn failed(&self) -> bool {
        self.status == 0 || self.status >= 500
    }
}

/// Every request of the run, in the order they finished.
#[derive(Clone, Default)]
pub struct Shots(Arc<Mutex<Vec<Shot>>>);

impl Shots {
    pub fn all(&self) -> Vec<Shot> {
        self.0.lock().unwrap().clone()
    }
}

/// Starts shoppers at `rate` per second until `stop` is set; returns when the last has finished.
pub async fn shop(base: String, rate: f64, began: Instant, shots: Shots, stop: Arc<AtomicBool>) {
    at_rate(rate, &stop, |n| Shopper::new(&base, began, &shots, n).run()).await;
}

struct Shopper {
    base: String,
    began: Instant,
    shots: Shots,
    n: u64,
    client: Client,
}

impl Shopper {
    /// The `n`th shopper, with a cookie jar of its own.
    fn new(base: &str, began: Instant, shots: &Shots, n: u64) -> Shopper {
        Shopper {
            base: base.to_owned(),
            began,
            shots: shots.clone(),
            n,
            client: Client::builder()
                .cookie_store(true)
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap(),
        }
    }

    /// Of every ten shoppers: three only browse, two also look at a car, two leave a filled
    /// cart behind, three buy.
    async fn run(self) {
        let kind = self.n % 10;
        let car = 1 + (self.n % 39) as i64;
        let cars = format!("{}/api/cars", self.base);
        if self.send(Step::Browse, self.client.get(&cars)).await.0 != 200 || kind < 3 {
            return;
        }
        self.send(Step::View, self.client.get(format!("{cars}/{car}")))
            .await;
        if kind < 5 {
            return;
        }
        let add = self
            .client
            .post(format!("{}/api/cart", self.base))
            .json(&json!({ "car_id": car, "quantity": 1 + self.n % 2 }));
        if self.send(Step::AddToCart, add).await.0 != 201 || kind < 7 {
            return;
        }
        self.checkout().await;
    }

    /// A checkout whose answer was lost is sent again with the same key: it must not buy twice.
    async fn checkout(&self) {
        let key = format!("replicas-{}", self.n);
        let customer =
            json!({ "customer_name": "Replica Shopper", "customer_email": "replica@example.com" });
        for attempt in 0..CHECKOUT_TRIES {
            let request = self
                .client
                .post(format!("{}/api/checkout", self.base))
                .header("Idempotency-Key", &key)
                .json(&customer);
            let (status, _) = self.send_as(Step::Checkout, request, attempt > 0).await;
            if !matches!(status, 0 | 502..=504) {
                return;
            }
            pace(Duration::from_millis(200)).await; // a shopper waits a moment, then tries again
        }
    }

    async fn send(&self, step: Step, request: reqwest::RequestBuilder) -> (u16, Option<Value>) {
        self.send_as(step, request, false).await
    }

    async fn send_as(
        &self,
        step: Step,
        request: reqwest::RequestBuilder,
        retry: bool,
    ) -> (u16, Option<Value>) {
        let sent = self.began.elapsed();
        let started = Instant::now();
        let (status, instance, server, body) = match request.send().await {
            Ok(resp) => {
                let (instance, server) = who_answered(&resp);
                let status = resp.status().as_u16();
                (status, instance, server, resp.json::<Value>().await.ok())
            }
            Err(_) => (0, None, None, None),
        };
        let order_id = match (step, status) {
            (Step::Checkout, 201) => body.as_ref().and_then(|b| b["order_id"].as_i64()),
            _ => None,
        };
        let error = body
            .as_ref()
            .and_then(|b| b["error"].as_str().map(str::to_owned));
        let shot = Shot {
            shopper: self.n,
            step,
            sent,
            took: started.elapsed(),
            status,
            instance,
            server,
            order_id,
            error,
            retry,
        };
        self.shots.0.lock().unwrap().push(shot);
        (status, body)
    }
}

/// The store's name for itself and haproxy's name for the store, from an answer's headers.
pub fn who_answered(resp: &Response) -> (Option<String>, Option<String>) {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    (header("x-carstore-instance"), header("x-haproxy-server"))
}

/// Shoppers with a filled cart, about to check out at the same moment: requests certain to be
/// on their way when a store is stopped.
pub struct Burst(Vec<Shopper>);

impl Burst {
    /// `count` shoppers fill their carts through `base`; their keys follow `first`.
    pub async fn prepare(
        base: &str,
        first: u64,
        count: u64,
        began: Instant,
        shots: &Shots,
    ) -> Burst {
        let mut shoppers = Vec::new();
        for n in first..first + count {
            let shopper = Shopper::new(base, began, shots, n);
            let add = shopper
                .client
                .post(format!("{base}/api/cart"))
                .json(&json!({ "car_id": 1 + n % 39, "quantity": 1 }));
            assert_eq!(
                add.send().await.unwrap().status(),
                201,
                "a burst shopper's cart"
            );
            shoppers.push(shopper);
        }
        Burst(shoppers)
    }

    /// All check out at once at `target` (haproxy or one store); the checkouts' shots are kept
    /// with the rest.
    pub fn release(self, target: &str) -> tokio::task::JoinHandle<()> {
        let mut all = tokio::task::JoinSet::new();
        for mut shopper in self.0 {
            shopper.base = target.to_owned();
            all.spawn(async move { shopper.checkout().await });
        }
        tokio::spawn(async move { while all.join_next().await.is_some() {} })
    }
}
