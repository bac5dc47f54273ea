//! The catalog as stored in Redis: every field of a car, including what only pictures use.

use crate::adapter::AdapterError;
use crate::domain::{Car, CarId, Money};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct CachedCar {
    id: i64,
    make: String,
    model: String,
    year: i32,
    price_cents: i64,
    category: String,
    body: String,
    colour: String,
    description: String,
}

impl From<&Car> for CachedCar {
    fn from(c: &Car) -> Self {
        CachedCar {
            id: c.id.0,
            make: c.make.clone(),
            model: c.model.clone(),
            year: c.year,
            price_cents: c.price.cents(),
            category: c.category.as_str().into(),
            body: c.body.as_str().into(),
            colour: c.colour.clone(),
            description: c.description.clone(),
        }
    }
}

impl CachedCar {
    pub fn into_car(self) -> Result<Car, AdapterError> {
        Ok(Car {
            id: CarId(self.id),
            make: self.make,
            model: self.model,
            year: self.year,
            price: Money::from_cents(self.price_cents),
            category: self.category.parse().map_err(AdapterError::Corrupt)?,
            body: self.body.parse().map_err(AdapterError::Corrupt)?,
            colour: self.colour,
            description: self.description,
        })
    }
}
