//! The run's own shopper: it asks the store what a shopper would ask, through the storefront at
//! the store's own address, so a check sees exactly what a browser sees (the status, the error
//! code, how long the refusal took) — not what the adapters say about themselves.

use crate::domain::SessionId;
use crate::load::{Answer, Customer, SessionCookie, Storefront};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A refusal this fast is "at once": no wait for a timeout anywhere on the way.
pub const AT_ONCE_MS: u64 = 500;
/// A car of the built-in catalog.
const CAR: i64 = 7;
const DRILL_SHOPPER: Customer = Customer {
    name: "Drill Shopper",
    email: "drill@example.com",
};

/// A 503 that came at once.
pub fn refused_at_once(answer: &Answer) -> bool {
    answer.is(503) && answer.took <= Duration::from_millis(AT_ONCE_MS)
}

pub struct Probe {
    store: Storefront,
    /// 503s this probe was answered: the summary's "requests refused" leaves them out, since
    /// the checks asked for them.
    refusals: AtomicU64,
}

impl Probe {
    pub fn new(base: &str) -> Probe {
        Probe {
            store: Storefront::new(base, Duration::from_secs(5)),
            refusals: AtomicU64::new(0),
        }
    }

    /// A `GET` as a new shopper.
    pub async fn get(&self, path: &str) -> Answer {
        let session = SessionCookie::default();
        self.counted(self.store.get(&session, path, Instant::now()).await)
    }

    /// A new shopper puts one car in the cart and checks out under `key`; the checkout's answer,
    /// or the cart's when it was refused.
    pub async fn buy(&self, key: &SessionId) -> Answer {
        let session = SessionCookie::default();
        let added = self.add_car(&session).await;
        if !added.is(201) {
            return added;
        }
        self.checkout(&session, key).await
    }

    pub async fn add_car(&self, session: &SessionCookie) -> Answer {
        self.counted(self.store.add_car(session, CAR, Instant::now()).await)
    }

    /// One try of a checkout of `session`'s cart under `key`.
    pub async fn checkout(&self, session: &SessionCookie, key: &SessionId) -> Answer {
        let since = Instant::now();
        let answer = self.store.checkout(session, key, &DRILL_SHOPPER, since);
        self.counted(answer.await)
    }

    /// Whether `session`'s cart still holds a car.
    pub async fn cart_holds_a_car(&self, session: &SessionCookie) -> bool {
        self.store.cart_holds_a_car(session).await
    }

    /// How many 503s this probe has been answered.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }

    fn counted(&self, answer: Answer) -> Answer {
        if answer.is(503) {
            self.refusals.fetch_add(1, Ordering::Relaxed);
        }
        answer
    }
}
