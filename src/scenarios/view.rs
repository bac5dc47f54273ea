//! What the API, the Scenarios page and `carstore scenario` show: the scenarios as written, and
//! a run as it goes.

use super::{Action, Phase, Scenario, Step, SCENARIOS};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A scenario's name, in the API: one of [`SCENARIOS`].
pub fn scenario_names() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(SCENARIOS.iter().map(|s| s.name)))
        .build()
}

/// A scenario as `GET /api/scenarios` lists it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Scenario)]
pub struct ScenarioView {
    #[schema(schema_with = scenario_names)]
    pub name: &'static str,
    pub title: &'static str,
    pub teaches: &'static str,
    pub fix: &'static str,
    /// Needs the order processor in the process that runs it (not split into a worker).
    pub needs_worker: bool,
    pub steps: Vec<StepView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ScenarioStep)]
pub struct StepView {
    pub title: &'static str,
    pub button: &'static str,
    pub phase: Phase,
    /// What the button does, in words: `set cache outage`.
    pub does: String,
    pub watch: &'static str,
    pub checks: Vec<&'static str>,
}

impl From<&Scenario> for ScenarioView {
    fn from(s: &Scenario) -> Self {
        ScenarioView {
            name: s.name,
            title: s.title,
            teaches: s.teaches,
            fix: s.fix,
            needs_worker: s.needs_worker,
            steps: s.steps.iter().map(StepView::from).collect(),
        }
    }
}

impl From<&Step> for StepView {
    fn from(step: &Step) -> Self {
        StepView {
            title: step.title,
            button: step.button,
            phase: step.phase,
            does: does(step.action),
            watch: step.watch,
            checks: step.checks.iter().map(|c| c.says).collect(),
        }
    }
}

fn does(action: Action) -> String {
    match action {
        Action::SetFault {
            target,
            kind,
            value,
            ..
        } => {
            let value = value.map(|v| format!(" {v}")).unwrap_or_default();
            format!("set fault {} {}{value}", target.as_str(), kind.as_str())
        }
        Action::ClearFault { target, kind } => {
            format!("clear fault {} {}", target.as_str(), kind.as_str())
        }
        Action::StartLoad { rate, mix } => format!("load {rate}/s {mix}"),
        Action::PlaceOrders { orders } => format!("place {orders} orders"),
        Action::FlakyCheckout { tries } => format!("one checkout sent {tries} times"),
        Action::Watch => "nothing: watch".into(),
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Passed,
    Failed,
    Abandoned,
}

/// A run as it goes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ScenarioRun)]
pub struct RunView {
    #[schema(schema_with = scenario_names)]
    pub scenario: &'static str,
    pub title: &'static str,
    /// Performed one step after another without waiting for presses.
    pub auto: bool,
    pub status: RunStatus,
    /// The step being performed or watched; the step count once over.
    pub step: usize,
    /// A guided run waits for the step's button.
    pub waiting_for_press: bool,
    /// The last step whose button was pressed: a press that comes before the run is ready to
    /// wait for it still counts.
    #[serde(skip)]
    pub pressed: Option<usize>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it failed or was abandoned.
    pub reason: Option<String>,
    pub steps: Vec<StepRun>,
    pub summary: Option<RunSummary>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRun {
    pub title: &'static str,
    pub button: &'static str,
    pub performed_at: Option<DateTime<Utc>>,
    /// What the button did, in words.
    pub done: Option<String>,
    pub checks: Vec<CheckRun>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRun {
    pub says: &'static str,
    pub passed: bool,
    pub passed_at: Option<DateTime<Utc>>,
    /// Milliseconds from the step's button to the signal.
    pub after_ms: Option<u64>,
    /// What was seen: `503 cart_unavailable in 2 ms`.
    pub seen: Option<String>,
}

/// The end of a run, measured.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSummary {
    /// From the button of the step where the symptom shows (the break's, or the step that sets
    /// it off, as buying a car does a poison) to the symptom.
    pub detect_ms: Option<u64>,
    /// From the fix's button to its last signal.
    pub recover_ms: Option<u64>,
    /// 503 answers the store gave to `/api/` requests during the run, but the run's own checks.
    pub requests_refused: u64,
    /// Orders the run's shoppers placed, and how many of them cannot be found now.
    pub orders_placed: usize,
    pub orders_lost: usize,
    pub duplicates_suppressed: u64,
}

impl RunView {
    pub fn new(scenario: &'static Scenario, auto: bool) -> RunView {
        let steps = scenario.steps.iter().map(|step| StepRun {
            title: step.title,
            button: step.button,
            performed_at: None,
            done: None,
            checks: (step.checks.iter())
                .map(|c| CheckRun {
                    says: c.says,
                    passed: false,
                    passed_at: None,
                    after_ms: None,
                    seen: None,
                })
                .collect(),
        });
        RunView {
            scenario: scenario.name,
            title: scenario.title,
            auto,
            status: RunStatus::Running,
            step: 0,
            waiting_for_press: !auto,
            pressed: None,
            started_at: Utc::now(),
            ended_at: None,
            reason: None,
            steps: steps.collect(),
            summary: None,
        }
    }
}
