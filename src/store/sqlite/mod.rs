//! The embedded store: orders, outbox, idempotency keys and carts in one SQLite file under the
//! data dir. One connection behind a mutex serialises every write, which is what makes cart
//! updates and checkout claims atomic here; calls run on tokio's blocking pool so they never
//! stall the async workers.

mod accounts;
mod audit;
mod lock;
mod orders;
mod retention;

pub use lock::DataDirLock;

use crate::adapter::AdapterError;
use crate::service::Service;
use anyhow::Context;
use parking_lot::Mutex;
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file name inside the data dir.
pub const DB_FILE: &str = "carstore.db";

/// Schema versions, oldest first. Never edit one that has shipped: add the next.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("schema_v1.sql")),
        M::up(include_str!("schema_v2.sql")),
        M::up(include_str!("schema_v3.sql")),
        M::up(include_str!("schema_v4.sql")),
        M::up(include_str!("schema_v5.sql")),
        M::up(include_str!("schema_v6.sql")),
    ])
}

/// A handle on the embedded database; clones share the one connection.
#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteDb {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE);
        let mut conn =
            Connection::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("cannot write to {}", path.display()))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations()
            .to_latest(&mut conn)
            .context("cannot migrate the embedded database")?;
        Ok(SqliteDb {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs order work on the connection, off the async threads.
    async fn run<T, F>(&self, work: F) -> Result<T, AdapterError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.run_for(Service::Postgres, work).await
    }

    /// Runs `work` for the service this file stands in for, which a failure names: the order
    /// database, or (for carts) the cart service.
    pub(crate) async fn run_for<T, F>(&self, service: Service, work: F) -> Result<T, AdapterError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock();
            work(&mut conn)
        })
        .await;
        match joined {
            Ok(result) => result.map_err(|e| AdapterError::unavailable(service, e)),
            Err(e) => Err(AdapterError::unavailable(
                service,
                format!("database task failed: {e}"),
            )),
        }
    }
}

pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
