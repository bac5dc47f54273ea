//! What a load run measured: every request's latency in an HDR histogram, and the answers
//! counted by route and status, errors by status and reason.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies are kept in microseconds, 1 µs to 10 minutes, to three significant figures.
const MAX_MICROS: u64 = 600_000_000;

/// How one request ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `POST /api/cart`: the method and route pattern, as the server's metrics name it.
    pub route: &'static str,
    /// The HTTP status, or `None` when no answer came (refused, timed out).
    pub status: Option<u16>,
    /// The error code of a refusal (`cart_unavailable`), or what went wrong without an answer.
    pub reason: Option<String>,
    pub latency: Duration,
}

#[derive(Debug, Clone)]
pub struct Tally {
    latency: Histogram<u64>,
    /// The same latencies per route: a checkout is slower than a catalog read.
    route_latency: BTreeMap<&'static str, Histogram<u64>>,
    pub by_route: BTreeMap<(&'static str, Option<u16>), u64>,
    pub errors: BTreeMap<(Option<u16>, String), u64>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            latency: histogram(),
            route_latency: BTreeMap::new(),
            by_route: BTreeMap::new(),
            errors: BTreeMap::new(),
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("valid bounds")
}

#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorCount {
    pub status: Option<u16>,
    pub reason: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteCount {
    pub route: &'static str,
    pub status: Option<u16>,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteLatency {
    pub route: &'static str,
    pub latency: Percentiles,
}

/// A run's (or one second's) figures.
#[derive(Debug, Clone, Serialize)]
pub struct LoadSummary {
    pub seconds: f64,
    pub requests: u64,
    pub errors: u64,
    pub requests_per_sec: f64,
    pub latency: Percentiles,
    pub errors_by_reason: Vec<ErrorCount>,
    pub by_route: Vec<RouteCount>,
    pub latency_by_route: Vec<RouteLatency>,
}

impl Tally {
    pub fn record(&mut self, outcome: Outcome) {
        let micros = (outcome.latency.as_micros() as u64).clamp(1, MAX_MICROS);
        self.latency.saturating_record(micros);
        self.route_latency
            .entry(outcome.route)
            .or_insert_with(histogram)
            .saturating_record(micros);
        *self
            .by_route
            .entry((outcome.route, outcome.status))
            .or_default() += 1;
        let failed = outcome.status.is_none_or(|s| s >= 400);
        if failed {
            let reason = outcome.reason.unwrap_or_else(|| "unknown".into());
            *self.errors.entry((outcome.status, reason)).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        let _ = self.latency.add(&other.latency);
        for (route, h) in &other.route_latency {
            let _ = self
                .route_latency
                .entry(route)
                .or_insert_with(histogram)
                .add(h);
        }
        for (k, v) in &other.by_route {
            *self.by_route.entry(*k).or_default() += v;
        }
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
    }

    pub fn requests(&self) -> u64 {
        self.latency.len()
    }

    pub fn summary(&self, elapsed: Duration) -> LoadSummary {
        let seconds = elapsed.as_secs_f64();
        LoadSummary {
            seconds,
            requests: self.requests(),
            errors: self.errors.values().sum(),
            requests_per_sec: if seconds > 0.0 {
                self.requests() as f64 / seconds
            } else {
                0.0
            },
            latency: percentiles(&self.latency),
            errors_by_reason: self
                .errors
                .iter()
                .map(|((status, reason), count)| ErrorCount {
                    status: *status,
                    reason: reason.clone(),
                    count: *count,
                })
                .collect(),
            by_route: self
                .by_route
                .iter()
                .map(|((route, status), count)| RouteCount {
                    route,
                    status: *status,
                    count: *count,
                })
                .collect(),
            latency_by_route: self
                .route_latency
                .iter()
                .map(|(route, h)| RouteLatency {
                    route,
                    latency: percentiles(h),
                })
                .collect(),
        }
    }
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    Percentiles {
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p95_ms: ms(0.95),
        p99_ms: ms(0.99),
        max_ms: h.max() as f64 / 1000.0,
    }
}

impl LoadSummary {
    /// The closing report for people.
    pub fn to_text(&self) -> String {
        let l = &self.latency;
        let mut text = format!(
            "{} requests in {:.1} s: {:.0} requests/s, {} errors\n\
             latency  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n",
            self.requests,
            self.seconds,
            self.requests_per_sec,
            self.errors,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms
        );
        for r in &self.latency_by_route {
            let l = &r.latency;
            text.push_str(&format!(
                "  {:<22} p50 {:.2} ms  p99 {:.2} ms\n",
                r.route, l.p50_ms, l.p99_ms
            ));
        }
        for e in &self.errors_by_reason {
            let status = e.status.map_or("no answer".to_owned(), |s| s.to_string());
            text.push_str(&format!("  {:>8} × {status} {}\n", e.count, e.reason));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(ms: u64, status: Option<u16>, reason: Option<&str>) -> Outcome {
        Outcome {
            route: "GET /api/cars",
            status,
            reason: reason.map(str::to_owned),
            latency: Duration::from_millis(ms),
        }
    }

    #[test]
    fn percentiles_come_from_the_recorded_latencies() {
        let mut tally = Tally::default();
        for ms in 1..=100 {
            tally.record(outcome(ms, Some(200), None));
        }
        let s = tally.summary(Duration::from_secs(2));
        assert_eq!(s.requests, 100);
        assert_eq!(s.requests_per_sec, 50.0);
        // Three significant figures: within 0.1 % of the true value.
        let near = |got: f64, want: f64| (got - want).abs() <= want * 0.001 + 0.001;
        assert!(near(s.latency.p50_ms, 50.0), "{:?}", s.latency);
        assert!(near(s.latency.p90_ms, 90.0), "{:?}", s.latency);
        assert!(near(s.latency.p99_ms, 99.0), "{:?}", s.latency);
        assert!(near(s.latency.max_ms, 100.0), "{:?}", s.latency);
        assert_eq!(s.errors, 0);
    }

    #[test]
    fn errors_are_counted_by_status_and_reason_and_merge() {
        let mut a = Tally::default();
        a.record(outcome(1, Some(503), Some("cart_unavailable")));
        a.record(outcome(1, None, Some("connect")));
        let mut b = Tally::default();
        b.record(outcome(1, Some(503), Some("cart_unavailable")));
        b.record(outcome(1, Some(201), None));
        a.merge(&b);
        let s = a.summary(Duration::from_secs(1));
        assert_eq!((s.requests, s.errors), (4, 3));
        let reasons: Vec<_> = s
            .errors_by_reason
            .iter()
            .map(|e| (e.status, e.reason.as_str(), e.count))
            .collect();
        assert_eq!(
            reasons,
            [(None, "connect", 1), (Some(503), "cart_unavailable", 2)]
        );
        assert!(s.to_text().contains("2 × 503 cart_unavailable"));
    }
}
