//! carstore: a demo online car store and the operations console around it, in one binary.
//!
//! The top-level modules in layers, top to bottom. A module imports only from layers below its
//! own, never from its own layer or above (tests/embedded/layers.rs enforces it); a lower room
//! that must tell a higher one something publishes an event or calls a function it was given.
//!
//! ```text
//! cli app                             the commands; the store built, wired and run
//! http                                one file per resource; actix lives here and in app only
//! state                               AppState: what a request handler can reach
//! scenarios                           guided drills, through the narrow handles they use
//! accounts janitor ops orders replicas  use cases: accounts, pruning, health and control, orders, replicas
//! access breaker load                 admin sessions and feed places; breakers; the load generator
//! catalog faults                      the catalog read through its cache; faults on purpose
//! calls                               the gates every adapter call passes (breaker, faults)
//! cache queue                         carts, sessions and the catalog cache; order events
//! store                               orders, accounts, audit entries; Postgres and SQLite
//! adapter events metrics telemetry    what adapters share; event payloads and bus; metric families; logging
//! config                              settings, declared once each
//! domain service                      the store's words: Car, Order, Money, Email; Service, PerService
//! ```

pub mod access;
pub mod accounts;
pub mod adapter;
pub mod app;
pub mod breaker;
pub mod cache;
pub mod calls;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod domain;
pub mod events;
pub mod faults;
pub mod http;
pub mod janitor;
pub mod load;
pub mod metrics;
pub mod ops;
pub mod orders;
pub mod queue;
pub mod replicas;
pub mod scenarios;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;

pub use app::Application;
pub use config::Settings;
