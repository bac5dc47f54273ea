//! Every family's name and help text, registered in one place.

use super::{Metrics, Scraped};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Unit;

impl Metrics {
    /// Every family's name and help text, in one place.
    pub(super) fn register(&mut self, serves_shoppers: bool) {
        let r = &mut self.registry;
        if serves_shoppers {
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
        let seconds = || Some(Unit::Seconds);
        let scraped: [(&Scraped, &'static str, &'static str, Option<Unit>); 18] = [
            (
                &self.service_up,
                "service_up",
                "1 when the service answers (or runs embedded), else 0",
                None,
            ),
            (
                &self.service_state,
                "service_state",
                "1 for the state each service is in",
                None,
            ),
            (
                &self.service_probe_latency,
                "service_probe_latency",
                "How long the last health probe took",
                seconds(),
            ),
            (
                &self.outbox_backlog,
                "outbox_backlog",
                "Order events written but not yet confirmed by the queue",
                None,
            ),
            (
                &self.outbox_oldest_age,
                "outbox_oldest_age",
                "Age of the oldest order event not yet sent",
                seconds(),
            ),
            (
                &self.queue_messages,
                "queue_messages",
                "Messages waiting in each of the store's queues",
                None,
            ),
            (
                &self.queue_consumers,
                "queue_consumers",
                "Consumers of the order queue",
                None,
            ),
            (
                &self.db_pool_size,
                "db_pool_size",
                "Database connections open",
                None,
            ),
            (
                &self.db_pool_in_use,
                "db_pool_in_use",
                "Database connections in use",
                None,
            ),
            (
                &self.db_pool_waiting,
                "db_pool_waiting",
                "Requests waiting for a database connection",
                None,
            ),
            (
                &self.orders_processed,
                "orders_processed",
                "Orders this process's order processor marked processed",
                None,
            ),
            (
                &self.orders_failed,
                "orders_failed",
                "Order events given up on and dead-lettered",
                None,
            ),
            (
                &self.catalog_cache_hits,
                "catalog_cache_hits",
                "Catalog reads answered by the cache",
                None,
            ),
            (
                &self.catalog_cache_misses,
                "catalog_cache_misses",
                "Catalog reads the cache could not answer",
                None,
            ),
            (
                &self.process_resident_memory,
                "process_resident_memory",
                "Resident memory",
                Some(Unit::Bytes),
            ),
            (
                &self.process_cpu,
                "process_cpu",
                "CPU time used, user and system",
                seconds(),
            ),
            (
                &self.process_open_fds,
                "process_open_fds",
                "Open file descriptors",
                None,
            ),
            (
                &self.process_start_time,
                "process_start_time",
                "When the process started, since the Unix epoch",
                seconds(),
            ),
        ];
        for (family, name, help, unit) in scraped {
            r.register_collector(family.described(name, help, unit));
        }
    }

    /// Every scraped family, to clear before a scrape sets this scrape's figures.
    pub(super) fn scraped(&self) -> [&Scraped; 18] {
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
        ]
    }
}
