use super::{db_error, PgStore};
use crate::adapter::AdapterError;
use crate::domain::{Car, CarId, Money};
use crate::store::CarSource;
use async_trait::async_trait;
use tokio_postgres::{Client, Row};

/// Puts the built-in cars into an empty (or partly filled) `cars` table.
pub(super) async fn seed(client: &Client, cars: &[Car]) -> Result<(), tokio_postgres::Error> {
    let insert = client
        .prepare(
            "INSERT INTO cars (id, make, model, year, price_cents, category, body, colour, description)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    for car in cars {
        client
            .execute(
                &insert,
                &[
                    &car.id.0,
                    &car.make,
                    &car.model,
                    &car.year,
                    &car.price.cents(),
                    &car.category.as_str(),
                    &car.body.as_str(),
                    &car.colour,
                    &car.description,
                ],
            )
            .await?;
    }
    Ok(())
}

#[async_trait]
impl CarSource for PgStore {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT id, make, model, year, price_cents, category, body, colour, description FROM cars ORDER BY id",
            )
            .await
            .map_err(db_error)?;
        let rows = client.query(&stmt, &[]).await.map_err(db_error)?;
        rows.iter().map(car_from_row).collect()
    }
}

fn car_from_row(r: &Row) -> Result<Car, AdapterError> {
    let corrupt =
        |what: String| AdapterError::Corrupt(format!("cars row {}: {what}", r.get::<_, i64>(0)));
    Ok(Car {
        id: CarId(r.get(0)),
        make: r.get(1),
        model: r.get(2),
        year: r.get(3),
        price: Money::from_cents(r.get(4)),
        category: r.get::<_, String>(5).parse().map_err(corrupt)?,
        body: r.get::<_, String>(6).parse().map_err(corrupt)?,
        colour: r.get(7),
        description: r.get(8),
    })
}
