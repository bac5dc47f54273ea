//! When each request of an open-model run is due: evenly spaced at the asked rate, whether or
//! not earlier ones have been answered, so a slow server shows up as latency instead of hiding
//! behind fewer requests (coordinated omission).

use std::time::Duration;

/// The due times, from the start of the run, of every request in `duration` at `per_second`.
pub fn due_times(per_second: f64, duration: Duration) -> impl Iterator<Item = Duration> {
    let gap = 1.0 / per_second.max(f64::MIN_POSITIVE);
    let end = duration.as_secs_f64();
    (0u64..)
        .map(move |i| i as f64 * gap)
        .take_while(move |t| *t < end)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_spread_evenly_at_the_rate() {
        let due: Vec<_> = due_times(4.0, Duration::from_secs(2)).collect();
        assert_eq!(due.len(), 8);
        assert_eq!(due[0], Duration::ZERO);
        assert_eq!(due[1], Duration::from_millis(250));
        assert_eq!(due[7], Duration::from_millis(1750));
        assert_eq!(due_times(1000.0, Duration::from_secs(3)).count(), 3000);
        assert_eq!(due_times(0.5, Duration::from_secs(3)).count(), 2);
    }
}
