use super::Invalid;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OrderId(pub i64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an order is in its life: written at checkout as `pending`, then `processed` (or
/// `failed`) by the order processor once its event has gone through the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Processed,
    Failed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Processed => "processed",
            OrderStatus::Failed => "failed",
        }
    }
}

impl FromStr for OrderStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(OrderStatus::Pending),
            "processed" => Ok(OrderStatus::Processed),
            "failed" => Ok(OrderStatus::Failed),
            other => Err(format!("unknown order status {other:?}")),
        }
    }
}

/// The client's name for one checkout attempt, so a retried request creates no second order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = (1..=200).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(Invalid(
                "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips() {
        for s in [
            OrderStatus::Pending,
            OrderStatus::Processed,
            OrderStatus::Failed,
        ] {
            assert_eq!(s.as_str().parse::<OrderStatus>(), Ok(s));
        }
    }

    #[test]
    fn idempotency_keys_are_bounded_visible_ascii() {
        assert!(IdempotencyKey::parse("checkout-7f3a").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
    }
}

/// The `order.created` event as it travels through the queue. The body keeps the format existing
/// consumers read: `{order_id, session_id, items:[{car_id, quantity}], total, customer_name, customer_email}`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct OrderCreated {
    pub order_id: i64,
    pub session_id: String,
    pub items: Vec<OrderCreatedItem>,
    pub total: f64,
    pub customer_name: String,
    pub customer_email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct OrderCreatedItem {
    pub car_id: i64,
    pub quantity: u32,
}

#[cfg(test)]
mod event_tests {
    use super::*;

    #[test]
    fn order_created_keeps_the_existing_body_format() {
        let event = OrderCreated {
            order_id: 7,
            session_id: "s".into(),
            items: vec![OrderCreatedItem {
                car_id: 1,
                quantity: 2,
            }],
            total: 36000.0,
            customer_name: "Ada".into(),
            customer_email: "ada@example.com".into(),
        };
        let v = serde_json::to_value(&event).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 6);
        for k in [
            "order_id",
            "session_id",
            "items",
            "total",
            "customer_name",
            "customer_email",
        ] {
            assert!(keys.contains(&k.to_string()), "{k}");
        }
        assert_eq!(
            v["items"][0],
            serde_json::json!({"car_id": 1, "quantity": 2})
        );
    }
}
