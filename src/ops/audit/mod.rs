//! What the admin side saw: every control action (who asked, how it ended) and every admin
//! sign-in that failed or was refused. A sign-in entry names nothing but the client's address,
//! as control entries already do; never the token offered.
//!
//! Entries live in the order database (`audit_log`, see `store::AuditStore`), so every replica
//! shows the same history and a restart keeps it; [`AuditLog`] writes them behind the request.

mod log;
#[cfg(test)]
mod tests;

pub use crate::store::audit::{AuditEntry, AuditKind, Audited, FaultChange, SignInVia};
pub use log::AuditLog;
