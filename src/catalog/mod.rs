//! The cars for sale: the built-in list, the queries shoppers run on it, and pictures of each car.

mod image;
mod service;

pub use image::{CarImage, Gallery};
pub use service::{CacheCounts, CatalogService, EncodeListing};

use crate::adapter::AdapterError;
use crate::domain::{Car, CarId, Category, Money};
use async_trait::async_trait;

/// Where the catalog is read from when the cache does not have it.
#[async_trait]
pub trait CarSource: Send + Sync {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError>;
}

/// The catalog compiled into the binary, so the store works with nothing else installed.
pub struct BuiltinCatalog;

const CARS_TSV: &str = include_str!("cars.tsv");

impl BuiltinCatalog {
    /// Every built-in car. The table is part of the source and checked by a unit test, so a
    /// malformed row is a build mistake, reported here with its line.
    pub fn cars() -> Vec<Car> {
        CARS_TSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                parse_row(line).unwrap_or_else(|e| panic!("cars.tsv line {}: {e}", i + 2))
            })
            .collect()
    }
}

#[async_trait]
impl CarSource for BuiltinCatalog {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError> {
        Ok(BuiltinCatalog::cars())
    }
}

fn parse_row(line: &str) -> Result<Car, String> {
    let f: Vec<&str> = line.split('\t').collect();
    let [id, make, model, year, price, category, body, colour, description] = f[..] else {
        return Err(format!("expected 9 columns, found {}", f.len()));
    };
    let number = |s: &str| s.parse::<i64>().map_err(|e| format!("{s:?}: {e}"));
    Ok(Car {
        id: CarId(number(id)?),
        make: make.into(),
        model: model.into(),
        year: number(year)? as i32,
        price: Money::from_dollars(number(price)?),
        category: category.parse()?,
        description: description.into(),
        body: body.parse()?,
        colour: colour.into(),
    })
}

/// How a shopper wants the list ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    PriceAsc,
    PriceDesc,
    YearDesc,
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "price_asc" => Ok(Sort::PriceAsc),
            "price_desc" => Ok(Sort::PriceDesc),
            "year_desc" => Ok(Sort::YearDesc),
            _ => Err("sort must be one of price_asc, price_desc, year_desc".into()),
        }
    }
}

/// A catalog search: every part optional.
#[derive(Debug, Default, Clone)]
pub struct CarQuery {
    pub category: Option<Category>,
    /// Matched case-insensitively against make, model and description.
    pub text: Option<String>,
    pub sort: Option<Sort>,
}

impl CarQuery {
    /// No filter and no sort: the whole catalog in its own order.
    pub fn is_everything(&self) -> bool {
        self.category.is_none()
            && self.sort.is_none()
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
    }

    pub fn apply(&self, cars: &[Car]) -> Vec<Car> {
        let needle = self
            .text
            .as_deref()
            .map(str::to_lowercase)
            .filter(|t| !t.is_empty());
        let mut found: Vec<Car> = cars
            .iter()
            .filter(|c| self.category.is_none_or(|cat| c.category == cat))
            .filter(|c| needle.as_deref().is_none_or(|n| matches_text(c, n)))
            .cloned()
            .collect();
        match self.sort {
            Some(Sort::PriceAsc) => found.sort_by_key(|c| (c.price, c.id)),
            Some(Sort::PriceDesc) => found.sort_by_key(|c| (std::cmp::Reverse(c.price), c.id)),
            Some(Sort::YearDesc) => found.sort_by_key(|c| (std::cmp::Reverse(c.year), c.id)),
            None => found.sort_by_key(|c| c.id),
        }
        found
    }
}

fn matches_text(car: &Car, needle: &str) -> bool {
    [&car.make, &car.model, &car.description]
        .iter()
        .any(|f| f.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn builtin_catalog_has_39_cars_in_every_category() {
        let cars = BuiltinCatalog::cars();
        assert!(cars.len() >= 39);
        let ids: HashSet<_> = cars.iter().map(|c| c.id.0).collect();
        assert_eq!(ids.len(), cars.len(), "ids are unique");
        assert!((1..=39).all(|id| ids.contains(&id)));
        let categories: HashSet<_> = cars.iter().map(|c| c.category).collect();
        assert_eq!(categories.len(), Category::ALL.len());
    }

    #[test]
    fn seed_ids_keep_their_cars() {
        let cars = BuiltinCatalog::cars();
        let first = &cars[0];
        assert_eq!(
            (first.id.0, first.make.as_str(), first.model.as_str()),
            (1, "Toyota", "Corolla")
        );
        assert_eq!(first.price, Money::from_dollars(18_000));
    }

    #[test]
    fn query_filters_searches_and_sorts() {
        let cars = BuiltinCatalog::cars();
        let q = CarQuery {
            category: Some(Category::Electric),
            text: None,
            sort: Some(Sort::PriceAsc),
        };
        let found = q.apply(&cars);
        assert!(found.iter().all(|c| c.category == Category::Electric));
        assert!(found.windows(2).all(|w| w[0].price <= w[1].price));
        let tesla = CarQuery {
            text: Some("TESLA".into()),
            ..Default::default()
        }
        .apply(&cars);
        assert_eq!(tesla.len(), 2);
    }
}
