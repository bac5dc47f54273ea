//! The store's Prometheus metrics, every family in one struct and registered in one function:
//! every name starts with `carstore_`, values are in base units, and labels are bounded (route
//! patterns, never raw paths or ids). Counters the request path bumps are live families; figures
//! that belong to other parts (queue depth, health, the process) are [`Scraped`]: read at scrape
//! time (`http/scrape.rs`) so they are measured, never remembered.

mod labels;
pub mod process;
mod register;
mod sampled;
mod text;

pub use labels::{
    CartLabels, ControlLabels, OutcomeLabels, ReasonLabels, RequestLabels, RouteLabels, SseClient,
    StreamLabels, TableLabels,
};
pub use sampled::{Labels, Scraped};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Request latency buckets, in seconds: 0.25 ms to about 8 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 8.0,
    10.0,
];

/// Password hashing buckets, in seconds: 5 ms to 2.5 s (one Argon2id hash is tens of ms).
const HASH_BUCKETS: [f64; 10] = [0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 2.5];

/// Every family, live or scraped. Help texts are in [`Metrics::register`].
pub struct Metrics {
    registry: Registry,
    /// One scrape at a time, so a concurrent one cannot swap the figures mid-encoding.
    scraping: parking_lot::Mutex<()>,
    // What shoppers' requests count; registered only where shoppers are served.
    pub requests: Family<RequestLabels, Counter>,
    pub request_duration: Family<RouteLabels, Histogram>,
    pub orders_created: Counter,
    /// Checkouts answered with the order an earlier try of the same Idempotency-Key made.
    pub checkout_duplicates_suppressed: Counter,
    pub checkout_failures: Family<ReasonLabels, Counter>,
    /// 503 answers to `/api/` requests since start: a guided scenario's "requests refused".
    /// `http_requests_total` has them by route; this one is read without a scrape.
    pub refused_answers: Counter,
    pub cart_operations: Family<CartLabels, Counter>,
    pub sse_clients: Family<StreamLabels, Gauge>,
    pub control_actions: Family<ControlLabels, Counter>,
    pub sign_ups: Family<OutcomeLabels, Counter>,
    pub sign_ins: Family<OutcomeLabels, Counter>,
    /// Set from the session store as each scrape begins.
    pub signed_in_shoppers: Gauge,
    pub password_hash_duration: Histogram,
    // What the janitor counts, in the store and in a worker alike.
    pub rows_pruned: Family<TableLabels, Counter>,
    // Read at scrape time.
    pub service_up: Scraped,
    pub service_state: Scraped,
    pub service_probe_latency: Scraped,
    pub outbox_backlog: Scraped,
    pub outbox_oldest_age: Scraped,
    pub queue_messages: Scraped,
    pub queue_consumers: Scraped,
    pub db_pool_size: Scraped,
    pub db_pool_in_use: Scraped,
    pub db_pool_waiting: Scraped,
    pub orders_processed: Scraped,
    pub orders_failed: Scraped,
    pub catalog_cache_hits: Scraped,
    pub catalog_cache_misses: Scraped,
    pub process_resident_memory: Scraped,
    pub process_cpu: Scraped,
    pub process_open_fds: Scraped,
    pub process_start_time: Scraped,
    pub breaker_state: Scraped,
    pub breaker_refused: Scraped,
    pub fault_active: Scraped,
    pub faults_injected: Scraped,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// The store's metrics: what its requests count, then the common ones.
    pub fn new() -> Metrics {
        Metrics::registered(true)
    }

    /// A worker's metrics: it serves no shoppers, so only the build and the figures read at
    /// scrape time (orders processed, outbox, queues, services, the process).
    pub fn for_worker() -> Metrics {
        Metrics::registered(false)
    }

    /// Names the replica these metrics are from, as an info gauge fixed at 1 rather than a label
    /// on every series: Prometheus already tells targets apart by their `instance` label, and
    /// `* on(instance) group_left(replica) carstore_replica_info` adds the name to any query.
    pub fn for_replica(mut self, name: &str, role: &str) -> Metrics {
        let info = Family::<Vec<(&'static str, String)>, Gauge>::default();
        info.get_or_create(&vec![
            ("replica", name.to_owned()),
            ("role", role.to_owned()),
        ])
        .set(1);
        self.registry.register(
            "replica_info",
            "This process's instance name and role (serve or worker), as labels; always 1",
            info,
        );
        self
    }

    fn registered(serves_shoppers: bool) -> Metrics {
        let mut m = Metrics {
            registry: Registry::with_prefix("carstore"),
            scraping: parking_lot::Mutex::default(),
            requests: Family::default(),
            request_duration: Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS)),
            orders_created: Counter::default(),
            checkout_duplicates_suppressed: Counter::default(),
            checkout_failures: Family::default(),
            refused_answers: Counter::default(),
            cart_operations: Family::default(),
            sse_clients: Family::default(),
            control_actions: Family::default(),
            sign_ups: Family::default(),
            sign_ins: Family::default(),
            signed_in_shoppers: Gauge::default(),
            password_hash_duration: Histogram::new(HASH_BUCKETS),
            rows_pruned: Family::default(),
            service_up: Scraped::gauge(),
            service_state: Scraped::gauge(),
            service_probe_latency: Scraped::gauge(),
            outbox_backlog: Scraped::gauge(),
            outbox_oldest_age: Scraped::gauge(),
            queue_messages: Scraped::gauge(),
            queue_consumers: Scraped::gauge(),
            db_pool_size: Scraped::gauge(),
            db_pool_in_use: Scraped::gauge(),
            db_pool_waiting: Scraped::gauge(),
            orders_processed: Scraped::counter(),
            orders_failed: Scraped::counter(),
            catalog_cache_hits: Scraped::counter(),
            catalog_cache_misses: Scraped::counter(),
            process_resident_memory: Scraped::gauge(),
            process_cpu: Scraped::counter(),
            process_open_fds: Scraped::gauge(),
            process_start_time: Scraped::gauge(),
            breaker_state: Scraped::gauge(),
            breaker_refused: Scraped::counter(),
            fault_active: Scraped::gauge(),
            faults_injected: Scraped::counter(),
        };
        m.register(serves_shoppers);
        m
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_prefixed_and_counters_end_in_total() {
        let metrics = Metrics::new();
        metrics.orders_created.inc();
        let text = metrics.encode();
        assert!(text.contains("# TYPE carstore_orders_created_total counter"));
        assert!(text.contains("carstore_orders_created_total 1"));
        assert!(text.contains("# TYPE carstore_checkout_duplicates_suppressed_total counter"));
        assert!(text.contains("carstore_build_info{version="));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.starts_with("carstore_"), "{line}");
        }
    }

    #[test]
    fn a_worker_has_the_build_and_sampled_figures_but_no_request_families() {
        let metrics = Metrics::for_worker();
        metrics.orders_processed.set(vec![], 2.0);
        let text = metrics.encode();
        assert!(text.contains("carstore_build_info{version="), "{text}");
        assert!(text.contains("carstore_orders_processed_total 2"), "{text}");
        assert!(!text.contains("http_requests"), "{text}");
        assert!(!text.contains("orders_created"), "{text}");
    }
}
