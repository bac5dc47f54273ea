//! Orders in Postgres. The pool connects lazily, so carstore starts while Postgres is down;
//! a background task migrates the schema as soon as it answers, and every call until then is a
//! clear "unavailable". Pooled connections are verified on reuse, so a restarted Postgres is
//! picked up without restarting carstore.

mod accounts;
mod audit;
mod cars;
mod orders;
mod outbox;
mod retention;

use crate::adapter::{AdapterError, Backoff};
use crate::config::ServiceUrl;
use crate::domain::BuiltinCatalog;
use crate::service::Service;
use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::NoTls;

refinery::embed_migrations!("src/store/postgres/migrations");

const POOL_SIZE: usize = 16;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A request waits at most this long for a pooled connection before answering 503.
const POOL_WAIT: Duration = Duration::from_secs(2);
/// Any key works as long as every carstore process uses the same one.
const MIGRATION_LOCK: i64 = 0x6361_7273_746f_7265; // "carstore"

#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    config: tokio_postgres::Config,
    migrated: Arc<AtomicBool>,
}

impl PgStore {
    /// Builds the pool (no connection yet) and starts migrating in the background.
    pub fn connect(url: &ServiceUrl) -> anyhow::Result<PgStore> {
        let mut config: tokio_postgres::Config = url
            .expose()
            .parse()
            .with_context(|| format!("database URL {url} is not valid"))?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            // A Postgres that stops answering mid-query must not hold a request for minutes.
            .tcp_user_timeout(Duration::from_secs(5))
            .options("-c statement_timeout=5000")
            .application_name("carstore");
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(Duration::from_secs(1)))
            .build()
            .context("cannot build the database pool")?;
        let store = PgStore {
            pool,
            config,
            migrated: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(store.clone().migrate_until_done());
        Ok(store)
    }

    /// Retries until the schema is current; carstore serves what it can meanwhile.
    async fn migrate_until_done(self) {
        let mut wait = Backoff::new(Duration::from_millis(200), Duration::from_secs(2));
        loop {
            match self.migrate().await {
                Ok(()) => {
                    self.migrated.store(true, Ordering::Release);
                    tracing::info!("database schema is current");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "database not ready for migration, retrying")
                }
            }
            wait.wait().await;
        }
    }

    /// Migrates on its own connection, under an advisory lock so replicas never race, then seeds
    /// the catalog.
    async fn migrate(&self) -> anyhow::Result<()> {
        let (mut client, connection) = self.config.connect(NoTls).await.context("connect")?;
        let driver = tokio::spawn(connection);
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let result = migrations::runner()
            .run_async(&mut client)
            .await
            .context("migrate");
        let seeded = match result {
            Ok(_) => cars::seed(&client, &BuiltinCatalog::cars())
                .await
                .context("seed the catalog"),
            Err(e) => Err(e),
        };
        let _ = client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await;
        drop(client);
        let _ = driver.await;
        seeded
    }

    /// A pooled connection, or "unavailable" while Postgres is down or not yet migrated.
    async fn client(&self) -> Result<Object, AdapterError> {
        if !self.migrated.load(Ordering::Acquire) {
            return Err(AdapterError::unavailable(
                Service::Postgres,
                "the database schema is not ready yet",
            ));
        }
        self.pool
            .get()
            .await
            .map_err(|e| AdapterError::unavailable(Service::Postgres, e))
    }
}

/// No answer, or a refusal that passes (shutting down, overloaded, a transaction to retry), is
/// an outage. Any other refusal means our own data or schema is wrong: not something waiting
/// will fix. The server's code and message are kept; its DETAIL is not, it can hold row data.
fn db_error(e: tokio_postgres::Error) -> AdapterError {
    let Some(db) = e.as_db_error() else {
        let cause = std::error::Error::source(&e)
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        return AdapterError::unavailable(Service::Postgres, format!("{e}{cause}"));
    };
    let code = db.code().code();
    let said = format!("{code}: {}", db.message());
    let passing = ["08", "53", "57", "40"]
        .iter()
        .any(|class| code.starts_with(class))
        || code == "55P03";
    if passing {
        AdapterError::unavailable(Service::Postgres, said)
    } else {
        AdapterError::Corrupt(said)
    }
}
