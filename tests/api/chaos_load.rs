//! The chaos test's shoppers: an open-model load (a new shopper every `1/rate` s, whatever the
//! store answers), each browsing, viewing a car, adding it to the cart and checking out, with
//! every request recorded so the test can cut the run into phases afterwards.

use reqwest::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a shopper asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Browse,
    View,
    AddToCart,
    Checkout,
}

/// One request: when it was sent (since the run began), how it ended and how long it took.
#[derive(Debug, Clone)]
pub struct Shot {
    pub step: Step,
    pub sent: Duration,
    pub took: Duration,
    /// 0 when no answer came (connection refused, timed out).
    pub status: u16,
    /// The order a checkout answered with.
    pub order_id: Option<i64>,
}

impl Shot {
    pub fn answered_at(&self) -> Duration {
        self.sent + self.took
    }
}

/// Every request of the run, in the order they finished.
#[derive(Clone, Default)]
pub struct Shots(Arc<Mutex<Vec<Shot>>>);

impl Shots {
    pub fn all(&self) -> Vec<Shot> {
        self.0.lock().unwrap().clone()
    }

    fn push(&self, shot: Shot) {
        self.0.lock().unwrap().push(shot);
    }
}

/// Starts shoppers at `rate` per second until `stop` is set; returns when the last has finished.
pub async fn shop(base: String, rate: f64, began: Instant, shots: Shots, stop: Arc<AtomicBool>) {
    at_rate(rate, &stop, |n| {
        Shopper {
            base: base.clone(),
            began,
            shots: shots.clone(),
            car: 1 + (n % 39) as i64,
            key: format!("chaos-{n}"),
        }
        .run()
    })
    .await;
}

/// The open model: the `n`th task (from 1) started on time, `rate` a second whatever the
/// answers, until `stop` is set; returns when the last has finished.
pub async fn at_rate<F>(rate: f64, stop: &AtomicBool, mut start: impl FnMut(u64) -> F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut started = tokio::task::JoinSet::new();
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        n += 1;
        started.spawn(start(n));
        while started.try_join_next().is_some() {}
    }
    while started.join_next().await.is_some() {}
}

struct Shopper {
    base: String,
    began: Instant,
    shots: Shots,
    car: i64,
    key: String,
}

impl Shopper {
    async fn run(self) {
        let client = Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let cars = format!("{}/api/cars", self.base);
        if self.send(Step::Browse, client.get(&cars)).await.0 != 200 {
            return;
        }
        let car = format!("{cars}/{}", self.car);
        self.send(Step::View, client.get(car)).await;
        let cart = client
            .post(format!("{}/api/cart", self.base))
            .json(&json!({ "car_id": self.car, "quantity": 1 }));
        if self.send(Step::AddToCart, cart).await.0 != 201 {
            return;
        }
        let customer =
            json!({ "customer_name": "Chaos Shopper", "customer_email": "chaos@example.com" });
        let checkout = || {
            client
                .post(format!("{}/api/checkout", self.base))
                .header("Idempotency-Key", &self.key)
                .json(&customer)
        };
        // An answer lost on the way is retried once with the same key: it must not buy twice.
        if self.send(Step::Checkout, checkout()).await.0 == 0 {
            self.send(Step::Checkout, checkout()).await;
        }
    }

    async fn send(&self, step: Step, request: reqwest::RequestBuilder) -> (u16, Option<Value>) {
        let sent = self.began.elapsed();
        let started = Instant::now();
        let (status, body) = match request.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                (status, resp.json::<Value>().await.ok())
            }
            Err(_) => (0, None),
        };
        let order_id = match (step, status) {
            (Step::Checkout, 201) => body.as_ref().and_then(|b| b["order_id"].as_i64()),
            _ => None,
        };
        self.shots.push(Shot {
            step,
            sent,
            took: started.elapsed(),
            status,
            order_id,
        });
        (status, body)
    }
}

/// The `q` quantile of the durations, in milliseconds; 0 for none.
pub fn quantile_ms(mut took: Vec<Duration>, q: f64) -> f64 {
    if took.is_empty() {
        return 0.0;
    }
    took.sort();
    let rank = ((took.len() as f64 * q).ceil() as usize).clamp(1, took.len());
    took[rank - 1].as_secs_f64() * 1000.0
}
