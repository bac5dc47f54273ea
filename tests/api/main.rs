//! The integration tests that need more than this crate, in one binary: the store started on
//! port 0 against the shared Postgres, Redis and RabbitMQ (and private ones that tests stop), a
//! Docker engine, Prometheus's tools, kubectl and headless Chromium. They are built only with
//! the `services` feature (`cargo test --features services`), which `bash ops/test.sh` passes
//! after installing and starting all of them. Without it, a bare `cargo test` runs the embedded
//! half of each both-backends story here, and tests/embedded.

// Shared with tests/embedded, which uses the rest of it.
#[allow(dead_code)]
mod helpers;
#[cfg(feature = "services")]
mod private;
#[cfg_attr(not(feature = "services"), allow(dead_code, unused_imports))]
mod services;
// Shared with tests/embedded: accounts and devices, one helper per account endpoint.
#[allow(dead_code)]
mod shoppers;
// Reads server-sent events, as a browser's EventSource does.
#[cfg_attr(not(feature = "services"), allow(dead_code))]
mod sse;

// Real services: the contract on both backends, outages, the order pipeline, several processes.
mod accounts;
mod accounts_devices;
mod accounts_limits;
#[cfg(feature = "services")]
mod audit;
#[cfg(feature = "services")]
mod batches;
#[cfg(feature = "services")]
mod cart_claims;
mod contract;
#[cfg(feature = "services")]
mod events;
mod events_feed;
mod events_feed_topics;
mod faults;
#[cfg(feature = "services")]
mod faults_cli;
#[cfg(feature = "services")]
mod faults_feed;
mod faults_outages;
mod faults_pipeline;
mod flaky;
#[cfg(feature = "services")]
mod load;
#[cfg(feature = "services")]
mod outages;
#[cfg(feature = "services")]
mod outages_accounts;
#[cfg(feature = "services")]
mod pipeline;
#[cfg(feature = "services")]
mod queues;
#[cfg(feature = "services")]
mod replica_channel;
#[cfg(feature = "services")]
mod retention;
#[cfg(feature = "services")]
mod scenarios_guided;
mod scenarios_headless;
#[cfg(feature = "services")]
mod security_compat;
#[cfg(feature = "services")]
mod security_replicas;
#[cfg(feature = "services")]
mod security_store;
#[cfg(feature = "services")]
mod story;
#[cfg(feature = "services")]
mod worker;

// The real binary on the command line.
#[cfg(feature = "services")]
mod accounts_secrets;
#[cfg(feature = "services")]
mod chaos;
#[cfg(feature = "services")]
mod chaos_db;
#[cfg(feature = "services")]
mod chaos_load;
#[cfg(feature = "services")]
mod cli;
#[cfg(feature = "services")]
mod cli_replica;
#[cfg(feature = "services")]
mod fanout;

// Replicas behind haproxy: several stores and workers as one, through a kill and restarts.
#[cfg(feature = "services")]
mod replicas;
#[cfg(feature = "services")]
mod replicas_audit;
#[cfg(feature = "services")]
mod replicas_checks;
#[cfg(feature = "services")]
mod replicas_feed;
#[cfg(feature = "services")]
mod replicas_fleet;
#[cfg(feature = "services")]
mod replicas_haproxy;
#[cfg(feature = "services")]
mod replicas_load;
#[cfg(feature = "services")]
mod replicas_stops;
#[cfg(feature = "services")]
mod replicas_throughput;
#[cfg(feature = "services")]
mod replicas_views;

// Starting and stopping services: the command backend, a Docker engine.
#[cfg(feature = "services")]
mod control;
#[cfg(feature = "services")]
mod docker;
#[cfg(feature = "services")]
mod docker_attach;

// Observability: promtool, a real Prometheus, the compose file; the Kubernetes manifests
// rendered by kubectl.
#[cfg(feature = "services")]
mod compose;
#[cfg(feature = "services")]
mod k8s;
#[cfg(feature = "services")]
mod metrics;
#[cfg(feature = "services")]
mod prometheus;

// Headless Chromium.
#[cfg(feature = "services")]
mod browser;
#[cfg(feature = "services")]
mod browser_accounts;
#[cfg(feature = "services")]
mod browser_accounts_forms;
#[cfg(feature = "services")]
mod browser_dashboard;
#[cfg(feature = "services")]
mod browser_faults;
#[cfg(feature = "services")]
mod browser_feed;
#[cfg(feature = "services")]
mod browser_flaky;
#[cfg(feature = "services")]
mod browser_flows;
#[cfg(feature = "services")]
mod browser_markers;
#[cfg(feature = "services")]
mod browser_replicas;
#[cfg(feature = "services")]
mod browser_scenarios;
