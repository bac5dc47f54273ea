//! What every written scenario must hold to: the summary's times need one detecting check and a
//! fix after the break, and a drill must undo what it breaks.

use super::{Action, Phase, SCENARIOS};
use crate::faults::FaultKind;

#[test]
fn names_are_unique_and_fit_a_command_line() {
    let mut names: Vec<_> = SCENARIOS.iter().map(|s| s.name).collect();
    assert!(names
        .iter()
        .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), SCENARIOS.len());
}

#[test]
fn each_scenario_has_one_detecting_check_and_a_fix_after_its_break() {
    for s in SCENARIOS {
        let detecting = s
            .steps
            .iter()
            .flat_map(|st| st.checks)
            .filter(|c| c.detects);
        assert_eq!(detecting.count(), 1, "{}", s.name);
        let phase = |p| s.steps.iter().filter(|st| st.phase == p).count();
        assert_eq!(
            (phase(Phase::Break), phase(Phase::Fix)),
            (1, 1),
            "{}",
            s.name
        );
        let at = |p| s.steps.iter().position(|st| st.phase == p);
        assert!(at(Phase::Break) < at(Phase::Fix), "{}", s.name);
        let last = s.steps.last().unwrap();
        assert!(
            !last.checks.is_empty(),
            "{}: recovery is timed on the last step",
            s.name
        );
    }
}

/// Every fault a scenario sets is cleared by a later step, but a poison, which is used up.
#[test]
fn every_fault_a_scenario_sets_is_cleared_by_a_later_step() {
    for s in SCENARIOS {
        for (at, step) in s.steps.iter().enumerate() {
            let Action::SetFault { target, kind, .. } = step.action else {
                continue;
            };
            if kind == FaultKind::Poison {
                continue;
            }
            let cleared = s.steps[at..].iter().any(|later| {
                matches!(later.action, Action::ClearFault { target: t, kind: k } if (t, k) == (target, kind))
            });
            assert!(
                cleared,
                "{}: {} {} is never cleared",
                s.name,
                target.as_str(),
                kind.as_str()
            );
        }
    }
}

/// A guided run pressed on just before each idle limit must still find its faults in force and
/// its shoppers going.
#[test]
fn no_fault_or_load_of_a_run_ends_under_a_learner_still_in_it() {
    let longest = SCENARIOS
        .iter()
        .map(|s| s.steps.len() as u64)
        .max()
        .unwrap();
    let run_lasts = longest * (super::IDLE_LIMIT_SECS + super::STEP_TIMEOUT_SECS);
    assert!(run_lasts < super::FAULT_EXPIRY_SECS, "{run_lasts} s");
}
