//! One integration test binary: the store started on port 0, exercised over real HTTP, a real
//! binary on the command line, and a real browser.

mod bad_input;
mod browser;
mod browser_dashboard;
mod browser_flows;
mod cars;
mod cart;
mod checkout;
mod cli;
mod compose;
mod contract;
mod control;
mod docker;
mod docker_attach;
mod events;
mod fanout;
mod helpers;
mod load;
mod metrics;
mod orders;
mod outages;
mod pipeline;
mod private;
mod prometheus;
mod queues;
mod restart;
mod services;
mod spa;
mod status;
mod story;
mod worker;
