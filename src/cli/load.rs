//! `carstore load`: a progress line each second on stderr, then the report on stdout.

use super::LoadArgs;
use crate::load::{run, LoadPlan, Pace, Progress};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const DEFAULT_CONCURRENCY: usize = 16;

pub async fn run_from_cli(args: LoadArgs) -> anyhow::Result<()> {
    let pace = match (args.rate, args.concurrency) {
        (Some(rate), _) if rate > 0.0 && rate.is_finite() => Pace::Rate(rate),
        (Some(_), _) => anyhow::bail!("--rate must be above 0"),
        (None, Some(0)) => anyhow::bail!("--concurrency must be at least 1"),
        (None, n) => Pace::Concurrency(n.unwrap_or(DEFAULT_CONCURRENCY)),
    };
    let base = args.url.trim_end_matches('/').to_owned();
    anyhow::ensure!(
        base.starts_with("http://"),
        "--url must be an http:// address"
    );
    let plan = LoadPlan {
        base,
        duration: args.duration,
        pace,
        mix: args.mix,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    });
    eprintln!(
        "carstore load: {} for {:?}, {pace:?}, mix {}",
        plan.base, plan.duration, plan.mix
    );
    let terminal = std::io::stderr().is_terminal();
    let summary = run(plan, stop, |p| show_progress(p, terminal)).await;
    if terminal {
        eprintln!();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.to_text());
    }
    Ok(())
}

fn show_progress(p: &Progress, terminal: bool) {
    let line = format!(
        "{:>5.0} s  {:>8.0} req/s  p95 {:>8.2} ms  errors {:>6.0}/s  ({} requests, {} errors)",
        p.elapsed_secs, p.requests_per_sec, p.p95_ms, p.errors_per_sec, p.requests, p.errors
    );
    let mut err = std::io::stderr().lock();
    let _ = if terminal {
        write!(err, "\r{line}")
    } else {
        writeln!(err, "{line}")
    };
    let _ = err.flush();
}
