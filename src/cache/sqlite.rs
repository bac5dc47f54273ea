//! Embedded carts: a table in the embedded store's SQLite file, so a restart keeps them. Its
//! one connection serialises every write, which is what makes each change atomic here. Every
//! read and change stamps all the cart's lines (`used_at`), as Redis slides a cart's expiry, so
//! the janitor drops carts nobody used for the cart retention.

use super::{CartAdd, CartLine, Claimed, Hold, CLAIM_STALE};
use crate::adapter::{AdapterError, Mode, Ping};
use crate::cache::{CartClaims, CartLines};
use crate::domain::{CarId, Quantity, SessionId};
use crate::service::Service;
use crate::store::sqlite::{now_text, SqliteDb};
use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A hold nobody settled or released in a day is dropped (the default cart retention).
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Embedded carts live in the same file as orders, so a restart keeps them. The checkouts
/// holding a cart are kept in memory: the embedded store is one process, and a process that
/// stops takes its checkouts with it, not the carts.
#[derive(Clone)]
pub struct SqliteCarts {
    db: SqliteDb,
    cart_claims: Arc<Mutex<super::HeldCarts>>,
}

impl SqliteCarts {
    pub fn new(db: SqliteDb) -> SqliteCarts {
        SqliteCarts {
            db,
            cart_claims: Arc::default(),
        }
    }
}

#[async_trait]
impl Ping for SqliteCarts {
    fn mode(&self) -> Mode {
        Mode::Embedded
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        self.db.ping().await
    }
}

#[async_trait]
impl CartLines for SqliteCarts {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        let session = session.as_str().to_owned();
        self.db
            .run_for(Service::Redis, move |c| {
                let lines = read_lines(c, &session)?;
                touch(c, &session)?;
                Ok(lines)
            })
            .await
    }

    async fn add(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: Quantity,
        max: u32,
    ) -> Result<CartAdd, AdapterError> {
        let session = session.as_str().to_owned();
        self.db
            .run_for(Service::Redis, move |c| {
                let tx = c.transaction()?;
                let current: u32 = tx
                    .query_row(
                        "SELECT quantity FROM cart_items WHERE session_id = ?1 AND car_id = ?2",
                        params![session, car.0],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or(0);
                if current + quantity.get() > max {
                    return Ok(CartAdd::LineFull { current });
                }
                upsert(&tx, &session, car, current + quantity.get())?;
                touch(&tx, &session)?;
                tx.commit()?;
                Ok(CartAdd::Added)
            })
            .await
    }

    async fn set(
        &self,
        session: &SessionId,
        car: CarId,
        quantity: u32,
    ) -> Result<(), AdapterError> {
        let session = session.as_str().to_owned();
        self.db
            .run_for(Service::Redis, move |c| {
                if quantity == 0 {
                    c.execute(
                        "DELETE FROM cart_items WHERE session_id = ?1 AND car_id = ?2",
                        params![session, car.0],
                    )?;
                } else {
                    upsert(c, &session, car, quantity)?;
                }
                touch(c, &session)
            })
            .await
    }

    async fn clear(&self, session: &SessionId) -> Result<(), AdapterError> {
        let session = session.as_str().to_owned();
        self.db
            .run_for(Service::Redis, move |c| {
                c.execute("DELETE FROM cart_items WHERE session_id = ?1", [session])
                    .map(drop)
            })
            .await
    }

    async fn merge(
        &self,
        from: &SessionId,
        into: &SessionId,
        max: u32,
    ) -> Result<(), AdapterError> {
        let (from, into) = (from.as_str().to_owned(), into.as_str().to_owned());
        self.db
            .run_for(Service::Redis, move |c| {
                let tx = c.transaction()?;
                for line in read_lines(&tx, &from)? {
                    let current: u32 = tx
                        .query_row(
                            "SELECT quantity FROM cart_items WHERE session_id = ?1 AND car_id = ?2",
                            params![into, line.car_id.0],
                            |r| r.get(0),
                        )
                        .optional()?
                        .unwrap_or(0);
                    upsert(&tx, &into, line.car_id, (current + line.quantity).min(max))?;
                }
                tx.execute("DELETE FROM cart_items WHERE session_id = ?1", [from])?;
                touch(&tx, &into)?;
                tx.commit()
            })
            .await
    }
}

#[async_trait]
impl CartClaims for SqliteCarts {
    async fn claim(&self, session: &SessionId, claim: &str) -> Result<Claimed, AdapterError> {
        let (session, claim) = (session.as_str().to_owned(), claim.to_owned());
        let held = self.cart_claims.clone();
        // Run on the connection, which serialises every cart change: the check and the hold
        // are one step.
        self.db
            .run_for(Service::Redis, move |c| {
                let mut held = held.lock();
                // Holds of checkouts cut short and never retried or replaced: a bound on the map.
                held.retain(|_, h| h.since.elapsed() < FORGET_AFTER);
                if let Some(hold) = held.get(&session) {
                    return Ok(if hold.claim == claim {
                        Claimed::Lines {
                            lines: hold.lines.clone(),
                            resumed: true,
                        }
                    } else if hold.since.elapsed() > CLAIM_STALE {
                        Claimed::Stale {
                            claim: hold.claim.clone(),
                        }
                    } else {
                        Claimed::HeldByAnother
                    });
                }
                let lines = read_lines(c, &session)?;
                if lines.is_empty() {
                    return Ok(Claimed::Empty);
                }
                held.insert(
                    session,
                    Hold {
                        claim,
                        lines: lines.clone(),
                        since: Instant::now(),
                    },
                );
                Ok(Claimed::Lines {
                    lines,
                    resumed: false,
                })
            })
            .await
    }

    async fn settle(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        let (session, claim) = (session.as_str().to_owned(), claim.to_owned());
        let held = self.cart_claims.clone();
        self.db.run_for(Service::Redis, move |c| {
            let mut held = held.lock();
            let Some(hold) = held.get(&session).filter(|h| h.claim == claim) else {
                return Ok(());
            };
            let tx = c.transaction()?;
            // A line bought whole goes; one the shopper raised meanwhile keeps the difference.
            for line in &hold.lines {
                let line = params![session, line.car_id.0, line.quantity];
                tx.execute(
                    "DELETE FROM cart_items WHERE session_id = ?1 AND car_id = ?2 AND quantity <= ?3",
                    line,
                )?;
                tx.execute(
                    "UPDATE cart_items SET quantity = quantity - ?3 WHERE session_id = ?1 AND car_id = ?2",
                    line,
                )?;
            }
            tx.commit()?;
            held.remove(&session);
            Ok(())
        })
        .await
    }

    async fn release(&self, session: &SessionId, claim: &str) -> Result<(), AdapterError> {
        let (session, claim) = (session.as_str().to_owned(), claim.to_owned());
        let held = self.cart_claims.clone();
        // On the connection too, so it waits for a settle in progress rather than racing it.
        self.db
            .run_for(Service::Redis, move |_| {
                let mut held = held.lock();
                if held.get(&session).is_some_and(|h| h.claim == claim) {
                    held.remove(&session);
                }
                Ok(())
            })
            .await
    }
}

fn read_lines(c: &Connection, session: &str) -> rusqlite::Result<Vec<CartLine>> {
    let mut stmt = c.prepare_cached(
        "SELECT car_id, quantity FROM cart_items WHERE session_id = ?1 ORDER BY added_at, car_id",
    )?;
    let rows = stmt.query_map([session], |r| {
        Ok(CartLine {
            car_id: CarId(r.get(0)?),
            quantity: r.get(1)?,
        })
    })?;
    rows.collect()
}

fn upsert(c: &Connection, session: &str, car: CarId, quantity: u32) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO cart_items (session_id, car_id, quantity, added_at, used_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (session_id, car_id) DO UPDATE SET quantity = excluded.quantity",
        params![session, car.0, quantity, now_text()],
    )?;
    Ok(())
}

/// Stamps every line of the cart as used now.
fn touch(c: &Connection, session: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE cart_items SET used_at = ?1 WHERE session_id = ?2")?
        .execute(params![now_text(), session])
        .map(drop)
}
