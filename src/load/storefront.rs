//! The HTTP shopper: what a shopper asks of the store, sent to its address as the store's own
//! page sends it. The load generator's shoppers and a scenario's probe both shop through it, so
//! each sees what a browser sees: the status, the error code, how long the answer took.

use crate::domain::{OrderId, SessionId};
use parking_lot::Mutex;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, RequestBuilder};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A shopper's session as the store issued it. The store honours only session ids it issued,
/// so a shopper never makes one up: it sends none at first, and keeps the one the first
/// answer's `Set-Cookie` gives it. Shared by the requests of one shopper, some of them at once
/// (a retried checkout).
#[derive(Default)]
pub struct SessionCookie(Mutex<Option<String>>);

impl SessionCookie {
    fn attach(&self, request: RequestBuilder) -> RequestBuilder {
        match self.0.lock().as_deref() {
            Some(pair) => request.header(COOKIE, pair),
            None => request,
        }
    }

    /// Keeps the session cookie an answer sets (the store's plain or `__Host-` one).
    fn learn(&self, resp: &reqwest::Response) {
        let set = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with("session_id=") || pair.starts_with("__Host-session_id="));
        if let Some(pair) = set {
            *self.0.lock() = Some(pair.to_owned());
        }
    }
}

/// One answer: its status (none when nothing came back), the store's error code (or why
/// nothing came back: `timeout`, `connect`, `transport`), the order a checkout placed, and the
/// time since the request was due.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub order: Option<OrderId>,
    pub took: Duration,
}

impl Answer {
    pub fn is(&self, status: u16) -> bool {
        self.status == Some(status)
    }

    /// `503 cart_unavailable in 3 ms`.
    pub fn describe(&self) -> String {
        let status = self.status.map_or("no answer".into(), |s| s.to_string());
        let code = self
            .code
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let order = self
            .order
            .map(|o| format!(" order #{}", o.0))
            .unwrap_or_default();
        format!("{status}{code}{order} in {} ms", self.took.as_millis())
    }
}

/// Who checks out.
pub struct Customer {
    pub name: &'static str,
    pub email: &'static str,
}

/// The store's address and one client for every shopper: connections are pooled, each
/// shopper's cookie is set per request.
#[derive(Clone)]
pub struct Storefront {
    client: Client,
    base: Arc<str>,
}

impl Storefront {
    pub fn new(base: &str, timeout: Duration) -> Storefront {
        let client = Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(1024)
            .build()
            .expect("an HTTP client without TLS always builds");
        let base = base.trim_end_matches('/').into();
        Storefront { client, base }
    }

    pub async fn get(&self, session: &SessionCookie, path: &str, since: Instant) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request, session, since).await
    }

    /// `POST /api/cart` with one of `car`.
    pub async fn add_car(&self, session: &SessionCookie, car: i64, since: Instant) -> Answer {
        let body = json!({ "car_id": car, "quantity": 1 });
        let request = self
            .client
            .post(format!("{}/api/cart", self.base))
            .json(&body);
        self.send(request, session, since).await
    }

    /// One try of a checkout of `session`'s cart under `key`.
    pub async fn checkout(
        &self,
        session: &SessionCookie,
        key: &SessionId,
        customer: &Customer,
        since: Instant,
    ) -> Answer {
        let body = json!({ "customer_name": customer.name, "customer_email": customer.email });
        let request = (self.client.post(format!("{}/api/checkout", self.base)))
            .header("Idempotency-Key", key.as_str())
            .json(&body);
        self.send(request, session, since).await
    }

    /// Whether `session`'s cart still holds a car.
    pub async fn cart_holds_a_car(&self, session: &SessionCookie) -> bool {
        let request = session.attach(self.client.get(format!("{}/api/cart", self.base)));
        let Ok(resp) = request.send().await else {
            return false;
        };
        let cart: Value = resp.json().await.unwrap_or_default();
        cart["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    }

    async fn send(
        &self,
        request: RequestBuilder,
        session: &SessionCookie,
        since: Instant,
    ) -> Answer {
        let resp = match session.attach(request).send().await {
            Ok(resp) => resp,
            Err(e) => {
                let why = match () {
                    _ if e.is_timeout() => "timeout",
                    _ if e.is_connect() => "connect",
                    _ => "transport",
                };
                let code = Some(why.to_owned());
                return Answer {
                    status: None,
                    code,
                    order: None,
                    took: since.elapsed(),
                };
            }
        };
        session.learn(&resp);
        let status = Some(resp.status().as_u16());
        // A plain 200 says nothing a shopper acts on: its body is left unread, which keeps a
        // load run's own cost low. A refusal names its code, a 201 the order or cart it made.
        let body: Value = match resp.status().as_u16() {
            200 => Value::Null,
            _ => resp.json().await.unwrap_or_default(),
        };
        Answer {
            status,
            code: body["error"].as_str().map(str::to_owned),
            order: body["order_id"].as_i64().map(OrderId),
            took: since.elapsed(),
        }
    }
}
