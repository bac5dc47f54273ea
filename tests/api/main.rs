//! The integration tests that need more than this crate, in one binary: the store started on
//! port 0 against the shared Postgres, Redis and RabbitMQ (and private ones that tests stop), a
//! Docker engine, Prometheus's tools and headless Chromium. `bash ops/test.sh` installs and
//! starts all of them; the tests that need nothing are in tests/embedded/.

// Shared with tests/embedded, which uses the rest of it.
#[allow(dead_code)]
mod helpers;
mod private;
mod services;
// Shared with tests/embedded: accounts and devices, one helper per account endpoint.
#[allow(dead_code)]
mod shoppers;

// Real services: the contract on both backends, outages, the order pipeline, several processes.
mod accounts;
mod accounts_devices;
mod accounts_limits;
mod audit;
mod batches;
mod cart_claims;
mod contract;
mod events;
mod faults;
mod faults_cli;
mod faults_feed;
mod faults_outages;
mod faults_pipeline;
mod flaky;
mod load;
mod outages;
mod outages_accounts;
mod pipeline;
mod queues;
mod replica_channel;
mod retention;
mod scenarios_guided;
mod scenarios_headless;
mod security_compat;
mod security_replicas;
mod security_store;
mod story;
mod worker;

// The real binary on the command line.
mod accounts_secrets;
mod chaos;
mod chaos_db;
mod chaos_load;
mod cli;
mod cli_replica;
mod fanout;

// Replicas behind haproxy: several stores and workers as one, through a kill and restarts.
mod replicas;
mod replicas_audit;
mod replicas_checks;
mod replicas_feed;
mod replicas_fleet;
mod replicas_haproxy;
mod replicas_load;
mod replicas_stops;
mod replicas_throughput;
mod replicas_views;

// Starting and stopping services: the command backend, a Docker engine.
mod control;
mod docker;
mod docker_attach;

// Observability: promtool, a real Prometheus, the compose file.
mod compose;
mod metrics;
mod prometheus;

// Headless Chromium.
mod browser;
mod browser_accounts;
mod browser_accounts_forms;
mod browser_dashboard;
mod browser_faults;
mod browser_flaky;
mod browser_flows;
mod browser_markers;
mod browser_replicas;
mod browser_scenarios;
