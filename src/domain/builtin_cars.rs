//! The catalog compiled into the binary, so the store works with nothing else installed: the
//! cars every backend starts with (Postgres seeds its table from them).

use super::{Car, CarId, Money};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;
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
}
