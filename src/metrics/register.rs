//! Every family's name and help text, registered in one place.

use super::{Metrics, Scraped};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Unit;

impl Metrics {
    /// Every family's name and help text, in one place.
    pub(super) fn register(&mut self, serves_shoppers: bool) {
        if serves_shoppers {
            self.register_shopper_families();
        }
        // A gauge fixed at 1, not the OpenMetrics info type, which promtool does not read.
        let build = Family::<Vec<(&'static str, &'static str)>, Gauge>::default();
        build
            .get_or_create(&vec![("version", env!("CARGO_PKG_VERSION"))])
            .set(1);
        self.registry.register(
            "build_info",
            "The running build's version, as a label; always 1",
            build,
        );
        self.registry.register(
            "rows_pruned",
            "Rows the janitor deleted past their retention, by table",
            self.rows_pruned.clone(),
        );
        // SCRAPED names the families in the order scraped() lists them.
        let described: Vec<_> = (self.scraped().into_iter().zip(SCRAPED))
            .map(|(family, (name, help, unit))| family.described(name, help, unit))
            .collect();
        for family in described {
            self.registry.register_collector(family);
        }
    }

    /// The families only a process that serves shoppers has: requests, checkout, carts, feeds,
    /// controls.
    fn register_shopper_families(&mut self) {
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
            "checkout_duplicates_suppressed",
            "Checkouts that repeated an Idempotency-Key and were answered with its existing order",
            self.checkout_duplicates_suppressed.clone(),
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
        self.register_account_families();
    }

    /// Shopper accounts: sign-ups and sign-ins by outcome, never by who.
    fn register_account_families(&mut self) {
        let r = &mut self.registry;
        r.register(
            "sign_ups",
            "Shopper sign-ups, by outcome (created, email_taken, invalid)",
            self.sign_ups.clone(),
        );
        r.register(
            "sign_ins",
            "Shopper sign-ins, by outcome (ok, invalid_credentials, too_many_attempts, unavailable)",
            self.sign_ins.clone(),
        );
        r.register(
            "signed_in_shoppers",
            "Accounts with at least one live signed-in session",
            self.signed_in_shoppers.clone(),
        );
        r.register_with_unit(
            "password_hash",
            "Time one Argon2id password hash or check took",
            Unit::Seconds,
            self.password_hash_duration.clone(),
        );
    }

    /// Every scraped family, to clear before a scrape sets this scrape's figures.
    pub(super) fn scraped(&self) -> [&Scraped; 22] {
        [
            &self.service_up,
            &self.service_state,
            &self.service_probe_latency,
            &self.outbox_backlog,
            &self.outbox_oldest_age,
            &self.queue_messages,
            &self.queue_consumers,
            &self.db_pool_size,
            &self.db_pool_in_use,
            &self.db_pool_waiting,
            &self.orders_processed,
            &self.orders_failed,
            &self.catalog_cache_hits,
            &self.catalog_cache_misses,
            &self.process_resident_memory,
            &self.process_cpu,
            &self.process_open_fds,
            &self.process_start_time,
            &self.breaker_state,
            &self.breaker_refused,
            &self.fault_active,
            &self.faults_injected,
        ]
    }
}

/// Name, help text and unit of each family whose figures are read at scrape time, in the order
/// `Metrics::scraped` lists the families.
const SCRAPED: [(&str, &str, Option<Unit>); 22] = [
    (
        "service_up",
        "1 when the service answers (or runs embedded), else 0",
        None,
    ),
    ("service_state", "1 for the state each service is in", None),
    (
        "service_probe_latency",
        "How long the last health probe took",
        Some(Unit::Seconds),
    ),
    (
        "outbox_backlog",
        "Order events written but not yet confirmed by the queue",
        None,
    ),
    (
        "outbox_oldest_age",
        "Age of the oldest order event not yet sent",
        Some(Unit::Seconds),
    ),
    (
        "queue_messages",
        "Messages waiting in each of the store's queues",
        None,
    ),
    ("queue_consumers", "Consumers of the order queue", None),
    ("db_pool_size", "Database connections open", None),
    ("db_pool_in_use", "Database connections in use", None),
    (
        "db_pool_waiting",
        "Requests waiting for a database connection",
        None,
    ),
    (
        "orders_processed",
        "Orders this process's order processor marked processed",
        None,
    ),
    (
        "orders_failed",
        "Order events given up on and dead-lettered",
        None,
    ),
    (
        "catalog_cache_hits",
        "Catalog reads answered by the cache",
        None,
    ),
    (
        "catalog_cache_misses",
        "Catalog reads the cache could not answer",
        None,
    ),
    (
        "process_resident_memory",
        "Resident memory",
        Some(Unit::Bytes),
    ),
    (
        "process_cpu",
        "CPU time used, user and system",
        Some(Unit::Seconds),
    ),
    ("process_open_fds", "Open file descriptors", None),
    (
        "process_start_time",
        "When the process started, since the Unix epoch",
        Some(Unit::Seconds),
    ),
    (
        "breaker_state",
        "Each service's breaker: 0 closed, 1 open (refusing at once), 2 half-open (one trial)",
        None,
    ),
    (
        "breaker_refused",
        "Calls a service's open breaker refused at once",
        None,
    ),
    (
        "fault_active",
        "1 while a fault set on purpose (/api/faults) is in force, by target and kind",
        None,
    ),
    (
        "faults_injected",
        "Calls or requests a fault set on purpose affected, by target and kind",
        None,
    ),
];
