//! The command line. Every option can also come from the environment (`CARSTORE_*`) or the
//! config file; `config.rs` layers them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8000]
    #[arg(long, env = "CARSTORE_BIND", value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// Where the embedded database lives [default: ./carstore-data]
    #[arg(long, env = "CARSTORE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A TOML file with any of these settings; flags and environment win over it.
    #[arg(long, env = "CARSTORE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve without the outbox relay and order processor (another process runs them).
    #[arg(long, env = "CARSTORE_NO_WORKER", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub no_worker: Option<bool>,
    /// Log filter, e.g. `info` or `carstore=debug` [default: info]
    #[arg(long, env = "CARSTORE_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}
