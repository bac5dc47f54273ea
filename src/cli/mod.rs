//! The command line. Every option can also come from the environment (`CARSTORE_*`) or the
//! config file; `config` layers them.

pub mod fault;
pub mod load;
pub mod scenario;

use crate::config::{ServeArgs, WorkerArgs};
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "carstore", version = env!("BUILD_VERSION_TEXT"), about = "A demo online car store and the operations console around it")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the store, its API and the dashboard on one port.
    Serve(ServeArgs),
    /// Run only the outbox relay and the order processor: no store, only /metrics and /healthz.
    Worker(WorkerArgs),
    /// Exit 0 when a running carstore answers its /healthz (for container healthchecks).
    Healthcheck(HealthcheckArgs),
    /// Put load on a running store: virtual shoppers with their own sessions, then a report.
    Load(LoadArgs),
    /// List, set or clear faults on a running store (admin).
    Fault(FaultArgs),
    /// List the guided scenarios, or run one headless against a running store (admin).
    Scenario(ScenarioArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ScenarioArgs {
    #[command(subcommand)]
    pub action: ScenarioAction,
    #[command(flatten)]
    pub store: RunningStore,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ScenarioAction {
    /// The scenarios, by name.
    List,
    /// Run one: every step at once, each check printed as it passes; exit 0 only when all did.
    Run { name: String },
}

#[derive(Debug, Clone, Args)]
pub struct FaultArgs {
    #[command(subcommand)]
    pub action: FaultAction,
    #[command(flatten)]
    pub store: RunningStore,
}

/// The running store an admin command talks to.
#[derive(Debug, Clone, Args)]
pub struct RunningStore {
    /// The store to talk to.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// The store's admin token.
    #[arg(
        long,
        global = true,
        env = "CARSTORE_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum FaultAction {
    /// The faults in force.
    List,
    /// Set a fault: TARGET is database, cache, queue, processor or store; KIND is latency,
    /// errors, outage, slow or poison.
    Set {
        target: String,
        kind: String,
        /// ms (latency, slow), % (errors) or messages (poison); none for an outage.
        #[arg(long)]
        value: Option<u64>,
        /// latency only: up to this many ms more, at random.
        #[arg(long)]
        jitter_ms: Option<u64>,
        /// Seconds after which the fault ends on its own.
        #[arg(long, value_name = "SECS")]
        expires_in: Option<u64>,
        /// store errors only: the route that fails, e.g. /api/cart.
        #[arg(long)]
        route: Option<String>,
    },
    /// Clear one fault, or every fault when none is named.
    Clear {
        #[arg(requires = "kind")]
        target: Option<String>,
        kind: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The store to load.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// How long to run: 10s, 2m, 500ms.
    #[arg(long, default_value = "10s", value_parser = crate::load::parse_duration)]
    pub duration: std::time::Duration,
    /// Shoppers at once, each waiting for its answer (closed model) [default: 16].
    #[arg(long, conflicts_with = "rate")]
    pub concurrency: Option<usize>,
    /// Scenarios a second, sent on time whatever the answers (open model).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Scenario weights.
    #[arg(long, default_value = "browse=10,view=5,add_to_cart=3,checkout=1")]
    pub mix: crate::load::Mix,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The address to ask.
    #[arg(long, default_value = "http://127.0.0.1:8000/healthz")]
    pub url: String,
}
