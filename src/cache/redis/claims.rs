//! A checkout's hold on a cart, in Redis: a small hash beside the cart (`claim:<session>`) that
//! names the checkout, the lines it is buying and since when, living as long as the cart. The
//! cart is only changed
//! once the order is written, so a replica killed mid-checkout never takes a cart with it.

use super::scripts::{CLAIM, RELEASE, SETTLE};
use super::RedisCache;
use crate::adapter::AdapterError;
use crate::cache::{CartLine, Claimed, CLAIM_STALE};
use crate::domain::{CarId, SessionId};

impl RedisCache {
    fn claim_keys(&self, session: &SessionId) -> Vec<String> {
        vec![
            self.cart_key(session),
            format!("{}claim:{}", self.prefix, session.as_str()),
        ]
    }

    pub(super) async fn claim_cart(
        &self,
        session: &SessionId,
        claim: &str,
    ) -> Result<Claimed, AdapterError> {
        let args = vec![
            claim.to_owned(),
            self.cart_ttl_secs.to_string(),
            CLAIM_STALE.as_millis().to_string(),
        ];
        let reply: Vec<String> = self
            .script_on(CLAIM, self.claim_keys(session), args)
            .await?;
        let (kind, detail) = match reply.as_slice() {
            [kind, detail] => (kind.as_str(), detail.as_str()),
            _ => {
                return Err(AdapterError::Corrupt(format!(
                    "cart claim answered {reply:?}"
                )))
            }
        };
        Ok(match kind {
            "claimed" | "resumed" => Claimed::Lines {
                lines: parse_lines(detail)?,
                resumed: kind == "resumed",
            },
            "held" => Claimed::HeldByAnother,
            "stale" => Claimed::Stale {
                claim: detail.to_owned(),
            },
            _ => Claimed::Empty,
        })
    }

    pub(super) async fn settle_claim(
        &self,
        session: &SessionId,
        claim: &str,
    ) -> Result<(), AdapterError> {
        self.script_on::<i64>(SETTLE, self.claim_keys(session), vec![claim.to_owned()])
            .await
            .map(drop)
    }

    pub(super) async fn release_claim(
        &self,
        session: &SessionId,
        claim: &str,
    ) -> Result<(), AdapterError> {
        self.script_on::<i64>(RELEASE, self.claim_keys(session), vec![claim.to_owned()])
            .await
            .map(drop)
    }
}

/// `car:quantity,...`, ordered by car id as the cart is.
fn parse_lines(text: &str) -> Result<Vec<CartLine>, AdapterError> {
    let mut lines = text
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let parsed = part
                .split_once(':')
                .and_then(|(car, qty)| Some((car.parse().ok()?, qty.parse().ok()?)));
            parsed
                .map(|(car, quantity)| CartLine {
                    car_id: CarId(car),
                    quantity,
                })
                .ok_or_else(|| AdapterError::Corrupt(format!("claimed line {part:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    lines.sort_by_key(|l| l.car_id.0);
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimed_lines_read_back_in_car_order_and_garbage_is_corrupt() {
        let lines = parse_lines("5:2,1:1").unwrap();
        assert_eq!(
            lines,
            [
                CartLine {
                    car_id: CarId(1),
                    quantity: 1
                },
                CartLine {
                    car_id: CarId(5),
                    quantity: 2
                }
            ]
        );
        assert!(parse_lines("").unwrap().is_empty());
        assert!(parse_lines("x:1").is_err());
    }
}
