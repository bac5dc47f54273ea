//! Embedded carts: a table in the embedded store's SQLite file, so a restart keeps them. Its
//! one connection serialises every write, which is what makes each change atomic here. Every
//! read and change stamps all the cart's lines (`used_at`), as Redis slides a cart's expiry, so
//! the janitor drops carts nobody used for the cart retention.

use super::{CartAdd, CartLine, CartStore};
use crate::adapter::AdapterError;
use crate::domain::{CarId, Quantity, SessionId, MAX_LINE_QUANTITY};
use crate::service::Service;
use crate::store::sqlite::{now_text, SqliteDb};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

/// Embedded carts live in the same file as orders, so a restart keeps them.
#[async_trait]
impl CartStore for SqliteDb {
    async fn lines(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        let session = session.as_str().to_owned();
        self.run_for(Service::Redis, move |c| {
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
        self.run_for(Service::Redis, move |c| {
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
        self.run_for(Service::Redis, move |c| {
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
        self.run_for(Service::Redis, move |c| {
            c.execute("DELETE FROM cart_items WHERE session_id = ?1", [session])
                .map(drop)
        })
        .await
    }

    async fn take(&self, session: &SessionId) -> Result<Vec<CartLine>, AdapterError> {
        let session = session.as_str().to_owned();
        self.run_for(Service::Redis, move |c| {
            let tx = c.transaction()?;
            let lines = read_lines(&tx, &session)?;
            tx.execute("DELETE FROM cart_items WHERE session_id = ?1", [&session])?;
            tx.commit()?;
            Ok(lines)
        })
        .await
    }

    async fn restore(&self, session: &SessionId, lines: &[CartLine]) -> Result<(), AdapterError> {
        let (session, lines) = (session.as_str().to_owned(), lines.to_vec());
        self.run_for(Service::Redis, move |c| {
            let tx = c.transaction()?;
            for line in &lines {
                tx.execute(
                    "INSERT INTO cart_items (session_id, car_id, quantity, added_at, used_at) VALUES (?1, ?2, ?3, ?4, ?4)
                     ON CONFLICT (session_id, car_id) DO UPDATE SET quantity = MIN(quantity + excluded.quantity, ?5)",
                    params![session, line.car_id.0, line.quantity, now_text(), MAX_LINE_QUANTITY],
                )?;
            }
            touch(&tx, &session)?;
            tx.commit()
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
