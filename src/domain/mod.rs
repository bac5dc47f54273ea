//! The store's own vocabulary. Every value that comes from outside is parsed into one of these
//! types at the boundary, so the rest of the code never handles an unchecked string or number.

mod account;
mod builtin_cars;
mod car;
mod customer;
mod money;
mod order;
mod password;
mod quantity;
mod session;

pub use account::{AccountId, SignUp};
pub use builtin_cars::BuiltinCatalog;
pub use car::{BodyType, Car, CarId, Category};
pub use customer::{CustomerName, Email};
pub use money::Money;
pub use order::{IdempotencyKey, OrderCreated, OrderCreatedItem, OrderId, OrderStatus};
pub use password::{Password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use quantity::{Quantity, QuantityError, MAX_LINE_QUANTITY};
pub use session::{GuestKey, SessionId};

/// Why a value from outside was refused. The message is one sentence a shopper can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);
