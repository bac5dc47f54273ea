//! The store's Prometheus metrics: every name starts with `carstore_`, values are in base units,
//! and labels are bounded (route patterns, never raw paths or ids). Counters the request path
//! bumps live here; figures that belong to other parts (queue depth, health, the process) are
//! read at scrape time into a [`Sample`] so they are measured, never remembered.

pub mod process;
mod sampled;

pub use sampled::{Labels, Sample};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use sampled::SampledCollector;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CartLabels {
    pub operation: &'static str,
    pub result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StreamLabels {
    pub stream: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ControlLabels {
    pub service: &'static str,
    pub action: &'static str,
    pub result: &'static str,
}

/// Request latency buckets, in seconds: 0.25 ms to about 8 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 8.0,
    10.0,
];

pub struct Metrics {
    registry: Registry,
    sample: SampledCollector,
    scraping: std::sync::Mutex<()>,
    pub requests: Family<RequestLabels, Counter>,
    pub request_duration: Family<RouteLabels, Histogram>,
    pub orders_created: Counter,
    pub checkout_failures: Family<ReasonLabels, Counter>,
    pub cart_operations: Family<CartLabels, Counter>,
    pub sse_clients: Family<StreamLabels, Gauge>,
    pub control_actions: Family<ControlLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// The store's metrics: what its requests count, then the common ones.
    pub fn new() -> Metrics {
        let mut m = Metrics::unregistered();
        m.register_store_families();
        m.register_common();
        m
    }

    /// A worker's metrics: it serves no shoppers, so only the build and the figures sampled at
    /// scrape time (orders processed, outbox, queues, services, the process).
    pub fn for_worker() -> Metrics {
        let mut m = Metrics::unregistered();
        m.register_common();
        m
    }

    fn unregistered() -> Metrics {
        Metrics {
            registry: Registry::with_prefix("carstore"),
            sample: SampledCollector::default(),
            scraping: std::sync::Mutex::default(),
            requests: Family::default(),
            request_duration: Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS)),
            orders_created: Counter::default(),
            checkout_failures: Family::default(),
            cart_operations: Family::default(),
            sse_clients: Family::default(),
            control_actions: Family::default(),
        }
    }

    fn register_store_families(&mut self) {
        let r = &mut self.registry;
        r.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            self.requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "HTTP request latency, by method and route pattern",
            Unit::Seconds,
            self.request_duration.clone(),
        );
        r.register(
            "orders_created",
            "Orders placed at checkout",
            self.orders_created.clone(),
        );
        r.register(
            "checkout_failures",
            "Checkouts refused, by reason (the error code)",
            self.checkout_failures.clone(),
        );
        r.register(
            "cart_operations",
            "Cart operations, by operation and result",
            self.cart_operations.clone(),
        );
        r.register(
            "sse_clients",
            "Server-sent event streams open, by stream (events, logs)",
            self.sse_clients.clone(),
        );
        r.register(
            "control_actions",
            "Start/stop/restart actions, by service, action and result",
            self.control_actions.clone(),
        );
    }

    fn register_common(&mut self) {
        let r = &mut self.registry;
        // A gauge fixed at 1, not the OpenMetrics info type, which promtool does not read.
        let build = Family::<Vec<(&'static str, &'static str)>, Gauge>::default();
        build
            .get_or_create(&vec![("version", env!("CARGO_PKG_VERSION"))])
            .set(1);
        r.register(
            "build_info",
            "The running build's version, as a label; always 1",
            build,
        );
        r.register_collector(Box::new(self.sample.clone()));
    }

    /// Counts an open server-sent event stream until the returned guard is dropped.
    pub fn sse_client(&self, stream: &'static str) -> SseClient {
        let gauge = self
            .sse_clients
            .get_or_create(&StreamLabels { stream })
            .clone();
        gauge.inc();
        SseClient(gauge)
    }

    /// The exposition text for one scrape, with this scrape's sampled figures.
    pub fn encode(&self, sample: Sample) -> String {
        // One scrape at a time, so a concurrent one cannot swap the figures mid-encoding.
        let _one_at_a_time = self.scraping.lock().unwrap_or_else(|p| p.into_inner());
        *self.sample.0.lock().unwrap_or_else(|p| p.into_inner()) = sample;
        let mut text = String::with_capacity(16 * 1024);
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        classic_text(&text)
    }
}

/// One open event stream, counted in `carstore_sse_clients` while it lives.
pub struct SseClient(Gauge);

impl Drop for SseClient {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The Prometheus text format (0.0.4) from OpenMetrics text: counter families are named with
/// their `_total` in `HELP` and `TYPE`, and the `UNIT` and `EOF` lines go. Every Prometheus
/// reads this format, and `promtool check metrics` lints it.
fn classic_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len() + 256);
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "]
            .into_iter()
            .find(|p| line.starts_with(p));
        match meta {
            Some(prefix) => {
                let rest = &line[prefix.len()..];
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let total = if counters.contains(name) {
                    "_total"
                } else {
                    ""
                };
                out.push_str(&format!("{prefix}{name}{total} {tail}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_named_with_total_in_the_classic_format() {
        let text = "# HELP a_orders Orders.\n# TYPE a_orders counter\na_orders_total 3\n\
                    # HELP a_up Up.\n# TYPE a_up gauge\n# UNIT a_up seconds\na_up 1\n# EOF\n";
        assert_eq!(
            classic_text(text),
            "# HELP a_orders_total Orders.\n# TYPE a_orders_total counter\na_orders_total 3\n\
             # HELP a_up Up.\n# TYPE a_up gauge\na_up 1\n"
        );
    }

    #[test]
    fn every_name_is_prefixed_and_counters_end_in_total() {
        let metrics = Metrics::new();
        metrics.orders_created.inc();
        let text = metrics.encode(Sample::default());
        assert!(text.contains("# TYPE carstore_orders_created_total counter"));
        assert!(text.contains("carstore_orders_created_total 1"));
        assert!(text.contains("carstore_build_info{version="));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.starts_with("carstore_"), "{line}");
        }
    }

    #[test]
    fn a_worker_has_the_build_and_sampled_figures_but_no_request_families() {
        let mut sample = Sample::default();
        sample
            .counter("orders_processed", "Orders processed", None)
            .set(vec![], 2.0);
        let text = Metrics::for_worker().encode(sample);
        assert!(text.contains("carstore_build_info{version="), "{text}");
        assert!(text.contains("carstore_orders_processed_total 2"), "{text}");
        assert!(!text.contains("http_requests"), "{text}");
        assert!(!text.contains("orders_created"), "{text}");
    }
}
