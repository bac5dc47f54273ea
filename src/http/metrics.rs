//! `GET /metrics` in the Prometheus text format, and the middleware that counts
//! and times every request by its route pattern (and writes the access log at debug level).

use crate::events::Health;
use crate::metrics::{process, Labels, RequestLabels, RouteLabels, Sample};
use crate::service::Service;
use crate::state::{AppState, MetricsSources};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use prometheus_client::registry::Unit;
use std::future::Future;
use std::time::{Duration, Instant};

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// A figure that takes longer than this to read is left out of the scrape.
const READ_TIMEOUT: Duration = Duration::from_secs(1);
const STATES: [(Health, &str); 5] = [
    (Health::Up, "up"),
    (Health::Starting, "starting"),
    (Health::Degraded, "degraded"),
    (Health::Down, "down"),
    (Health::Embedded, "embedded"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

/// Counts and times each request under its route pattern (`/api/cars/{id}`), or `unmatched`.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    // The access log: off at the default level, where it would cost more than the request.
    tracing::debug!(
        target: "carstore::http",
        "{} {method} {} {:.1}ms",
        res.status().as_u16(),
        res.request().path(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16();
        let m = &state.metrics;
        m.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.clone(),
                status,
            })
            .inc();
        m.request_duration
            .get_or_create(&RouteLabels { method, route })
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

async fn metrics(state: web::Data<MetricsSources>) -> HttpResponse {
    let mut sample = Sample::default();
    services(&state, &mut sample);
    backlog(&state, &mut sample).await;
    pipeline(&state, &mut sample);
    process_figures(&mut sample);
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(state.metrics.encode(sample))
}

async fn within<T, E>(read: impl Future<Output = Result<T, E>>) -> Option<T> {
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()?.ok()
}

fn service_label(service: Service) -> Labels {
    vec![("service", service.as_str().to_owned())]
}

fn services(state: &MetricsSources, sample: &mut Sample) {
    let health = state.health.snapshot();
    let up = sample.gauge(
        "service_up",
        "1 when the service answers (or runs embedded), else 0",
        None,
    );
    for h in &health {
        let answers = matches!(h.health, Health::Up | Health::Degraded | Health::Embedded);
        up.set(service_label(h.service), f64::from(u8::from(answers)));
    }
    let states = sample.gauge("service_state", "1 for the state each service is in", None);
    for h in &health {
        for (health, name) in STATES {
            let mut labels = service_label(h.service);
            labels.push(("state", name.to_owned()));
            states.set(labels, f64::from(u8::from(h.health == health)));
        }
    }
    let latency = sample.gauge(
        "service_probe_latency",
        "How long the last health probe took",
        Some(Unit::Seconds),
    );
    for h in &health {
        if let Some(ms) = h.latency_ms {
            latency.set(service_label(h.service), ms / 1000.0);
        }
    }
}

async fn backlog(state: &MetricsSources, sample: &mut Sample) {
    if let Some(stats) = within(state.orders.stats()).await {
        sample
            .gauge(
                "outbox_backlog",
                "Order events written but not yet confirmed by the queue",
                None,
            )
            .set(vec![], stats.outbox_backlog as f64);
        sample
            .gauge(
                "outbox_oldest_age",
                "Age of the oldest order event not yet sent",
                Some(Unit::Seconds),
            )
            .set(vec![], stats.outbox_oldest_age_secs.unwrap_or(0.0));
    }
    if let Some(depth) = within(state.queue.depth()).await {
        let names = state.queue.names();
        let (orders, dead_letters) = (names.orders.clone(), names.dead_letters.clone());
        sample
            .gauge(
                "queue_messages",
                "Messages waiting in each of the store's queues",
                None,
            )
            .set(vec![("queue", orders.clone())], depth.messages as f64)
            .set(vec![("queue", dead_letters)], depth.dead_lettered as f64);
        sample
            .gauge("queue_consumers", "Consumers of the order queue", None)
            .set(vec![("queue", orders)], f64::from(depth.consumers));
    }
    if let Some(pool) = state.orders.pool_status() {
        sample
            .gauge("db_pool_size", "Database connections open", None)
            .set(vec![], pool.size as f64);
        sample
            .gauge("db_pool_in_use", "Database connections in use", None)
            .set(vec![], pool.in_use as f64);
        sample
            .gauge(
                "db_pool_waiting",
                "Requests waiting for a database connection",
                None,
            )
            .set(vec![], pool.waiting as f64);
    }
}

fn pipeline(state: &MetricsSources, sample: &mut Sample) {
    let counts = state.pipeline.snapshot();
    sample
        .counter(
            "orders_processed",
            "Orders this process's order processor marked processed",
            None,
        )
        .set(vec![], counts.processed as f64);
    sample
        .counter(
            "orders_failed",
            "Order events given up on and dead-lettered",
            None,
        )
        .set(vec![], counts.dead_lettered as f64);
    let Some(catalog) = &state.catalog else {
        return;
    };
    let cache = catalog.cache_counts();
    sample
        .counter(
            "catalog_cache_hits",
            "Catalog reads answered by the cache",
            None,
        )
        .set(vec![], cache.hits as f64);
    sample
        .counter(
            "catalog_cache_misses",
            "Catalog reads the cache could not answer",
            None,
        )
        .set(vec![], cache.misses as f64);
}

fn process_figures(sample: &mut Sample) {
    let figures = process::read();
    if let Some(v) = figures.resident_bytes {
        sample
            .gauge(
                "process_resident_memory",
                "Resident memory",
                Some(Unit::Bytes),
            )
            .set(vec![], v);
    }
    if let Some(v) = figures.cpu_seconds {
        sample
            .counter(
                "process_cpu",
                "CPU time used, user and system",
                Some(Unit::Seconds),
            )
            .set(vec![], v);
    }
    if let Some(v) = figures.open_fds {
        sample
            .gauge("process_open_fds", "Open file descriptors", None)
            .set(vec![], v);
    }
    sample
        .gauge(
            "process_start_time",
            "When the process started, since the Unix epoch",
            Some(Unit::Seconds),
        )
        .set(vec![], process::start_time());
}
