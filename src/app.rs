//! Builds the running store from settings. This is the one place that picks each adapter, and it
//! says in the log which one it picked.

use crate::cache::{CartStore, CatalogCache, MemoryCatalogCache, RedisCache};
use crate::catalog::{BuiltinCatalog, CarSource, CatalogService, Gallery};
use crate::config::{ServiceUrl, Settings};
use crate::events::{EventBus, Service};
use crate::http;
use crate::ops::{HealthMonitor, Probe};
use crate::orders::{run_processor, run_relay, Checkout, PipelineCounts};
use crate::queue::{InProcessQueue, OrderQueue, QueueNames, RabbitQueue};
use crate::state::AppState;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteDb;
use crate::store::OrderStore;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How long the embedded catalog cache keeps its copy.
const CATALOG_TTL: Duration = Duration::from_secs(60);
/// In-flight requests get this long to finish on shutdown.
const SHUTDOWN_GRACE_SECS: u64 = 10;

/// The adapters chosen for this run.
struct Backends {
    orders: Arc<dyn OrderStore>,
    carts: Arc<dyn CartStore>,
    queue: Arc<dyn OrderQueue>,
    catalog: Arc<CatalogService>,
    counts: Arc<PipelineCounts>,
    events: Arc<EventBus>,
    /// What each service is, for the dashboard: a redacted URL, or "embedded".
    targets: Vec<(Service, String)>,
}

/// Picks each service's adapter: the real one when its URL is set, else the embedded one.
async fn pick_backends(settings: &Settings) -> anyhow::Result<Backends> {
    let needs_file = settings.database_url.is_none() || settings.redis_url.is_none();
    let embedded = if needs_file {
        Some(SqliteDb::open(&settings.data_dir)?)
    } else {
        None
    };
    let file = || embedded.clone().expect("opened when a service is embedded");

    let (orders, source): (Arc<dyn OrderStore>, Arc<dyn CarSource>) = match &settings.database_url {
        Some(url) => {
            tracing::info!(%url, "orders: Postgres");
            let pg = PgStore::connect(url)?;
            (Arc::new(pg.clone()), Arc::new(pg))
        }
        None => {
            tracing::info!(path = %file().path().display(), "orders: embedded SQLite (no database URL configured)");
            (Arc::new(file()), Arc::new(BuiltinCatalog))
        }
    };
    let (carts, cache): (Arc<dyn CartStore>, Arc<dyn CatalogCache>) = match &settings.redis_url {
        Some(url) => {
            tracing::info!(%url, prefix = %settings.redis_prefix, "carts and catalog cache: Redis");
            let redis = RedisCache::connect(url, &settings.redis_prefix)?;
            (Arc::new(redis.clone()), Arc::new(redis))
        }
        None => {
            tracing::info!(
                "carts: embedded SQLite; catalog cache: in memory (no Redis URL configured)"
            );
            (
                Arc::new(file()),
                Arc::new(MemoryCatalogCache::new(CATALOG_TTL)),
            )
        }
    };
    let queue: Arc<dyn OrderQueue> = match &settings.amqp_url {
        Some(url) => {
            tracing::info!(%url, queue = %settings.orders_queue, "order events: RabbitMQ");
            let names = QueueNames {
                orders: settings.orders_queue.clone(),
                dead_letters: settings.dead_letter_queue(),
            };
            Arc::new(RabbitQueue::start(url, names, settings.run_worker)?)
        }
        None => {
            tracing::info!("order events: in-process queue (no AMQP URL configured)");
            tokio::spawn(requeue_lost_events(orders.clone()));
            Arc::new(InProcessQueue::new(&settings.orders_queue))
        }
    };
    let catalog = Arc::new(CatalogService::new(source, cache));
    Ok(Backends {
        orders,
        carts,
        queue,
        catalog,
        counts: Arc::default(),
        events: Arc::default(),
        targets: service_targets(settings),
    })
}

fn service_targets(settings: &Settings) -> Vec<(Service, String)> {
    let shown = |url: &Option<ServiceUrl>| {
        url.as_ref()
            .map_or("embedded in carstore".to_owned(), ServiceUrl::redacted)
    };
    vec![
        (Service::Postgres, shown(&settings.database_url)),
        (Service::Redis, shown(&settings.redis_url)),
        (Service::Rabbit, shown(&settings.amqp_url)),
    ]
}

/// The health monitor's probes: one cheap round trip per service.
fn watch_services(backends: &Backends) -> Arc<HealthMonitor> {
    let (orders, carts, queue) = (
        backends.orders.clone(),
        backends.carts.clone(),
        backends.queue.clone(),
    );
    let probes = vec![
        Probe::new(Service::Postgres, orders.kind(), move || {
            let orders = orders.clone();
            async move { orders.stats().await.map(drop) }
        }),
        Probe::new(Service::Redis, carts.kind(), move || {
            let carts = carts.clone();
            async move { carts.ping().await.map(drop) }
        }),
        Probe::new(Service::Rabbit, queue.kind(), move || {
            let queue = queue.clone();
            async move { queue.depth().await.map(drop) }
        }),
    ];
    HealthMonitor::new(probes, backends.events.clone())
}

/// The in-process queue forgets what it held when the process stopped: events of orders still
/// pending go back to the outbox. Processing is idempotent, so a repeat is harmless. Retries
/// until the order store answers (a database may be down, or not migrated yet, at start).
async fn requeue_lost_events(orders: Arc<dyn OrderStore>) {
    loop {
        match orders.requeue_unsettled().await {
            Ok(0) => return,
            Ok(requeued) => {
                tracing::info!(
                    requeued,
                    "order events of still-pending orders put back in the outbox"
                );
                return;
            }
            Err(e) => {
                tracing::debug!(error = %e, "order store not ready to requeue lost events yet")
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A store bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    workers: Vec<JoinHandle<()>>,
}

impl Application {
    /// Opens the backends, binds the listener (port 0 picks a free one) and starts the worker
    /// tasks when the settings ask for them.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        // The port first: a taken port should be the only thing said, before any backend opens.
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let backends = pick_backends(&settings).await?;
        let port = listener.local_addr()?.port();
        let outbox_ready = Arc::new(Notify::new());
        let mut workers = if settings.run_worker {
            start_workers(&backends, outbox_ready.clone())
        } else {
            Vec::new()
        };
        let health = watch_services(&backends);
        workers.push(tokio::spawn(health.clone().run()));
        let state = web::Data::new(AppState {
            gallery: Arc::new(Gallery::draw(&BuiltinCatalog::cars())),
            checkout: Checkout {
                catalog: backends.catalog.clone(),
                carts: backends.carts.clone(),
                orders: backends.orders.clone(),
                outbox_ready,
                events: backends.events.clone(),
            },
            catalog: backends.catalog,
            carts: backends.carts,
            orders: backends.orders,
            queue: backends.queue,
            pipeline: backends.counts,
            events: backends.events,
            health,
            targets: backends.targets,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(http::security_headers())
                .wrap(middleware::Logger::new("%s %r %Dms").log_target("carstore::http"))
                .configure(http::configure)
        })
        .listen(listener)
        .context("cannot start the HTTP server")?
        .shutdown_timeout(SHUTDOWN_GRACE_SECS)
        .run();
        Ok(Application {
            port,
            server,
            workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (Ctrl-C, SIGTERM or the handle), letting in-flight requests finish,
    /// then stops the worker tasks.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for worker in &self.workers {
            worker.abort();
        }
        result
    }
}

fn start_workers(backends: &Backends, outbox_ready: Arc<Notify>) -> Vec<JoinHandle<()>> {
    tracing::info!("order worker: outbox relay and order processor running in this process");
    vec![
        tokio::spawn(run_relay(
            backends.orders.clone(),
            backends.queue.clone(),
            outbox_ready,
        )),
        tokio::spawn(run_processor(
            backends.orders.clone(),
            backends.queue.clone(),
            backends.counts.clone(),
            backends.events.clone(),
        )),
    ]
}

/// `carstore worker`: the outbox relay and the order processor, without HTTP, until Ctrl-C or
/// SIGTERM.
pub async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    // An embedded store and queue live inside one process: a second process cannot share them.
    if settings.database_url.is_none() || settings.amqp_url.is_none() {
        anyhow::bail!(
            "carstore worker needs a database URL and an AMQP URL (DATABASE_URL, AMQP_URL)"
        );
    }
    let backends = pick_backends(&settings).await?;
    let workers = start_workers(&backends, Arc::new(Notify::new()));
    wait_for_stop_signal().await;
    tracing::info!("worker stopping");
    for worker in workers {
        worker.abort();
    }
    Ok(())
}

async fn wait_for_stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}
