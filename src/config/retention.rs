//! How long data that has served its purpose is kept: abandoned carts, idempotency keys, order
//! events already published. Past it, the janitor prunes them (Redis expires carts itself).

use anyhow::bail;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

/// What each kind of leftover is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A cart nobody read or changed for this long is dropped.
    pub carts: Duration,
    /// A checkout's idempotency key is forgotten this long after the checkout: a retry later
    /// than that is a new order.
    pub idempotency_keys: Duration,
    /// An order event is deleted from the outbox this long after the queue confirmed it (and
    /// never while its order is still pending, which may need it sent again).
    pub sent_outbox: Duration,
    /// An account nobody signed into for this long, that never placed an order, is deleted:
    /// sign-up is open to anyone, so what it makes must not grow without end.
    pub idle_accounts: Duration,
}

impl Default for Retention {
    /// A day for what a shopper may come back to; an hour of published events, enough to look
    /// at what just happened with `SELECT * FROM outbox` without keeping every event forever.
    fn default() -> Self {
        Retention {
            carts: 24 * HOUR,
            idempotency_keys: 24 * HOUR,
            sent_outbox: HOUR,
            idle_accounts: 90 * 24 * HOUR,
        }
    }
}

impl Retention {
    /// How often the janitor looks: a tenth of the shortest retention, between 1 s and 1 min,
    /// so rows outlive their retention by at most a tenth of it (or a minute).
    pub fn prune_every(&self) -> Duration {
        let shortest = self.carts.min(self.idempotency_keys).min(self.sent_outbox);
        (shortest / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
    }
}

/// Each retention from its setting (flag, variable or config file, already layered), else
/// the default: `[carts, idempotency keys, outbox, idle accounts]`.
pub(super) fn layered(given: [Option<String>; 4]) -> anyhow::Result<Retention> {
    let [carts, keys, outbox, accounts] = given;
    let pick = |given: Option<String>, what: &str, default| {
        given.map_or(Ok(default), |text| parse_retention(&text, what))
    };
    let default = Retention::default();
    Ok(Retention {
        carts: pick(carts, "cart retention", default.carts)?,
        idempotency_keys: pick(keys, "idempotency retention", default.idempotency_keys)?,
        sent_outbox: pick(outbox, "outbox retention", default.sent_outbox)?,
        idle_accounts: pick(accounts, "account retention", default.idle_accounts)?,
    })
}

/// A retention such as `90s`, `15m`, `24h` or `7d`: from a second to a year.
pub fn parse_retention(text: &str, what: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("{what} {text:?} must be a whole number with s, m, h or d, e.g. 24h"),
    };
    let secs = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_secs))
        .filter(|s| (1..=365 * 86_400).contains(s));
    match secs {
        Some(secs) => Ok(Duration::from_secs(secs)),
        None => bail!("{what} {text:?} must be between 1s and 365d"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retentions_parse_with_units_and_bounds() {
        let parse = |t| parse_retention(t, "outbox retention");
        assert_eq!(parse("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse("24h").unwrap(), 24 * HOUR);
        assert_eq!(parse("7d").unwrap(), 7 * 24 * HOUR);
        for bad in [
            "",
            "24",
            "0s",
            "1.5h",
            "-1h",
            "366d",
            "1w",
            "99999999999999999999d",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("outbox retention"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_janitor_looks_ten_times_per_shortest_retention_within_a_second_and_a_minute() {
        assert_eq!(Retention::default().prune_every(), Duration::from_secs(60));
        let short = Retention {
            sent_outbox: Duration::from_secs(60),
            ..Retention::default()
        };
        assert_eq!(short.prune_every(), Duration::from_secs(6));
        let tiny = Retention {
            carts: Duration::from_secs(2),
            ..Retention::default()
        };
        assert_eq!(tiny.prune_every(), Duration::from_secs(1));
    }
}
