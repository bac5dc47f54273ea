//! What makes this process one replica among several: its instance name, shown wherever a
//! person needs to know which replica answered, and how long it drains before stopping.

use anyhow::bail;
use std::time::Duration;

/// Long enough for a load balancer checking `/readyz` twice a second, or Kubernetes' endpoint
/// update, to take the replica out of rotation before it stops accepting.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(5);
const MAX_DRAIN: Duration = Duration::from_secs(300);

/// The instance name: the configured one, else the host name (a pod's name on Kubernetes, a
/// container id under Docker), else `carstore`.
pub(super) fn instance_name(configured: Option<String>) -> anyhow::Result<String> {
    match configured {
        Some(name) => checked_instance(name),
        None => Ok(host_name()
            .and_then(|h| checked_instance(h).ok())
            .unwrap_or_else(|| "carstore".to_owned())),
    }
}

/// A name that is safe in a header, a log line and a metric label: up to 63 letters, digits,
/// '.', '_' or '-' (a DNS label, which a host or pod name already is).
pub(crate) fn checked_instance(name: String) -> anyhow::Result<String> {
    let ok = (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        bail!("instance name {name:?} must be 1 to 63 letters, digits, '.', '_' or '-'");
    }
    Ok(name)
}

fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// `5s`, `500ms` or `0`: between nothing and five minutes.
pub fn parse_drain(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: Option<u64> = number.parse().ok();
    let drain = match (number, unit) {
        (Some(n), "ms") => Some(Duration::from_millis(n)),
        (Some(n), "s") => Some(Duration::from_secs(n)),
        (Some(0), "") => Some(Duration::ZERO),
        _ => None,
    };
    match drain {
        Some(d) if d <= MAX_DRAIN => Ok(d),
        Some(_) => bail!("drain {text:?} must be at most 300s"),
        None => bail!("drain {text:?} must be a whole number with ms or s, e.g. 5s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drain_takes_seconds_milliseconds_or_nothing_within_bounds() {
        assert_eq!(parse_drain("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_drain("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_drain("0").unwrap(), Duration::ZERO);
        for bad in ["", "5", "-1s", "1.5s", "5m", "301s", "s"] {
            assert!(parse_drain(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn instance_names_are_dns_labels_and_the_host_name_is_the_default() {
        assert_eq!(instance_name(Some("store-a".into())).unwrap(), "store-a");
        for bad in ["", "a b", "a\nb", &"x".repeat(64), "café"] {
            assert!(instance_name(Some(bad.to_owned())).is_err(), "{bad:?}");
        }
        let default = instance_name(None).unwrap();
        assert!(!default.is_empty() && default.len() <= 63, "{default}");
    }
}
