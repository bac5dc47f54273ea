//! The chaos test's view of its private database: counts of orders, read with a connection per
//! question, since the database is one of the services the test stops.

use crate::helpers::try_wait_for;
use std::time::{Duration, Instant};

/// The private database, read directly; a connection per question, since it is stopped too.
pub struct Db(String);

impl Db {
    pub async fn connect(url: &str) -> Db {
        Db(url.to_owned())
    }

    async fn count(&self, sql: &str, ids: Option<&[i64]>) -> (i64, i64) {
        let (client, connection) = tokio_postgres::connect(&self.0, tokio_postgres::NoTls)
            .await
            .expect("the private Postgres answers");
        tokio::spawn(connection);
        let row = match ids {
            Some(ids) => client.query_one(sql, &[&ids]).await,
            None => client.query_one(sql, &[]).await,
        }
        .unwrap();
        (row.get(0), row.try_get(1).unwrap_or(0))
    }

    pub async fn processed(&self) -> i64 {
        let sql = "SELECT count(*) FROM orders WHERE status = 'processed'";
        self.count(sql, None).await.0
    }

    /// Waits (up to 30 s) for the first order processed after `before`; when it was seen.
    pub async fn first_processed_after(&self, before: i64, began: Instant) -> Duration {
        let processed = async || match self.processed().await {
            n if n > before => Ok(()),
            _ => Err(()),
        };
        let _ = try_wait_for(Duration::from_secs(30), processed).await;
        began.elapsed()
    }

    /// Waits (up to 60 s) until every order is settled; rows and processed.
    pub async fn drained(&self) -> (i64, i64) {
        let sql = "SELECT count(*), count(*) FILTER (WHERE status = 'processed') FROM orders";
        let settled = async || match self.count(sql, None).await {
            (rows, processed) if rows == processed => Ok((rows, processed)),
            not_yet => Err(not_yet),
        };
        try_wait_for(Duration::from_secs(60), settled)
            .await
            .unwrap_or_else(|not_yet| not_yet)
    }

    pub async fn count_ids(&self, ids: &[i64]) -> i64 {
        let sql = "SELECT count(*) FROM orders WHERE id = ANY($1)";
        self.count(sql, Some(ids)).await.0
    }
}
