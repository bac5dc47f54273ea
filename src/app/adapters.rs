//! The one place that picks each service's adapter, and says in the log which one it picked.

use crate::adapter::Ping;
use crate::breaker::{Breaker, Breakers};
use crate::cache::{CartStore, CatalogCache, MemoryCatalogCache, RedisCache, SessionStore};
use crate::calls::Gated;
use crate::catalog::{BuiltinCatalog, CarSource, CatalogService};
use crate::config::{ServiceUrl, Settings};
use crate::events::EventBus;
use crate::faults::{Delays, FailShare, Faults};
use crate::http;
use crate::janitor::Chore;
use crate::ops::{HealthMonitor, HealthProbe};
use crate::orders::PipelineCounts;
use crate::queue::{InProcessQueue, OrderQueue, RabbitQueue};
use crate::service::{PerService, Service};
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteDb;
use crate::store::{AccountStore, AuditStore, OrderStore, Outbox};
use crate::store::{Prune, Table};
use std::sync::Arc;
use std::time::Duration;

/// How long the embedded catalog cache keeps its copy.
const CATALOG_TTL: Duration = Duration::from_secs(60);

/// The adapters chosen for this run.
pub(super) struct Adapters {
    pub(super) orders: Arc<dyn OrderStore>,
    /// The audit log's table, in the order database (behind its breaker too).
    pub(super) audit: Arc<dyn AuditStore>,
    pub(super) carts: Arc<dyn CartStore>,
    /// Shopper accounts, in the order database.
    pub(super) accounts: Arc<dyn AccountStore>,
    /// Signed-in sessions and failed sign-ins, beside the carts.
    pub(super) sessions: Arc<dyn SessionStore>,
    pub(super) queue: Arc<dyn OrderQueue>,
    pub(super) catalog: Arc<CatalogService>,
    pub(super) counts: Arc<PipelineCounts>,
    pub(super) events: Arc<EventBus>,
    /// Each service's breaker; the order store, carts and catalog cache above sit behind them.
    pub(super) breakers: Breakers,
    /// The faults set on this process, injected by the adapters above and the queue.
    pub(super) faults: Arc<Faults>,
    /// What each service is, for the dashboard: a redacted URL, or "embedded".
    pub(super) targets: PerService<String>,
    /// The tables the janitor prunes, each with the store holding it.
    pub(super) chores: Vec<Chore>,
}

/// Picks each service's adapter: the real one when its URL is set, else the embedded one; and
/// puts each behind its service's gates.
pub(super) async fn pick_adapters(settings: &Settings) -> anyhow::Result<Adapters> {
    let needs_file = settings.database_url.is_none() || settings.redis_url.is_none();
    let embedded = needs_file
        .then(|| SqliteDb::open(&settings.data_dir))
        .transpose()?;
    let db = order_store(settings, embedded.as_ref())?;
    let kv = cart_store(settings, embedded.as_ref())?;
    let faults = Arc::<Faults>::default();
    let rabbit = Service::Rabbit;
    let queue_gate = (
        FailShare::new(rabbit, &faults),
        Delays::new(rabbit, &faults),
    );
    let queue: Arc<dyn OrderQueue> = Gated::new(order_queue(settings, &db.orders)?, queue_gate);
    let events = Arc::default();
    let breakers = Breaker::per_service(&events);
    let redis_breaker = breakers.redis.clone();
    (kv.carts).when_connection_lost(Arc::new(move || redis_breaker.connection_lost()));
    let gate = |service| request_gate(service, &breakers, &faults);
    let (pg, redis) = (Service::Postgres, Service::Redis);
    let source = Gated::new(db.source, gate(pg));
    let cache = Gated::new(kv.cache, gate(redis));
    Ok(Adapters {
        orders: Gated::new(db.orders, gate(pg)),
        audit: Gated::new(db.audit, gate(pg)),
        carts: Gated::new(kv.carts, gate(redis)),
        accounts: Gated::new(db.accounts, gate(pg)),
        sessions: Gated::new(kv.sessions, gate(redis)),
        queue,
        catalog: Arc::new(CatalogService::new(source, cache, http::car_listing)),
        counts: Arc::default(),
        events,
        breakers,
        faults,
        targets: service_targets(settings),
        chores: janitor_chores(settings, db.pruned, embedded.as_ref()),
    })
}

/// A request path's gates: the service's error ratio outside its breaker, its latency and
/// outages inside.
fn request_gate(
    service: Service,
    breakers: &Breakers,
    faults: &Arc<Faults>,
) -> (FailShare, (Arc<Breaker>, Delays)) {
    let inside = (breakers.get(service).clone(), Delays::new(service, faults));
    (FailShare::new(service, faults), inside)
}

/// The order tables, in the order store; embedded carts too, in the embedded file (Redis
/// expires its carts itself).
fn janitor_chores(
    settings: &Settings,
    orders: Arc<dyn Prune>,
    file: Option<&SqliteDb>,
) -> Vec<Chore> {
    let mut chores = vec![
        Chore {
            table: Table::Outbox,
            store: orders.clone(),
        },
        Chore {
            table: Table::IdempotencyKeys,
            store: orders.clone(),
        },
        Chore {
            table: Table::IdleAccounts,
            store: orders.clone(),
        },
        Chore {
            table: Table::AuditLog,
            store: orders,
        },
    ];
    if let (None, Some(db)) = (&settings.redis_url, file) {
        chores.push(Chore {
            table: Table::CartItems,
            store: Arc::new(db.clone()),
        });
    }
    chores
}

/// What lives in the order database, each part as the code using it sees it.
struct OrderSide {
    orders: Arc<dyn OrderStore>,
    source: Arc<dyn CarSource>,
    pruned: Arc<dyn Prune>,
    audit: Arc<dyn AuditStore>,
    accounts: Arc<dyn AccountStore>,
}

/// Orders, the audit log (and the catalog's source): Postgres, or the embedded file with the
/// built-in catalog.
fn order_store(settings: &Settings, file: Option<&SqliteDb>) -> anyhow::Result<OrderSide> {
    match (&settings.database_url, file) {
        (Some(url), _) => {
            tracing::info!(%url, "orders and audit log: Postgres");
            let pg = Arc::new(PgStore::connect(url)?);
            Ok(OrderSide {
                orders: pg.clone(),
                source: pg.clone(),
                pruned: pg.clone(),
                accounts: pg.clone(),
                audit: pg,
            })
        }
        (None, Some(db)) => {
            tracing::info!(path = %db.path().display(), "orders and audit log: embedded SQLite (no database URL configured)");
            let db = Arc::new(db.clone());
            Ok(OrderSide {
                orders: db.clone(),
                source: Arc::new(BuiltinCatalog),
                pruned: db.clone(),
                accounts: db.clone(),
                audit: db,
            })
        }
        (None, None) => unreachable!("the embedded file is opened when the database is embedded"),
    }
}

/// What lives beside the carts.
struct CartSide {
    carts: Arc<dyn CartStore>,
    cache: Arc<dyn CatalogCache>,
    sessions: Arc<dyn SessionStore>,
}

/// Carts, signed-in sessions and the catalog cache: Redis, or the embedded file and a cache in
/// memory.
fn cart_store(settings: &Settings, file: Option<&SqliteDb>) -> anyhow::Result<CartSide> {
    match (&settings.redis_url, file) {
        (Some(url), _) => {
            tracing::info!(%url, prefix = %settings.redis_prefix, "carts and catalog cache: Redis");
            let redis = RedisCache::connect(url, &settings.redis_prefix)?
                .with_cart_ttl(settings.retention.carts);
            let redis = Arc::new(redis);
            Ok(CartSide {
                carts: redis.clone(),
                cache: redis.clone(),
                sessions: redis,
            })
        }
        (None, Some(db)) => {
            tracing::info!(
                "carts: embedded SQLite; catalog cache: in memory (no Redis URL configured)"
            );
            let db = Arc::new(db.clone());
            Ok(CartSide {
                carts: Arc::new(crate::cache::SqliteCarts::new(db.as_ref().clone())),
                cache: Arc::new(MemoryCatalogCache::new(CATALOG_TTL)),
                sessions: db,
            })
        }
        (None, None) => unreachable!("the embedded file is opened when Redis is embedded"),
    }
}

/// Order events: RabbitMQ, or the in-process queue.
fn order_queue(
    settings: &Settings,
    orders: &Arc<dyn OrderStore>,
) -> anyhow::Result<Arc<dyn OrderQueue>> {
    match &settings.amqp_url {
        Some(url) => {
            tracing::info!(%url, queue = %settings.orders_queue, "order events: RabbitMQ");
            Ok(Arc::new(RabbitQueue::start(
                url,
                settings.queue_names(),
                settings.run_worker,
            )?))
        }
        None => {
            tracing::info!("order events: in-process queue (no AMQP URL configured)");
            tokio::spawn(requeue_lost_events(orders.clone()));
            Ok(Arc::new(InProcessQueue::new(settings.queue_names())))
        }
    }
}

fn service_targets(settings: &Settings) -> PerService<String> {
    PerService::new(|service| {
        settings
            .url_of(service)
            .map_or("embedded in carstore".to_owned(), ServiceUrl::redacted)
    })
}

/// The health monitor's probes: one cheap round trip per service, through the service's gates
/// (so a drill's latency and outage reach the lights and the breakers' trials). The lights of
/// the services given; every service's breaker is tried.
pub(super) fn watch_services(adapters: &Adapters, services: &[Service]) -> Arc<HealthMonitor> {
    let probes = Service::ALL.iter().map(|s| probe(adapters, *s)).collect();
    let (events, breakers) = (adapters.events.clone(), adapters.breakers.clone());
    HealthMonitor::new(probes, services, events, breakers, adapters.faults.clone())
}

fn probe(adapters: &Adapters, service: Service) -> HealthProbe {
    let adapter: Arc<dyn Ping> = match service {
        Service::Postgres => adapters.orders.clone(),
        Service::Redis => adapters.carts.clone(),
        Service::Rabbit => adapters.queue.clone(),
    };
    HealthProbe::new(service, adapter.mode(), move || {
        let adapter = adapter.clone();
        async move { adapter.ping().await }
    })
}

/// The in-process queue forgets what it held when the process stopped: events of orders still
/// pending go back to the outbox. Processing is idempotent, so a repeat is harmless. Retries
/// until the order store answers (a database may be down, or not migrated yet, at start).
async fn requeue_lost_events(orders: Arc<dyn Outbox>) {
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
