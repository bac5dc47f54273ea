//! The cars for sale: the built-in list, the queries shoppers run on it, and pictures of each car.

mod image;
mod service;

pub use image::{CarImage, Gallery};
pub use service::{CacheCounts, CatalogService, EncodeListing};

pub use crate::domain::BuiltinCatalog;
pub use crate::store::CarSource;

use crate::adapter::AdapterError;
use crate::domain::{Car, Category};
use async_trait::async_trait;

#[async_trait]
impl CarSource for BuiltinCatalog {
    async fn load_cars(&self) -> Result<Vec<Car>, AdapterError> {
        Ok(BuiltinCatalog::cars())
    }
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
