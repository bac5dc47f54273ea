//! The API tests that need nothing but this crate: each starts the store embedded (SQLite, the
//! in-memory cache, the in-process queue) on port 0 with a fresh data dir. With the unit tests
//! they run on a bare machine: `cargo test`.

// Shared with tests/api, which uses the rest of it.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../api/shoppers.rs"]
mod shoppers;

mod accounts;
mod accounts_proxy;
mod admin;
mod bad_input;
mod cars;
mod cart;
mod checkout;
mod contract;
mod contract_accounts;
mod contract_answers;
mod contract_faults;
mod contract_ops;
mod contract_scenarios;
mod layers;
mod orders;
mod restart;
mod retention;
mod schema;
mod spa;
mod status;
