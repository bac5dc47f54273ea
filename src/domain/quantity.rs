use super::Invalid;
use serde_json::Value;

/// The most of one car a single cart line may hold.
pub const MAX_LINE_QUANTITY: u32 = 10;

/// How many of one car a shopper wants: 1 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(u32);

/// A quantity that is not a number at all is a malformed request (400); a number out of range is a
/// well-formed but invalid value (422). Callers need to tell the two apart.
#[derive(Debug, PartialEq, Eq)]
pub enum QuantityError {
    NotAnInteger,
    OutOfRange(Invalid),
}

impl Quantity {
    pub fn parse(n: i64) -> Result<Self, Invalid> {
        match u32::try_from(n) {
            Ok(q) if (1..=MAX_LINE_QUANTITY).contains(&q) => Ok(Quantity(q)),
            _ => Err(Invalid(format!(
                "quantity must be between 1 and {MAX_LINE_QUANTITY}"
            ))),
        }
    }

    /// Parses a JSON value. Whole numbers written as floats (`1e9`, `2.0`) count as numbers so
    /// they get the range error, not a type error; `1.5` or `"3"` are not quantities at all.
    pub fn from_json(value: &Value) -> Result<Self, QuantityError> {
        let whole = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
            }),
            _ => None,
        };
        let whole = whole.ok_or(QuantityError::NotAnInteger)?;
        Quantity::parse(whole).map_err(QuantityError::OutOfRange)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_one_to_ten() {
        assert_eq!(Quantity::parse(1).unwrap().get(), 1);
        assert_eq!(Quantity::parse(10).unwrap().get(), 10);
    }

    #[test]
    fn refuses_zero_negative_and_above_ten() {
        for n in [0, -1, 11, i64::MAX, i64::MIN] {
            assert!(Quantity::parse(n).is_err(), "{n} should be refused");
        }
    }

    #[test]
    fn huge_float_is_out_of_range_not_a_type_error() {
        assert!(matches!(
            Quantity::from_json(&json!(1e9)),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::from_json(&json!(-1)),
            Err(QuantityError::OutOfRange(_))
        ));
        assert_eq!(Quantity::from_json(&json!(2.0)).unwrap().get(), 2);
    }

    #[test]
    fn strings_and_fractions_are_not_quantities() {
        for v in [json!("3"), json!(1.5), json!(null), json!([1]), json!(true)] {
            assert_eq!(
                Quantity::from_json(&v),
                Err(QuantityError::NotAnInteger),
                "{v}"
            );
        }
    }
}
