//! What virtual shoppers do, and how often: a weighted mix of scenarios such as
//! `browse=10,add_to_cart=3,checkout=1`.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visit {
    /// The catalog page: `GET /api/cars`.
    Browse,
    /// One car: `GET /api/cars/{id}`.
    View,
    /// `POST /api/cart` with one car.
    AddToCart,
    /// A car into the cart, then `POST /api/checkout`.
    Checkout,
}

impl Visit {
    pub const ALL: [Visit; 4] = [
        Visit::Browse,
        Visit::View,
        Visit::AddToCart,
        Visit::Checkout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visit::Browse => "browse",
            Visit::View => "view",
            Visit::AddToCart => "add_to_cart",
            Visit::Checkout => "checkout",
        }
    }
}

/// Scenarios with whole-number weights; a pick lands on each in proportion to its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mix {
    weights: Vec<(Visit, u32)>,
    total: u32,
}

impl Mix {
    pub fn new(weights: Vec<(Visit, u32)>) -> Result<Mix, String> {
        let weights: Vec<_> = weights.into_iter().filter(|(_, w)| *w > 0).collect();
        let total = weights
            .iter()
            .try_fold(0u32, |sum, (_, w)| sum.checked_add(*w))
            .ok_or("the weights add up to too much")?;
        if total == 0 {
            return Err("the mix needs at least one scenario with a weight above 0".into());
        }
        Ok(Mix { weights, total })
    }

    /// The scenario for a number drawn uniformly from `0..u32::MAX`.
    pub fn pick(&self, draw: u32) -> Visit {
        let mut point = ((u64::from(draw) * u64::from(self.total)) >> 32) as u32;
        for (scenario, weight) in &self.weights {
            if point < *weight {
                return *scenario;
            }
            point -= weight;
        }
        self.weights.last().expect("a mix is never empty").0
    }

    pub fn weights(&self) -> &[(Visit, u32)] {
        &self.weights
    }
}

impl Default for Mix {
    /// A store's day: mostly looking, some carts, few checkouts.
    fn default() -> Mix {
        Mix::new(vec![
            (Visit::Browse, 10),
            (Visit::View, 5),
            (Visit::AddToCart, 3),
            (Visit::Checkout, 1),
        ])
        .expect("the default mix is valid")
    }
}

impl FromStr for Mix {
    type Err = String;

    /// `browse=10,view=5,add_to_cart=3,checkout=1`; `cart` is short for `add_to_cart`.
    fn from_str(text: &str) -> Result<Mix, String> {
        let mut weights = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: write scenario=weight"))?;
            let scenario = match name.trim() {
                "browse" => Visit::Browse,
                "view" => Visit::View,
                "add_to_cart" | "cart" => Visit::AddToCart,
                "checkout" => Visit::Checkout,
                other => {
                    return Err(format!(
                        "unknown scenario {other:?}: browse, view, add_to_cart, checkout"
                    ))
                }
            };
            let weight = weight
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{part:?}: the weight must be a whole number"))?;
            weights.push((scenario, weight));
        }
        Mix::new(weights)
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<_> = self
            .weights
            .iter()
            .map(|(s, w)| format!("{}={w}", s.as_str()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_follow_the_weights() {
        let mix: Mix = "browse=10,cart=3,checkout=1".parse().unwrap();
        let mut counts = [0u32; 4];
        // Draws spread evenly over the whole range land in exact proportion.
        let steps = 14_000u64;
        for i in 0..steps {
            let draw = (i * (u64::from(u32::MAX) + 1)).div_ceil(steps) as u32;
            let at = Visit::ALL
                .iter()
                .position(|s| *s == mix.pick(draw))
                .unwrap();
            counts[at] += 1;
        }
        assert_eq!(counts, [10_000, 0, 3_000, 1_000]);
        assert_eq!(mix.pick(0), Visit::Browse);
        assert_eq!(mix.pick(u32::MAX), Visit::Checkout);
    }

    #[test]
    fn bad_mixes_say_what_is_wrong() {
        assert!("browse=0"
            .parse::<Mix>()
            .unwrap_err()
            .contains("at least one"));
        assert!("fly=1"
            .parse::<Mix>()
            .unwrap_err()
            .contains("unknown scenario"));
        assert!("browse=x"
            .parse::<Mix>()
            .unwrap_err()
            .contains("whole number"));
        assert!("browse"
            .parse::<Mix>()
            .unwrap_err()
            .contains("scenario=weight"));
        assert_eq!(
            Mix::default().to_string(),
            "browse=10,view=5,add_to_cart=3,checkout=1"
        );
    }
}
