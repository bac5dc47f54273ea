//! Stopping a store under load and starting it again, as an operator or Kubernetes would: with
//! SIGKILL (gone at once), or with SIGTERM (drain, then stop). Checkouts are made to be on their
//! way at the signal, and each stop is noted with what the store, haproxy and the test saw.

use crate::helpers::pace;
use crate::replicas_fleet::{stops_accepting, HeldRequest, Proc};
use crate::replicas_haproxy::Haproxy;
use crate::replicas_load::{Burst, Shots};
use crate::replicas_views::{readyz_turns_503, status_of};
use std::ops::Range;
use std::time::{Duration, Instant};

const BACK_WITHIN: Duration = Duration::from_secs(20);
/// Checkouts sent together just before each signal.
const BURST: u64 = 8;
/// Burst shoppers' numbers start here, clear of the open load's.
const BURST_BASE: u64 = 1_000_000;

/// A store stopped and started again, as it happened (times since the load began).
pub struct Stop {
    pub name: String,
    pub at: Duration,
    /// Requests on the store by haproxy's count just before the signal.
    pub in_flight: u64,
    /// The burst's shoppers (`Shot::shopper`), whose checkouts were on their way at the signal.
    pub burst: Range<u64>,
    /// Requests in flight by the store's own log: at SIGTERM, and when it stopped accepting.
    pub logged_in_flight: (Option<u64>, Option<u64>),
    /// When `/readyz` first answered 503 after SIGTERM.
    pub not_ready_after: Option<Duration>,
    /// What a request sent straight to it answered once `/readyz` said 503.
    pub served_when_not_ready: Option<u16>,
    /// When haproxy took it out of the rotation.
    pub out_after: Option<Duration>,
    /// When it stopped accepting connections: the drain's end.
    pub closed_after: Option<Duration>,
    /// The answer to a request it had begun to read at SIGTERM and got the rest of after its
    /// drain.
    pub held: Option<u16>,
    /// How it exited, and when.
    pub exit: Option<(std::process::ExitStatus, Duration)>,
    /// When haproxy had it back in the rotation.
    pub back_at: Duration,
    /// What it said from the signal to its exit.
    pub said: Vec<String>,
}

/// The run the stops happen in.
pub struct Stopper<'a> {
    pub haproxy: &'a Haproxy,
    pub shots: Shots,
    pub began: Instant,
    pub bursts: u64,
}

impl Stopper<'_> {
    async fn burst(&mut self) -> (Burst, Range<u64>) {
        let first = BURST_BASE + self.bursts * BURST;
        self.bursts += 1;
        let burst = Burst::prepare(&self.haproxy.url, first, BURST, self.began, &self.shots).await;
        (burst, first..first + BURST)
    }

    fn stop(&self, store: &Proc, at: Duration, in_flight: u64, burst: Range<u64>) -> Stop {
        Stop {
            name: store.name.clone(),
            at,
            in_flight,
            burst,
            logged_in_flight: (None, None),
            not_ready_after: None,
            served_when_not_ready: None,
            out_after: None,
            closed_after: None,
            held: None,
            exit: None,
            back_at: Duration::ZERO,
            said: Vec::new(),
        }
    }

    /// SIGKILL while a burst of checkouts goes through haproxy, then started again as soon as
    /// haproxy has noticed.
    pub async fn kill_and_restart(&mut self, store: &mut Proc) -> Stop {
        let (burst, shoppers) = self.burst().await;
        let released = burst.release(&self.haproxy.url);
        pace(Duration::from_millis(3)).await; // the burst on its way at the signal
        let in_flight = self.haproxy.servers().await[&store.name].current;
        let mut stop = self.stop(store, self.began.elapsed(), in_flight, shoppers);
        store.kill();
        self.haproxy
            .wait_for(&store.name, "DOWN", BACK_WITHIN)
            .await;
        stop.out_after = Some(self.began.elapsed() - stop.at);
        released.await.unwrap();
        store.start().await;
        self.haproxy.wait_for(&store.name, "UP", BACK_WITHIN).await;
        stop.back_at = self.began.elapsed();
        stop
    }

    /// SIGTERM with a burst of checkouts sent straight to the store and a request it has begun
    /// to read: `/readyz` should say 503 at once, haproxy take the store out, the store go on
    /// serving for its drain, then stop accepting, finish what it holds and exit 0. Then it is
    /// started again and waited for in the rotation.
    pub async fn restart_gracefully(&mut self, store: &mut Proc) -> Stop {
        let (burst, shoppers) = self.burst().await;
        let held = HeldRequest::open(store).await;
        let log_from = store.log_len();
        let released = burst.release(&store.url);
        pace(Duration::from_millis(3)).await; // the burst on its way at the signal
        let in_flight = self.haproxy.servers().await[&store.name].current;
        let mut stop = self.stop(store, self.began.elapsed(), in_flight, shoppers);
        let since = || self.began.elapsed() - stop.at;
        store.sigterm();
        if readyz_turns_503(&store.url, Duration::from_secs(1)).await {
            stop.not_ready_after = Some(since());
        }
        stop.served_when_not_ready = Some(status_of(&format!("{}/api/cars", store.url)).await);
        let out = self
            .haproxy
            .reaches(&store.name, "DOWN", Duration::from_secs(5));
        stop.out_after = out.await.then(since);
        stop.closed_after = stops_accepting(store, Duration::from_secs(15))
            .await
            .then(since);
        stop.held = Some(held.finish().await);
        released.await.unwrap();
        stop.exit = store
            .exited(Duration::from_secs(30))
            .await
            .map(|s| (s, since()));
        if stop.exit.is_none() {
            store.kill(); // still running after 30 s: the judge says so; the test goes on
        }
        stop.logged_in_flight = (
            logged_in_flight(store, log_from, "SIGTERM: draining").await,
            logged_in_flight(store, log_from, "stopping: no new connections").await,
        );
        stop.said = store.said_since(log_from);
        store.start().await;
        self.haproxy.wait_for(&store.name, "UP", BACK_WITHIN).await;
        stop.back_at = self.began.elapsed();
        stop
    }
}

/// The `in_flight=` of the store's first line after `from` that says `what`.
async fn logged_in_flight(store: &Proc, from: usize, what: &str) -> Option<u64> {
    let line = store.said_after(from, what).await?;
    let value = line.split("in_flight=").nth(1)?;
    value.split_whitespace().next()?.parse().ok()
}
