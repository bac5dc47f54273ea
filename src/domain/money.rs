use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Mul};

/// An amount in US cents. All arithmetic is done here, in integers; dollars exist only on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub fn from_dollars(dollars: i64) -> Self {
        Money(dollars * 100)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// The compat `price`/`total` number: dollars with two decimals.
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// On the wire, dollars as a number (`price_cents` beside it carries the exact amount).
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::Number)
            .minimum(Some(0))
            .into()
    }
}

impl utoipa::ToSchema for Money {}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Mul<u32> for Money {
    type Output = Money;
    fn mul(self, rhs: u32) -> Money {
        Money(self.0 * i64::from(rhs))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Serialises as dollars, the shape existing clients read.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.dollars())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_keep_two_decimals() {
        assert_eq!(Money::from_cents(1_999).dollars(), 19.99);
        assert_eq!(Money::from_dollars(18_000).cents(), 1_800_000);
    }

    #[test]
    fn line_totals_are_exact_in_cents() {
        let total: Money = [Money::from_cents(10) * 3, Money::from_cents(20)]
            .into_iter()
            .sum();
        assert_eq!(total, Money::from_cents(50));
        assert_eq!(total.to_string(), "$0.50");
    }

    #[test]
    fn serialises_as_a_dollar_number() {
        assert_eq!(
            serde_json::to_string(&Money::from_cents(1_800_050)).unwrap(),
            "18000.5"
        );
    }
}
