//! Builds the running store from settings. This is the one place that picks each adapter, and it
//! says in the log which one it picked.

use crate::cache::{CartStore, MemoryCatalogCache};
use crate::catalog::{BuiltinCatalog, CatalogService, Gallery};
use crate::config::Settings;
use crate::http;
use crate::orders::{run_processor, run_relay, Checkout};
use crate::queue::{InProcessQueue, OrderQueue};
use crate::state::AppState;
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
}

async fn pick_backends(settings: &Settings) -> anyhow::Result<Backends> {
    let db = SqliteDb::open(&settings.data_dir)?;
    tracing::info!(path = %db.path().display(), "orders: embedded SQLite (no database URL configured)");
    tracing::info!(
        "carts: embedded SQLite, same file; catalog cache: in memory (no Redis URL configured)"
    );
    tracing::info!("order events: in-process queue (no AMQP URL configured)");
    let requeued = db.requeue_unprocessed().await?;
    if requeued > 0 {
        tracing::info!(
            requeued,
            "order events of still-pending orders put back in the outbox"
        );
    }
    let cache = Arc::new(MemoryCatalogCache::new(CATALOG_TTL));
    Ok(Backends {
        orders: Arc::new(db.clone()),
        carts: Arc::new(db),
        queue: Arc::new(InProcessQueue::new()),
        catalog: Arc::new(CatalogService::new(Arc::new(BuiltinCatalog), cache)),
    })
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
        let workers = if settings.run_worker {
            start_workers(&backends, outbox_ready.clone())
        } else {
            Vec::new()
        };
        let state = web::Data::new(AppState {
            gallery: Arc::new(Gallery::draw(&BuiltinCatalog::cars())),
            checkout: Checkout {
                catalog: backends.catalog.clone(),
                carts: backends.carts.clone(),
                orders: backends.orders.clone(),
                outbox_ready,
            },
            catalog: backends.catalog,
            carts: backends.carts,
            orders: backends.orders,
            queue: backends.queue,
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
        )),
    ]
}
