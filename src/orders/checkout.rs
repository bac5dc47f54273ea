use crate::backend::BackendError;
use crate::cache::{CartLine, CartStore};
use crate::catalog::CatalogService;
use crate::domain::{CustomerName, Email, IdempotencyKey, OrderId, OrderStatus, SessionId};
use crate::events::{EventBus, StoreEvent};
use crate::store::{NewOrder, OrderStore, Placed, PricedLine};
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
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// Turns carts into orders. Holds what checkout touches and nothing else.
pub struct Checkout {
    pub catalog: Arc<CatalogService>,
    pub carts: Arc<dyn CartStore>,
    pub orders: Arc<dyn OrderStore>,
    /// Woken after each new order so the relay publishes it at once instead of at its next tick.
    pub outbox_ready: Arc<Notify>,
    /// Told about each new order, for the dashboard's live feed.
    pub events: Arc<EventBus>,
}

impl Checkout {
    /// Claims the cart, prices it from the catalog and writes the order. If anything fails after
    /// the claim, the lines go back into the cart: a failed checkout never loses a cart.
    pub async fn place_order(&self, req: CheckoutRequest) -> Result<OrderId, CheckoutError> {
        if let Some(id) = self.earlier_order(&req).await? {
            return Ok(id);
        }
        let lines = self.carts.take(&req.session).await?;
        if lines.is_empty() {
            // A retry racing its own first attempt finds the cart already claimed.
            return self
                .earlier_order(&req)
                .await?
                .ok_or(CheckoutError::CartEmpty);
        }
        match self.write_order(&req, &lines).await {
            Ok(Placed::New(id)) => {
                self.outbox_ready.notify_one();
                self.events
                    .publish(StoreEvent::order(id, OrderStatus::Pending));
                Ok(id)
            }
            Ok(Placed::Existing(id)) => {
                self.put_back(&req.session, &lines).await;
                Ok(id)
            }
            Err(e) => {
                self.put_back(&req.session, &lines).await;
                Err(e.into())
            }
        }
    }

    async fn earlier_order(&self, req: &CheckoutRequest) -> Result<Option<OrderId>, BackendError> {
        match &req.idempotency_key {
            Some(key) => self.orders.find_by_idempotency_key(&req.session, key).await,
            None => Ok(None),
        }
    }

    async fn write_order(
        &self,
        req: &CheckoutRequest,
        lines: &[CartLine],
    ) -> Result<Placed, BackendError> {
        let order = NewOrder {
            session: req.session.clone(),
            customer_name: req.customer_name.clone(),
            customer_email: req.customer_email.clone(),
            lines: self.price(lines).await?,
            idempotency_key: req.idempotency_key.clone(),
        };
        self.orders.place(&order).await
    }

    /// Prices come from the catalog, never from the client.
    async fn price(&self, lines: &[CartLine]) -> Result<Vec<PricedLine>, BackendError> {
        let cars = self.catalog.all().await?;
        lines
            .iter()
            .map(|line| {
                let car = cars.iter().find(|c| c.id == line.car_id).ok_or_else(|| {
                    BackendError::Corrupt(format!(
                        "cart holds car {} which is not in the catalog",
                        line.car_id
                    ))
                })?;
                Ok(PricedLine {
                    car_id: line.car_id,
                    quantity: line.quantity,
                    unit_price: car.price,
                })
            })
            .collect()
    }

    async fn put_back(&self, session: &SessionId, lines: &[CartLine]) {
        if let Err(e) = self.carts.restore(session, lines).await {
            // The cart service failed between the claim and now; say so loudly, it is rare.
            tracing::error!(error = %e, lines = lines.len(), "could not put a claimed cart back");
        }
    }
}
