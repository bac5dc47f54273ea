//! One virtual shopper's requests, each with its own session cookie, as a browser would send them.

use super::mix::Visit;
use super::tally::Outcome;
use super::SessionCookie;
use crate::domain::SessionId;
use rand::Rng;
use reqwest::{Client, StatusCode};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The built-in catalog's car ids.
const CAR_IDS: std::ops::RangeInclusive<i64> = 1..=39;
/// A shopper starts a new session after this many cars, so no cart line ever fills up.
const CARS_PER_SESSION: u32 = 20;

/// `POST /api/cart`, as the store's own page sends it.
#[derive(Serialize)]
struct AddToCart {
    car_id: i64,
    quantity: u32,
}

/// `POST /api/checkout`; the session travels in the cookie.
#[derive(Serialize)]
struct CheckoutBody {
    customer_name: &'static str,
    customer_email: &'static str,
}

#[derive(Default)]
pub struct Shopper {
    session: SessionCookie,
    cars_added: u32,
}

impl Shopper {
    /// Runs one scenario; `since` is when it was due (open model) or started (closed model), so
    /// time spent waiting to be sent counts as latency.
    pub async fn act(
        &mut self,
        client: &Client,
        base: &str,
        scenario: Visit,
        since: Instant,
    ) -> Vec<Outcome> {
        let car = rand::thread_rng().gen_range(CAR_IDS);
        match scenario {
            Visit::Browse => vec![
                self.get(client, format!("{base}/api/cars"), "GET /api/cars", since)
                    .await,
            ],
            Visit::View => vec![
                self.get(
                    client,
                    format!("{base}/api/cars/{car}"),
                    "GET /api/cars/{id}",
                    since,
                )
                .await,
            ],
            Visit::AddToCart => {
                if self.cars_added >= CARS_PER_SESSION {
                    *self = Shopper::default();
                }
                self.cars_added += 1;
                vec![self.add(client, base, car, since).await]
            }
            Visit::Checkout => {
                // A new shopper buys one car: checkouts never race for one cart.
                let buyer = Shopper::default();
                let added = buyer.add(client, base, car, since).await;
                if added.status != Some(201) {
                    return vec![added];
                }
                let key = SessionId::new_random();
                let body = CheckoutBody {
                    customer_name: "Load Test",
                    customer_email: "load@example.com",
                };
                let request = client
                    .post(format!("{base}/api/checkout"))
                    .header("Idempotency-Key", key.as_str())
                    .json(&body);
                let paid = buyer
                    .send(request, "POST /api/checkout", Instant::now())
                    .await;
                vec![added, paid]
            }
        }
    }

    async fn get(
        &self,
        client: &Client,
        url: String,
        route: &'static str,
        since: Instant,
    ) -> Outcome {
        self.send(client.get(url), route, since).await
    }

    async fn add(&self, client: &Client, base: &str, car: i64, since: Instant) -> Outcome {
        let request = client.post(format!("{base}/api/cart")).json(&AddToCart {
            car_id: car,
            quantity: 1,
        });
        self.send(request, "POST /api/cart", since).await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        route: &'static str,
        since: Instant,
    ) -> Outcome {
        let answer = self.session.attach(request).send().await;
        let (status, reason) = match answer {
            Ok(resp) => {
                self.session.learn(&resp);
                let status = resp.status();
                let reason = if status.is_success() {
                    None
                } else {
                    Some(error_code(resp).await)
                };
                (Some(status.as_u16()), reason)
            }
            Err(e) if e.is_timeout() => (None, Some("timeout".to_owned())),
            Err(e) if e.is_connect() => (None, Some("connect".to_owned())),
            Err(_) => (None, Some("transport".to_owned())),
        };
        Outcome {
            route,
            status,
            reason,
            latency: since.elapsed(),
        }
    }
}

/// The store's error code (`cart_unavailable`), or the status when the body has none.
async fn error_code(resp: reqwest::Response) -> String {
    let status: StatusCode = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    body["error"]
        .as_str()
        .map_or_else(|| format!("http_{}", status.as_u16()), str::to_owned)
}

/// One client for all shoppers: connections are pooled, cookies are set per request.
pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(1024)
        .build()
        .expect("an HTTP client without TLS always builds")
}
