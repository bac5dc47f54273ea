use super::Money;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A car's catalog number. Ids 1–39 are the ones existing clients know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CarId(pub i64);

impl fmt::Display for CarId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The aisles of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Starter,
    Sedan,
    Suv,
    Electric,
    Sports,
    Truck,
    City,
    Luxury,
    Budget,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Starter,
        Category::Sedan,
        Category::Suv,
        Category::Electric,
        Category::Sports,
        Category::Truck,
        Category::City,
        Category::Luxury,
        Category::Budget,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Starter => "starter",
            Category::Sedan => "sedan",
            Category::Suv => "suv",
            Category::Electric => "electric",
            Category::Sports => "sports",
            Category::Truck => "truck",
            Category::City => "city",
            Category::Luxury => "luxury",
            Category::Budget => "budget",
        }
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown category {s:?}"))
    }
}

/// The silhouette a car's picture is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyType {
    Sedan,
    Hatchback,
    Suv,
    Coupe,
    Pickup,
}

impl BodyType {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyType::Sedan => "sedan",
            BodyType::Hatchback => "hatchback",
            BodyType::Suv => "suv",
            BodyType::Coupe => "coupe",
            BodyType::Pickup => "pickup",
        }
    }
}

impl FromStr for BodyType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sedan" => Ok(BodyType::Sedan),
            "hatchback" => Ok(BodyType::Hatchback),
            "suv" => Ok(BodyType::Suv),
            "coupe" => Ok(BodyType::Coupe),
            "pickup" => Ok(BodyType::Pickup),
            other => Err(format!("unknown body type {other:?}")),
        }
    }
}

/// A car for sale. Its JSON form is the HTTP layer's `CarView`.
#[derive(Debug, Clone, PartialEq)]
pub struct Car {
    pub id: CarId,
    pub make: String,
    pub model: String,
    pub year: i32,
    pub price: Money,
    pub category: Category,
    pub description: String,
    pub body: BodyType,
    /// Paint colour as `#rrggbb`; the picture is drawn in it.
    pub colour: String,
}

impl Car {
    pub fn image_path(&self) -> String {
        format!("/images/cars/{}.svg", self.id)
    }

    pub fn title(&self) -> String {
        format!("{} {}", self.make, self.model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_case_insensitively() {
        assert_eq!("SUV".parse::<Category>(), Ok(Category::Suv));
        assert!("boat".parse::<Category>().is_err());
    }
}
