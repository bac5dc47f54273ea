//! What a check reads off the store: the lights as the dashboard shows them, answers to the
//! run's own shopper, the outbox, the dead-letter queue, the load chart's p95, the counters.
//! Each read says what it saw (`503 cart_unavailable in 2 ms`) when the signal shows, and
//! `None` while it does not yet.

use super::actions::Drill;
use super::probe::refused_at_once;
use super::{Light, Signal};
use crate::domain::{OrderStatus, SessionId};
use crate::events::Health;
use crate::load::Answer;
use crate::load::SessionCookie;
use crate::service::Service;
use std::time::Duration;

/// A load run's second older than this is not "now".
const FRESH: Duration = Duration::from_secs(3);

impl Drill {
    pub async fn observe(&mut self, signal: Signal) -> Option<String> {
        match signal {
            Signal::Light(service, want) => self.light(service, want),
            Signal::CartRefusedAtOnce => {
                let answer = self.probe.get("/api/cart").await;
                refused_at_once(&answer).then(|| answer.describe())
            }
            Signal::CartServed => self.answers_ok("/api/cart").await,
            Signal::CatalogServed => self.answers_ok("/api/cars").await,
            Signal::NotReady => {
                let answer = self.probe.get("/readyz").await;
                (answer.is(503)).then(|| answer.describe())
            }
            Signal::CheckoutRefusedAtOnce => self.checkout_refused().await,
            Signal::CheckoutAccepted => {
                let answer = self.buy().await;
                (answer.is(201)).then(|| answer.describe())
            }
            Signal::OrdersPlaced => match self.last_placing {
                Some((asked, accepted)) if asked == accepted => {
                    Some(format!("{accepted} of {asked} answered 201"))
                }
                _ => None,
            },
            Signal::OutboxHolding => self.outbox(|n| n > 0).await,
            Signal::OutboxEmpty => self.outbox(|n| n == 0).await,
            Signal::OrdersSettled => self.settled().await,
            Signal::OrderFailed => self.failed().await,
            Signal::DeadLettered => self.dead_lettered().await,
            Signal::P95Above(ms) => self.p95(|p95| p95 > f64::from(ms)),
            Signal::P95Below(ms) => self.p95(|p95| p95 < f64::from(ms)),
            Signal::LoadRunning => {
                let second = self.state.load.last_second(FRESH)?;
                (second.requests_per_sec > 0.0)
                    .then(|| format!("{:.0} requests a second", second.requests_per_sec))
            }
            Signal::TriesReached => self.tries_reached(),
            Signal::OneOrder => self.one_order(),
            Signal::DuplicatesCounted => self.duplicates_counted(),
        }
    }

    fn light(&self, service: Service, want: Light) -> Option<String> {
        let health = self.state.health.health_of(service)?.health;
        let shows = match health {
            Health::Up | Health::Embedded => Light::Green,
            Health::Degraded => Light::Amber,
            Health::Down => Light::Red,
            Health::Starting => return None,
        };
        if shows != want {
            return None;
        }
        let word = serde_json::to_value(health).ok()?;
        let note = self.state.fault_changes.faults.note(service);
        let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
        Some(format!("{} {}{note}", service.as_str(), word.as_str()?))
    }

    async fn answers_ok(&self, path: &str) -> Option<String> {
        let answer = self.probe.get(path).await;
        (answer.is(200)).then(|| answer.describe())
    }

    /// A new shopper's checkout; an order it makes is the run's.
    pub(super) async fn buy(&mut self) -> Answer {
        let answer = self.probe.buy(&SessionId::new_random()).await;
        self.note_placed(&answer);
        answer
    }

    /// Keeps the order an answer made (a 201), for the checks and the summary.
    fn note_placed(&mut self, answer: &Answer) {
        self.placed.extend(answer.order.filter(|_| answer.is(201)));
    }

    async fn outbox(&self, holds: impl Fn(u64) -> bool) -> Option<String> {
        let stats = self.state.orders.stats().await.ok()?;
        holds(stats.outbox_backlog).then(|| format!("outbox backlog {}", stats.outbox_backlog))
    }

    /// The checkout itself refused at once (not the cart before it), and the cart still
    /// holding the car afterwards, ready for a retry.
    async fn checkout_refused(&mut self) -> Option<String> {
        let session = SessionCookie::default();
        if !self.probe.add_car(&session).await.is(201) {
            return None;
        }
        let answer = self
            .probe
            .checkout(&session, &SessionId::new_random())
            .await;
        self.note_placed(&answer);
        if !refused_at_once(&answer) || !self.probe.cart_holds_a_car(&session).await {
            return None;
        }
        Some(format!("{}, the cart kept", answer.describe()))
    }

    /// Every order the run placed, read back: each processed, none missing. Failed counts only
    /// for an order the poison check saw fail (dead-lettered on purpose).
    async fn settled(&self) -> Option<String> {
        if self.placed.is_empty() {
            return None;
        }
        let (mut processed, mut failed) = (0, 0);
        for id in &self.placed {
            match self.state.orders.order(*id).await.ok()??.status {
                OrderStatus::Processed => processed += 1,
                OrderStatus::Failed if self.poisoned.contains(id) => failed += 1,
                OrderStatus::Failed | OrderStatus::Pending => return None,
            }
        }
        let failed = match failed {
            0 => String::new(),
            n => format!(", {n} failed and dead-lettered"),
        };
        let all = self.placed.len();
        Some(format!("{processed} of {all} processed{failed}, 0 lost"))
    }

    /// An order of this run failed: with a poison fault as the drill, the one poisoned.
    async fn failed(&mut self) -> Option<String> {
        for id in self.placed.clone() {
            let order = self.state.orders.order(id).await.ok()??;
            if order.status == OrderStatus::Failed {
                self.poisoned.push(id);
                return Some(format!("order #{} failed", id.0));
            }
        }
        None
    }

    async fn dead_lettered(&self) -> Option<String> {
        let was = self.baseline.dead_lettered?;
        let now = self.state.queue.depth().await.ok()?.dead_lettered;
        (now > was).then(|| format!("orders.dlq holds {now} (was {was})"))
    }

    fn p95(&self, holds: impl Fn(f64) -> bool) -> Option<String> {
        let second = self.state.load.last_second(FRESH)?;
        let seen = second.requests_per_sec > 0.0 && holds(second.p95_ms);
        seen.then(|| format!("p95 {:.0} ms", second.p95_ms))
    }

    /// Tries the store answered: with the order, or 409 while another try held the cart.
    fn reached(&self) -> usize {
        let held_off = |code: &Option<String>| code.as_deref() == Some("checkout_in_progress");
        let answered = |a: &&Answer| a.is(201) || held_off(&a.code);
        self.tries.iter().filter(answered).count()
    }

    fn tries_reached(&self) -> Option<String> {
        let reached = self.reached();
        let sent = self.tries.len();
        (sent > 1 && reached == sent).then(|| format!("{reached} of {sent} tries answered"))
    }

    fn one_order(&self) -> Option<String> {
        let mut orders: Vec<_> = self.tries.iter().filter_map(|a| a.order).collect();
        orders.sort_by_key(|o| o.0);
        orders.dedup();
        match orders.as_slice() {
            [one] => Some(format!("order #{}", one.0)),
            _ => None,
        }
    }

    fn duplicates_counted(&self) -> Option<String> {
        let repeats = self.tries.iter().filter(|a| a.order.is_some()).count();
        let wanted = repeats.saturating_sub(1) as u64;
        let counted =
            self.state.metrics.checkout_duplicates_suppressed.get() - self.baseline.duplicates;
        (wanted > 0 && counted >= wanted).then(|| format!("+{counted} duplicates suppressed"))
    }
}
