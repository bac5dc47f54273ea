//! The run's own shopper: it asks the store what a shopper would ask, through the store's own
//! address, so a check sees exactly what a browser sees (the status, the error code, how long
//! the refusal took) — not what the adapters say about themselves.

use crate::domain::{OrderId, SessionId};
use crate::load::SessionCookie;
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A refusal this fast is "at once": no wait for a timeout anywhere on the way.
pub const AT_ONCE_MS: u64 = 500;
/// A car of the built-in catalog.
const CAR: i64 = 7;

/// One answer: its status, error code and how long it took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub code: Option<String>,
    pub order: Option<OrderId>,
    pub took: Duration,
}

impl Answer {
    /// `503 cart_unavailable in 3 ms`.
    pub fn describe(&self) -> String {
        let code = self
            .code
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let order = self
            .order
            .map(|o| format!(" order #{}", o.0))
            .unwrap_or_default();
        format!(
            "{}{code}{order} in {} ms",
            self.status,
            self.took.as_millis()
        )
    }

    pub fn refused_at_once(&self) -> bool {
        self.status == 503 && self.took <= Duration::from_millis(AT_ONCE_MS)
    }
}

pub struct Probe {
    client: Client,
    base: String,
    /// 503s this probe was answered: the summary's "requests refused" leaves them out, since
    /// the checks asked for them.
    refusals: AtomicU64,
}

impl Probe {
    pub fn new(base: &str) -> Probe {
        let client = Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client without TLS always builds");
        Probe {
            client,
            base: base.trim_end_matches('/').to_owned(),
            refusals: AtomicU64::new(0),
        }
    }

    /// A `GET` as a new shopper.
    pub async fn get(&self, path: &str) -> Answer {
        let session = SessionCookie::default();
        self.send(self.client.get(self.url(path)), &session).await
    }

    /// A new shopper puts one car in the cart and checks out under `key`; the checkout's answer,
    /// or the cart's when it was refused.
    pub async fn buy(&self, key: &SessionId) -> Answer {
        let session = SessionCookie::default();
        let added = self.add_car(&session).await;
        if added.status != 201 {
            return added;
        }
        self.checkout(&session, key).await
    }

    pub async fn add_car(&self, session: &SessionCookie) -> Answer {
        let body = json!({"car_id": CAR, "quantity": 1});
        let request = self.client.post(self.url("/api/cart")).json(&body);
        self.send(request, session).await
    }

    /// One try of a checkout of `session`'s cart under `key`.
    pub async fn checkout(&self, session: &SessionCookie, key: &SessionId) -> Answer {
        let body = json!({"customer_name": "Drill Shopper", "customer_email": "drill@example.com"});
        let request = self
            .client
            .post(self.url("/api/checkout"))
            .header("Idempotency-Key", key.as_str())
            .json(&body);
        self.send(request, session).await
    }

    /// Whether `session`'s cart still holds a car.
    pub async fn cart_holds_a_car(&self, session: &SessionCookie) -> bool {
        let request = session.attach(self.client.get(self.url("/api/cart")));
        let Ok(resp) = request.send().await else {
            return false;
        };
        let cart: Value = resp.json().await.unwrap_or_default();
        cart["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    }

    /// How many 503s this probe has been answered.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder, session: &SessionCookie) -> Answer {
        let started = Instant::now();
        let Ok(resp) = session.attach(request).send().await else {
            return Answer {
                status: 0,
                code: Some("unreachable".into()),
                order: None,
                took: started.elapsed(),
            };
        };
        session.learn(&resp);
        let status = resp.status().as_u16();
        if status == 503 {
            self.refusals.fetch_add(1, Ordering::Relaxed);
        }
        let body: Value = resp.json().await.unwrap_or_default();
        Answer {
            status,
            code: body["error"].as_str().map(str::to_owned),
            order: body["order_id"].as_i64().map(OrderId),
            took: started.elapsed(),
        }
    }
}
