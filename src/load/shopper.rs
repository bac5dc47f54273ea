//! One virtual shopper of a load run: what it does on each visit, through the storefront, each
//! shopper with its own session cookie as a browser would have.

use super::mix::Visit;
use super::storefront::{Answer, Customer, SessionCookie, Storefront};
use super::tally::Outcome;
use crate::domain::SessionId;
use rand::Rng;
use std::time::Instant;

/// The built-in catalog's car ids.
const CAR_IDS: std::ops::RangeInclusive<i64> = 1..=39;
/// A shopper starts a new session after this many cars, so no cart line ever fills up.
const CARS_PER_SESSION: u32 = 20;
const LOAD_TEST: Customer = Customer {
    name: "Load Test",
    email: "load@example.com",
};

#[derive(Default)]
pub struct Shopper {
    session: SessionCookie,
    cars_added: u32,
}

impl Shopper {
    /// Makes one visit; `since` is when it was due (open model) or started (closed model), so
    /// time spent waiting to be sent counts as latency.
    pub async fn act(&mut self, store: &Storefront, visit: Visit, since: Instant) -> Vec<Outcome> {
        let car = rand::thread_rng().gen_range(CAR_IDS);
        match visit {
            Visit::Browse => {
                let answer = store.get(&self.session, "/api/cars", since).await;
                vec![outcome("GET /api/cars", answer)]
            }
            Visit::View => {
                let answer = store
                    .get(&self.session, &format!("/api/cars/{car}"), since)
                    .await;
                vec![outcome("GET /api/cars/{id}", answer)]
            }
            Visit::AddToCart => {
                if self.cars_added >= CARS_PER_SESSION {
                    *self = Shopper::default();
                }
                self.cars_added += 1;
                let answer = store.add_car(&self.session, car, since).await;
                vec![outcome("POST /api/cart", answer)]
            }
            Visit::Checkout => {
                // A new shopper buys one car: checkouts never race for one cart.
                let buyer = SessionCookie::default();
                let added = store.add_car(&buyer, car, since).await;
                if !added.is(201) {
                    return vec![outcome("POST /api/cart", added)];
                }
                let key = SessionId::new_random();
                let paid = store
                    .checkout(&buyer, &key, &LOAD_TEST, Instant::now())
                    .await;
                vec![
                    outcome("POST /api/cart", added),
                    outcome("POST /api/checkout", paid),
                ]
            }
        }
    }
}

/// An answer as the tally counts it: a failure by the store's error code, or by its status
/// when the body names none.
fn outcome(route: &'static str, answer: Answer) -> Outcome {
    let failed = answer.status.is_none_or(|s| s >= 400);
    let reason = failed.then(|| {
        let status = answer.status.unwrap_or_default();
        answer.code.unwrap_or_else(|| format!("http_{status}"))
    });
    Outcome {
        route,
        status: answer.status,
        reason,
        latency: answer.took,
    }
}
