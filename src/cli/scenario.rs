//! `carstore scenario list|run` against a running store: the run happens in the store (as one
//! started from the Scenarios page), and this prints it as it goes — each step as it is
//! performed, each check as it passes — then the summary. Exit 0 only when every check passed.

use super::fault::send;
use super::{ScenarioAction, ScenarioArgs};
use anyhow::{bail, Context};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How often the run is asked how it is going.
const POLL_EVERY: Duration = Duration::from_millis(200);

pub async fn run(args: ScenarioArgs) -> anyhow::Result<()> {
    let base = args.store.url.trim_end_matches('/');
    match args.action {
        ScenarioAction::List => list(base).await,
        ScenarioAction::Run { name } => {
            let Some(token) = args.store.token.as_deref() else {
                bail!("the admin token is needed: --token, or CARSTORE_ADMIN_TOKEN");
            };
            run_one(base, token, &name).await
        }
    }
}

async fn list(base: &str) -> anyhow::Result<()> {
    let all = send(base, None, Method::GET, "/api/scenarios", None).await?;
    for s in all
        .as_array()
        .context("the store's answer was not a list")?
    {
        println!("{:<18} {}", text(&s["name"]), text(&s["title"]));
    }
    Ok(())
}

async fn run_one(base: &str, token: &str, name: &str) -> anyhow::Result<()> {
    let path = format!("/api/scenarios/{name}/run");
    let body = Some(json!({"auto": true}));
    let mut view = send(base, Some(token), Method::POST, &path, body).await?;
    println!("scenario {name}: {}", text(&view["title"]));
    let deadline = Instant::now() + longest(&view);
    let mut printed = Printed::default();
    loop {
        printed.catch_up(&view);
        if view["status"] != "running" {
            break;
        }
        if Instant::now() > deadline {
            // The store's run is stuck: end it (tidying its faults up) rather than wait for ever.
            let _ = send(
                base,
                Some(token),
                Method::DELETE,
                "/api/scenarios/run",
                None,
            )
            .await;
            bail!("scenario {name} did not end in time; abandoned");
        }
        tokio::time::sleep(POLL_EVERY).await;
        view = send(base, Some(token), Method::GET, "/api/scenarios/run", None).await?;
        if view["scenario"] != name {
            bail!("another run replaced this one on the store");
        }
    }
    // The summary is written a moment after the status (the run's orders are read back).
    while view["summary"].is_null() {
        if Instant::now() > deadline {
            bail!("scenario {name} ended without a summary");
        }
        tokio::time::sleep(POLL_EVERY).await;
        view = send(base, Some(token), Method::GET, "/api/scenarios/run", None).await?;
    }
    print_summary(&view["summary"]);
    match view["status"].as_str() {
        Some("passed") => Ok(()),
        status => bail!(
            "scenario {name} {}: {}",
            status.unwrap_or("ended"),
            text(&view["reason"])
        ),
    }
}

/// The longest a headless run can take: every step's checks may take their whole time.
fn longest(view: &Value) -> Duration {
    let steps = view["steps"].as_array().map_or(1, Vec::len) as u64;
    Duration::from_secs(steps * (crate::scenarios::STEP_TIMEOUT_SECS + 15) + 30)
}

/// What has been printed so far: steps performed and checks passed, by position.
#[derive(Default)]
struct Printed {
    steps: usize,
    checks: Vec<Vec<bool>>,
}

impl Printed {
    fn catch_up(&mut self, view: &Value) {
        let steps = view["steps"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        self.checks.resize(steps.len(), vec![]);
        for (at, step) in steps.iter().enumerate() {
            if step["performed_at"].is_null() {
                break;
            }
            if at >= self.steps {
                let total = steps.len();
                println!(
                    "step {}/{total}: {} ({})",
                    at + 1,
                    text(&step["title"]),
                    text(&step["done"])
                );
                self.steps = at + 1;
            }
            let checks = step["checks"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            self.checks[at].resize(checks.len(), false);
            for (c, check) in checks.iter().enumerate() {
                if check["passed"] == true && !self.checks[at][c] {
                    self.checks[at][c] = true;
                    let after = check["after_ms"].as_u64().unwrap_or(0);
                    let (says, seen) = (text(&check["says"]), text(&check["seen"]));
                    println!("  passed: {says} [{seen}, after {after} ms]");
                }
            }
        }
    }
}

fn print_summary(summary: &Value) {
    let ms = |v: &Value| v.as_u64().map_or("-".to_owned(), |n| format!("{n} ms"));
    println!(
        "summary: detected in {}, recovered in {}, {} requests refused, {} orders placed, {} lost, {} duplicates suppressed",
        ms(&summary["detect_ms"]),
        ms(&summary["recover_ms"]),
        summary["requests_refused"],
        summary["orders_placed"],
        summary["orders_lost"],
        summary["duplicates_suppressed"],
    );
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}
