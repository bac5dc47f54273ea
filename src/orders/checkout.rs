use crate::adapter::AdapterError;
use crate::cache::{CartLine, CartStore};
use crate::catalog::CatalogService;
use crate::domain::{CustomerName, Email, IdempotencyKey, OrderId, OrderStatus, SessionId};
use crate::events::{EventBus, StoreEvent};
use crate::store::{NewOrder, PlaceOrders, Placed, PricedLine};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a checkout that found its cart claimed waits for a racing try with the same key.
const RACING_TRY_CHECKS: u32 = 20;
const RACING_TRY_PAUSE: Duration = Duration::from_millis(25);

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
    /// Claims the cart, prices it from the catalog and writes the order. If anything fails after
    /// the claim, the lines go back into the cart: a failed checkout never loses a cart.
    /// `Placed::Existing` when the idempotency key names an order placed before.
    pub async fn place_order(&self, req: CheckoutRequest) -> Result<Placed, CheckoutError> {
        // The key is looked up inside the order's transaction (`PlaceOrders::place`), so a first
        // try, nearly every checkout, makes no round trip of its own for it. A retry of a checkout
        // that went through finds the cart empty, or puts back what was added since.
        let lines = match self.carts.take(&req.session).await {
            Ok(lines) => lines,
            // Without the cart service a retry can still be told its order.
            Err(e) => {
                return match self.earlier_order(&req).await {
                    Ok(Some(id)) => Ok(Placed::Existing(id)),
                    _ => Err(e.into()),
                }
            }
        };
        if lines.is_empty() {
            return self
                .order_of_a_racing_try(&req)
                .await?
                .map(Placed::Existing)
                .ok_or(CheckoutError::CartEmpty);
        }
        match self.write_order(&req, &lines).await {
            Ok(Some(Placed::New(id))) => {
                // Told before the relay is woken, so the feed shows pending before processed
                // (a relay already busy may still overtake it).
                self.events
                    .publish(StoreEvent::order(id, OrderStatus::Pending));
                self.outbox_ready.notify_one();
                Ok(Placed::New(id))
            }
            Ok(Some(Placed::Existing(id))) => {
                self.put_back(&req.session, &lines).await;
                Ok(Placed::Existing(id))
            }
            // Nothing in the cart is still for sale.
            Ok(None) => Err(CheckoutError::CartEmpty),
            Err(e) => {
                self.put_back(&req.session, &lines).await;
                Err(e.into())
            }
        }
    }

    /// A retry racing its own first attempt finds the cart already claimed while that attempt
    /// has not committed yet: give it a moment to, so both get the same order.
    async fn order_of_a_racing_try(
        &self,
        req: &CheckoutRequest,
    ) -> Result<Option<OrderId>, AdapterError> {
        if req.idempotency_key.is_none() {
            return Ok(None);
        }
        for _ in 0..RACING_TRY_CHECKS {
            if let Some(id) = self.earlier_order(req).await? {
                return Ok(Some(id));
            }
            tokio::time::sleep(RACING_TRY_PAUSE).await;
        }
        Ok(None)
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

    async fn put_back(&self, session: &SessionId, lines: &[CartLine]) {
        if let Err(e) = self.carts.restore(session, lines).await {
            // The cart service failed between the claim and now; say so loudly, it is rare.
            tracing::error!(error = %e, lines = lines.len(), "could not put a claimed cart back");
        }
    }
}
