//! Builds the running store from settings: adapters (picked in `adapters.rs`, the one place that
//! chooses them), the HTTP server, and the background tasks.

mod adapters;
mod controls;
mod parts;
mod replica;
mod worker;

pub use worker::run_worker;

use crate::config::Settings;
use crate::http;
use crate::janitor::{Chore, Janitor};
use crate::metrics::Metrics;
use crate::ops::audit::AuditLog;
use crate::orders::{run_processor, run_relay};
use crate::replicas::{Fanout, Role, ThisReplica};
use crate::state::{AppState, Fleet};
use crate::store::sqlite::DataDirLock;
use crate::store::Table;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{middleware, web, App, HttpServer};
use adapters::{pick_adapters, Adapters};
use anyhow::Context;
use parts::{admission, console, shop};
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// In-flight requests get this long to finish on shutdown (after the drain); Kubernetes'
/// termination grace must cover it (`ops/k8s/`, checked by the tests).
pub const SHUTDOWN_GRACE_SECS: u64 = 10;

/// A store bound to its port, ready to run.
pub struct Application {
    port: u16,
    /// Where it answers on this machine, e.g. `http://127.0.0.1:8000`.
    url: String,
    server: Server,
    workers: Vec<JoinHandle<()>>,
    this: Arc<ThisReplica>,
    /// Listens for SIGTERM and Ctrl-C from the moment the server exists, so a signal sent as
    /// soon as the address is printed already drains.
    signals: JoinHandle<()>,
    fanout: Arc<Fanout>,
    audit: Arc<AuditLog>,
    /// Held while serving: one store per embedded data dir.
    _data_dir_lock: Option<DataDirLock>,
}

impl Application {
    /// Opens the adapters, binds the listener (port 0 picks a free one) and starts the worker
    /// tasks when the settings ask for them.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        // Noted now, for carstore_process_start_time_seconds.
        crate::metrics::process::start_time();
        // The port first: a taken port should be the only thing said, before any adapter opens.
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let data_dir_lock = lock_data_dir(&settings)?;
        let adapters = pick_adapters(&settings).await?;
        let port = listener.local_addr()?.port();
        let url = own_url(&settings, port);
        let outbox_ready = Arc::new(Notify::new());
        let mut workers = if settings.run_worker {
            start_workers(&adapters, outbox_ready.clone())
        } else {
            Vec::new()
        };
        let metrics = Arc::new(Metrics::new().for_replica(&settings.instance, "serve"));
        let console = console(&settings, &adapters, metrics.clone(), &mut workers).await?;
        let this = Arc::new(ThisReplica::new(&settings.instance, Role::Serve));
        let load = Some(&console.load);
        let (replicas, fanout) = replica::join(&settings, &adapters, this.clone(), load)?;
        let audit = console.audit.clone();
        let state = web::Data::new(AppState {
            shop: shop(&adapters, outbox_ready, &metrics),
            console,
            access: admission(&settings, &url),
            fleet: Fleet {
                replicas,
                fanout: fanout.clone(),
                own_url: url.clone(),
                order_worker: settings.run_worker,
            },
        });
        workers.push(tokio::spawn(state.shop.accounts.clone().learn_guest_key()));
        let server = serve(state, listener)?;
        let server_handle = server.handle();
        Ok(Application {
            port,
            url,
            server,
            workers,
            signals: replica::stop_on_signal(server_handle, this.clone(), settings.drain),
            this,
            fanout,
            audit,
            _data_dir_lock: data_dir_lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM after a drain, Ctrl-C, or the handle), letting in-flight
    /// requests finish, then says goodbye to the other replicas and stops the worker tasks.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.signals.abort();
        self.this.stop();
        self.fanout.leave().await;
        self.audit.flush(std::time::Duration::from_secs(1)).await;
        for worker in &self.workers {
            worker.abort();
        }
        result
    }
}

/// Before any adapter opens (and says so): a second store on this data dir is one line.
fn lock_data_dir(settings: &Settings) -> anyhow::Result<Option<DataDirLock>> {
    let embedded = settings.database_url.is_none() || settings.redis_url.is_none();
    Ok(match embedded {
        true => Some(DataDirLock::take(&settings.data_dir)?),
        false => None,
    })
}

/// The HTTP server over `state`, on `listener`, not yet running.
fn serve(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Server> {
    let scraped = web::Data::new(crate::http::MetricsSources::of_store(&state));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(scraped.clone())
            // The last wrapped runs first: every answer, refusals included, gets the
            // security headers and the replica's name, and is counted.
            .wrap(middleware::from_fn(http::refuse_on_purpose))
            .wrap(middleware::from_fn(http::guard_requests))
            .wrap(middleware::from_fn(http::record_metrics))
            .wrap(middleware::from_fn(http::mark_replica))
            .wrap(http::security_headers())
            .configure(http::configure)
    })
    .listen(listener)
    .context("cannot start the HTTP server")?
    .shutdown_timeout(SHUTDOWN_GRACE_SECS)
    // SIGTERM drains first (replica.rs), so the signals are ours rather than the server's.
    .disable_signals()
    .run();
    Ok(server)
}

/// Where this process answers on this machine: loopback when it listens on every address.
fn own_url(settings: &Settings, port: u16) -> String {
    let ip = settings.bind.ip();
    if ip.is_unspecified() {
        format!("http://127.0.0.1:{port}")
    } else if ip.is_ipv6() {
        format!("http://[{ip}]:{port}")
    } else {
        format!("http://{ip}:{port}")
    }
}

/// The janitor over the chosen adapters' tables that `wanted` keeps.
fn start_janitor(
    settings: &Settings,
    adapters: &Adapters,
    metrics: &Metrics,
    wanted: impl Fn(Table) -> bool,
) -> JoinHandle<()> {
    let chores = adapters.chores.iter().filter(|c| wanted(c.table));
    let janitor = Janitor {
        chores: chores.map(Chore::clone).collect(),
        retention: settings.retention,
        pruned: metrics.rows_pruned.clone(),
    };
    tokio::spawn(janitor.run())
}

fn start_workers(adapters: &Adapters, outbox_ready: Arc<Notify>) -> Vec<JoinHandle<()>> {
    tracing::info!("order worker: outbox relay and order processor running in this process");
    vec![
        tokio::spawn(run_relay(
            adapters.orders.clone(),
            adapters.queue.clone(),
            outbox_ready,
        )),
        tokio::spawn(run_processor(
            adapters.orders.clone(),
            adapters.queue.clone(),
            adapters.counts.clone(),
            adapters.events.clone(),
            adapters.faults.clone(),
        )),
    ]
}
