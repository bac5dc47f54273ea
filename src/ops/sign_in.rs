//! Wrong admin tokens counted in this process's memory, for when the session store (where
//! `http::admin` counts them for every replica) cannot be reached: a few within a minute put
//! that client over the limit for a while, answered 429 for a wrong token (the right one is
//! always let in). Bounded to a number of addresses; IPv6 clients are counted per /64, the
//! block one host usually has. The client is the one `http::forwarded::address` names: the TCP
//! peer, or behind a trusted proxy the forwarded client.

use crate::access::client_key;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Wrong tokens allowed from one client within `WINDOW`; the next locks it out.
pub const MAX_FAILURES: u32 = 5;
/// The window failures are counted in, from the first of them.
pub const WINDOW: Duration = Duration::from_secs(60);
/// How long a locked-out client is refused without its token even being looked at.
pub const LOCKOUT: Duration = Duration::from_secs(300);
/// Clients remembered at most; beyond it the oldest are forgotten first.
pub const CAPACITY: usize = 10_000;

/// One client's failures in its current window.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

impl Failures {
    /// Past its window and not locked, or past its lockout: nothing left to remember.
    fn is_stale(&self, now: Instant) -> bool {
        match self.locked_until {
            Some(until) => now >= until,
            None => now >= self.since + WINDOW,
        }
    }
}

/// Failed sign-ins per client, bounded to `CAPACITY` clients.
#[derive(Debug, Default)]
pub struct SignInLimiter(Mutex<HashMap<String, Failures>>);

impl SignInLimiter {
    /// `Err(retry_after)` while `client` is locked out.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let clients = self.0.lock();
        match clients
            .get(&client_key(client))
            .and_then(|f| f.locked_until)
        {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a wrong token from `client`; `Some(lockout)` when this one locked it out.
    pub fn failed(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let key = client_key(client);
        let mut clients = self.0.lock();
        if !clients.contains_key(&key) && clients.len() >= CAPACITY {
            make_room(&mut clients, now);
        }
        let fresh = Failures {
            count: 0,
            since: now,
            locked_until: None,
        };
        let failures = clients.entry(key).or_insert(fresh);
        if failures.is_stale(now) {
            *failures = fresh;
        }
        failures.count += 1;
        if failures.count < MAX_FAILURES {
            return None;
        }
        failures.locked_until = Some(now + LOCKOUT);
        Some(LOCKOUT)
    }

    /// Clients remembered now (for tests of the bound).
    pub fn remembered(&self) -> usize {
        self.0.lock().len()
    }
}

/// Forgets every stale client; if none was, the client not locked out whose count began longest
/// ago (a locked-out one only when every client is locked out), so a flood of new addresses
/// does not free a locked-out guesser. Only a full map pays for this scan.
fn make_room(clients: &mut HashMap<String, Failures>, now: Instant) {
    clients.retain(|_, f| !f.is_stale(now));
    if clients.len() < CAPACITY {
        return;
    }
    let oldest = clients
        .iter()
        .min_by_key(|(_, f)| (f.locked_until.is_some(), f.since))
        .map(|(k, _)| k.clone());
    if let Some(oldest) = oldest {
        clients.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_fifth_failure_in_a_minute_locks_the_client_out_for_the_lockout() {
        let (limiter, t0) = (SignInLimiter::default(), Instant::now());
        let client = ip("192.0.2.1");
        for n in 1..MAX_FAILURES {
            assert_eq!(limiter.failed(client, t0), None, "failure {n}");
            assert_eq!(limiter.check(client, t0), Ok(()));
        }
        assert_eq!(limiter.failed(client, t0), Some(LOCKOUT));
        let later = t0 + Duration::from_secs(100);
        assert_eq!(
            limiter.check(client, later),
            Err(LOCKOUT - Duration::from_secs(100))
        );
        assert_eq!(
            limiter.check(ip("192.0.2.2"), later),
            Ok(()),
            "others are not"
        );
        assert_eq!(limiter.check(client, t0 + LOCKOUT), Ok(()));
        assert_eq!(limiter.failed(client, t0 + LOCKOUT), None, "a fresh count");
    }

    #[test]
    fn failures_spread_wider_than_the_window_never_lock() {
        let (limiter, t0) = (SignInLimiter::default(), Instant::now());
        for n in 0..20 {
            let at = t0 + (WINDOW / 2) * n;
            assert_eq!(limiter.failed(ip("192.0.2.1"), at), None);
            assert_eq!(limiter.failed(ip("192.0.2.1"), at), None);
        }
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        let (limiter, t0) = (SignInLimiter::default(), Instant::now());
        for n in 0..MAX_FAILURES {
            limiter.failed(ip(&format!("2001:db8:1:2::{n}")), t0);
        }
        assert!(limiter.check(ip("2001:db8:1:2:ffff::1"), t0).is_err());
        assert!(limiter.check(ip("2001:db8:1:3::1"), t0).is_ok());
        assert_eq!(client_key(ip("::ffff:192.0.2.9")), "192.0.2.9");
    }

    #[test]
    fn memory_stays_bounded_and_locked_clients_outlive_a_flood_of_new_ones() {
        let (limiter, t0) = (SignInLimiter::default(), Instant::now());
        let locked = ip("198.51.100.1");
        for _ in 0..MAX_FAILURES {
            limiter.failed(locked, t0);
        }
        let later = t0 + Duration::from_secs(1);
        for n in 0..(CAPACITY as u32 + 500) {
            limiter.failed(IpAddr::V4((0x0a00_0000 + n).into()), later);
        }
        assert_eq!(limiter.remembered(), CAPACITY);
        assert!(limiter.check(locked, later).is_err(), "still locked out");
    }
}
