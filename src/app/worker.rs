//! `carstore worker`: the outbox relay and the order processor apart from the web tier. It serves
//! no store, only `/metrics` and `/healthz` on its own port, so Prometheus sees what this process
//! processed and whether it reaches the services it needs.

use super::adapters::{pick_adapters, watch_services, Adapters};
use super::replica;
use super::{own_url, start_janitor, start_workers, SHUTDOWN_GRACE_SECS};
use crate::config::Settings;
use crate::http;
use crate::http::MetricsSources;
use crate::metrics::Metrics;
use crate::replicas::{Role, ThisReplica};
use crate::service::Service;
use crate::store::Table;
use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::Notify;

/// What a worker talks to; Redis holds carts, which a worker never touches.
const WORKER_SERVICES: [Service; 2] = [Service::Postgres, Service::Rabbit];

/// Runs until Ctrl-C or SIGTERM, which stop the metrics server and then the worker tasks.
pub async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    // An embedded store and queue live inside one process: a second process cannot share them.
    if settings.database_url.is_none() || settings.amqp_url.is_none() {
        anyhow::bail!(
            "carstore worker needs a database URL and an AMQP URL (DATABASE_URL, AMQP_URL)"
        );
    }
    // Noted now, for carstore_process_start_time_seconds.
    crate::metrics::process::start_time();
    // The port first, as for serve: a taken port should be the only thing said.
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let url = own_url(&settings, listener.local_addr()?.port());
    let adapters = pick_adapters(&settings).await?;
    let mut tasks = start_workers(&adapters, Arc::new(Notify::new()));
    let sources = metrics_sources(&adapters, &settings.instance);
    // On the replica channel, so dashboards hear of the orders this worker processes.
    let this = Arc::new(ThisReplica::new(&settings.instance, Role::Worker));
    let (_roster, fanout) = replica::join(&settings, &adapters, this, None)?;
    tasks.push(tokio::spawn(sources.health.clone().run()));
    // Carts are the store's; a worker prunes only the order tables.
    let order_tables = |table| table != Table::CartItems;
    tasks.push(start_janitor(
        &settings,
        &adapters,
        &sources.metrics,
        order_tables,
    ));
    let server = metrics_server(listener, sources, &settings.instance)?;
    tracing::info!(
        "carstore {} worker: /metrics and /healthz at {url}/",
        env!("BUILD_VERSION_TEXT")
    );
    let stopped = server.await;
    tracing::info!("worker stopping");
    fanout.leave().await;
    for task in tasks {
        task.abort();
    }
    stopped.context("the metrics server failed")
}

/// `/metrics` and `/healthz`, stopped by Ctrl-C or SIGTERM.
fn metrics_server(
    listener: TcpListener,
    sources: MetricsSources,
    instance: &str,
) -> anyhow::Result<Server> {
    let sources = web::Data::new(sources);
    let instance = instance.to_owned();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(sources.clone())
            .wrap(DefaultHeaders::new().add((http::INSTANCE_HEADER, instance.clone())))
            .configure(http::configure_worker)
    })
    // A scrape now and then needs no more than one thread.
    .workers(1)
    .listen(listener)
    .context("cannot start the metrics server")?
    .shutdown_timeout(SHUTDOWN_GRACE_SECS)
    .run();
    Ok(server)
}

/// The worker's own figures: what its processor did, the outbox and queue it drains, and the
/// health of the services it uses.
fn metrics_sources(adapters: &Adapters, instance: &str) -> MetricsSources {
    MetricsSources {
        metrics: Arc::new(Metrics::for_worker().for_replica(instance, "worker")),
        health: watch_services(adapters, &WORKER_SERVICES),
        orders: adapters.orders.clone(),
        queue: adapters.queue.clone(),
        pipeline: adapters.counts.clone(),
        catalog: None,
        breakers: adapters.breakers.clone(),
        faults: adapters.faults.clone(),
    }
}
