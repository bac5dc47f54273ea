use crate::adapter::AdapterError;
use crate::cache::{CartLine, CartStore, Claimed};
use crate::catalog::CatalogService;
use crate::domain::{CustomerName, Email, IdempotencyKey, OrderId, OrderStatus, SessionId};
use crate::events::{EventBus, StoreEvent};
use crate::store::{NewOrder, PlaceOrders, Placed, PricedLine};
use std::sync::Arc;
use tokio::sync::Notify;

/// A shopper's validated request to buy what is in their cart.
pub struct CheckoutRequest {
    pub session: SessionId,
    pub customer_name: CustomerName,
    pub customer_email: Email,
    pub idempotency_key: Option<IdempotencyKey>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    CartEmpty,
    /// Another checkout of this cart is going on (a double click, or a retry without the
    /// Idempotency-Key of the first try).
    #[error("the cart is being checked out")]
    InProgress,
    #[error(transparent)]
    Backend(#[from] AdapterError),
}

/// Turns carts into orders. Holds what checkout touches and nothing else.
pub struct Checkout {
    pub catalog: Arc<CatalogService>,
    pub carts: Arc<dyn CartStore>,
    pub orders: Arc<dyn PlaceOrders>,
    /// Woken after each new order so the relay publishes it at once instead of at its next tick.
    pub outbox_ready: Arc<Notify>,
    /// Told about each new order, for the dashboard's live feed.
    pub events: Arc<EventBus>,
}

impl Checkout {
    /// Claims the cart, prices it from the catalog, writes the order, and only then takes the
    /// bought lines out of the cart: a checkout that fails, or a process killed halfway, never
    /// loses a cart, and a retry with the same Idempotency-Key resumes it. `Placed::Existing`
    /// when the key names an order placed before.
    pub async fn place_order(&self, req: CheckoutRequest) -> Result<Placed, CheckoutError> {
        // The key is looked up inside the order's transaction (`PlaceOrders::place`), so a first
        // try, nearly every checkout, makes no round trip of its own for it.
        let claim = claim_name(&req);
        let (lines, resumed) = match self.claim_cart(&req, &claim).await {
            Ok(Claimed::Lines { lines, resumed }) => (lines, resumed),
            // A retry of a checkout that went through finds the cart empty.
            Ok(Claimed::Empty) => {
                return self
                    .earlier_order(&req)
                    .await?
                    .map(Placed::Existing)
                    .ok_or(CheckoutError::CartEmpty)
            }
            Ok(Claimed::HeldByAnother | Claimed::Stale { .. }) => {
                return Err(CheckoutError::InProgress)
            }
            // Without the cart service a retry can still be told its order.
            Err(e) => {
                return match self.earlier_order(&req).await {
                    Ok(Some(id)) => Ok(Placed::Existing(id)),
                    _ => Err(e.into()),
                }
            }
        };
        let written = self.write_order(&req, &lines).await;
        self.end_claim(&req, &claim, resumed, written).await
    }

    /// Settles or releases the claim as the write went: the bought lines leave the cart only
    /// once their order is written.
    async fn end_claim(
        &self,
        req: &CheckoutRequest,
        claim: &str,
        resumed: bool,
        written: Result<Option<Placed>, AdapterError>,
    ) -> Result<Placed, CheckoutError> {
        match written {
            Ok(Some(Placed::New(id))) => {
                // Told as soon as the order is written and before the relay is woken, so the
                // feed shows pending before processed (a relay already busy may still overtake
                // it); the cart is settled after, not in between.
                self.events
                    .publish(StoreEvent::order(id, OrderStatus::Pending));
                self.outbox_ready.notify_one();
                self.settle(&req.session, claim).await;
                Ok(Placed::New(id))
            }
            Ok(Some(Placed::Existing(id))) => {
                // A resumed claim's order was written by a try that did not live to settle it
                // (or is about to: only the first settle counts). A fresh claim holds what the
                // shopper added after that order: it stays in the cart.
                if resumed {
                    self.settle(&req.session, claim).await;
                } else {
                    self.release(&req.session, claim).await;
                }
                Ok(Placed::Existing(id))
            }
            // Nothing in the cart is still for sale.
            Ok(None) => {
                self.release(&req.session, claim).await;
                Err(CheckoutError::CartEmpty)
            }
            Err(e) => {
                self.release(&req.session, claim).await;
                Err(e.into())
            }
        }
    }

    /// Claims the cart; a claim left by a checkout that stopped is ended first (once).
    async fn claim_cart(
        &self,
        req: &CheckoutRequest,
        claim: &str,
    ) -> Result<Claimed, AdapterError> {
        let first = self.carts.claim(&req.session, claim).await?;
        let Claimed::Stale { claim: stale } = first else {
            return Ok(first);
        };
        self.end_stale(&req.session, &stale).await?;
        self.carts.claim(&req.session, claim).await
    }

    /// A checkout that held the cart far longer than a checkout takes has stopped. If its order
    /// was written, the lines it held are bought and leave the cart now; if not, or if that
    /// cannot be told (a checkout without an Idempotency-Key), the cart stays whole: a cart is
    /// never lost, at the risk of being offered again.
    async fn end_stale(&self, session: &SessionId, stale: &str) -> Result<(), AdapterError> {
        let key = stale
            .strip_prefix(KEYED)
            .and_then(|k| IdempotencyKey::parse(k).ok());
        let written = match key {
            Some(key) => self
                .orders
                .find_by_idempotency_key(session, &key)
                .await?
                .is_some(),
            None => false,
        };
        tracing::info!(
            written,
            "a checkout that stopped halfway held the cart; its claim is ended"
        );
        if written {
            self.carts.settle(session, stale).await
        } else {
            self.carts.release(session, stale).await
        }
    }

    async fn earlier_order(&self, req: &CheckoutRequest) -> Result<Option<OrderId>, AdapterError> {
        match &req.idempotency_key {
            Some(key) => self.orders.find_by_idempotency_key(&req.session, key).await,
            None => Ok(None),
        }
    }

    /// Writes the order for the lines still for sale; `None` when there are none.
    async fn write_order(
        &self,
        req: &CheckoutRequest,
        lines: &[CartLine],
    ) -> Result<Option<Placed>, AdapterError> {
        let priced = self.price(lines).await?;
        if priced.is_empty() {
            return Ok(None);
        }
        let order = NewOrder {
            session: req.session.clone(),
            customer_name: req.customer_name.clone(),
            customer_email: req.customer_email.clone(),
            lines: priced,
            idempotency_key: req.idempotency_key.clone(),
        };
        self.orders.place(&order).await.map(Some)
    }

    /// Prices come from the catalog, never from the client. A car taken out of the catalog
    /// since it was put in the cart can no longer be bought: its line is dropped.
    async fn price(&self, lines: &[CartLine]) -> Result<Vec<PricedLine>, AdapterError> {
        let cars = self.catalog.all().await?;
        let priced = lines.iter().filter_map(|line| {
            let car = cars.iter().find(|c| c.id == line.car_id);
            if car.is_none() {
                tracing::warn!(
                    car_id = line.car_id.0,
                    "dropping a cart line for a car no longer sold"
                );
            }
            car.map(|car| PricedLine {
                car_id: line.car_id,
                quantity: line.quantity,
                unit_price: car.price,
            })
        });
        Ok(priced.collect())
    }

    async fn settle(&self, session: &SessionId, claim: &str) {
        if let Err(e) = self.carts.settle(session, claim).await {
            // The cart service failed between the claim and now: the bought lines stay in the
            // cart (nothing lost), and the claim frees itself. Rare; said loudly.
            tracing::error!(error = %e, "an order is written but its lines are still in the cart");
        }
    }

    async fn release(&self, session: &SessionId, claim: &str) {
        if let Err(e) = self.carts.release(session, claim).await {
            tracing::warn!(error = %e, "a cart claim is left to expire by itself");
        }
    }
}

/// A checkout's claim on the cart is named by its Idempotency-Key, so a retry resumes it; a
/// checkout without one gets a name of its own.
fn claim_name(req: &CheckoutRequest) -> String {
    match &req.idempotency_key {
        Some(key) => claim_of(key),
        None => format!("once:{:032x}", rand::random::<u128>()),
    }
}

/// The claim a checkout with this Idempotency-Key holds on its cart.
pub fn claim_of(key: &IdempotencyKey) -> String {
    format!("{KEYED}{}", key.as_str())
}

/// How a claim named by an Idempotency-Key begins.
const KEYED: &str = "key:";
