//! carstore: a demo online car store and the operations console around it, in one binary.
//!
//! Layers, top to bottom (arrows point down only):
//! `app` → `http` → `orders` → `store` / `cache` / `queue` / `catalog` → `domain`.

pub mod access;
pub mod accounts;
pub mod adapter;
pub mod app;
pub mod breaker;
pub mod cache;
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
