//! Correlates the agents' evidence into a report: one timeline, ranked hypotheses that cite
//! their evidence, and at most one proposed action.
//!
//! The causes and what decides them:
//!
//! | cause | defining signal | action |
//! |---|---|---|
//! | bad deployment | a deployment started within [`DEPLOYMENT_WINDOW_MINUTES`] before the onset | roll back to the previous task definition |
//! | out of memory | stopped tasks with an out-of-memory reason | raise the container's memory limit |
//! | dependency failure | new or surging log templates of failed calls (timed out, connection refused) | none: the dependency is not ours to change |
//! | saturation | CPU or memory utilisation up to [`SATURATION_PERCENT`] or more | scale out, only with no deployment, OOM kill or new error |
//! | no anomaly | none of the above | none |
//!
//! Ties in confidence go to the cause earlier in this table. The action always follows the
//! top hypothesis, so two causes never each propose one.

mod hypotheses;
mod proposal;
mod signals;
mod timeline;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::evidence::Evidence;
use crate::investigation::Investigation;
use crate::report::Report;

pub use signals::{is_dependency_template, is_error_template};

/// How long before the onset a deployment still counts as lining up with it, in minutes.
pub const DEPLOYMENT_WINDOW_MINUTES: i64 = 30;

/// Utilisation, in percent, from which CPU or memory counts as saturated.
pub const SATURATION_PERCENT: f64 = 80.0;

/// Lowest confidence of the top hypothesis for which an action is proposed.
pub const MIN_ACTION_CONFIDENCE: f64 = 0.5;

/// Largest memory increase proposed at once, in MiB. The limit doubles up to this step.
pub const MAX_MEMORY_STEP_MIB: u32 = 4096;

/// Most tasks a scale-out adds at once. The desired count doubles up to this step.
pub const MAX_SCALE_OUT_STEP: u32 = 10;

/// Correlates `evidence` gathered for `investigation` into a report generated at `now`.
///
/// The function is pure: the same investigation and evidence always give the same report.
pub fn analyze(investigation: &Investigation, evidence: &[Evidence], now: DateTime<Utc>) -> Report {
    let onset = investigation.onset();
    let signals = signals::Signals::gather(evidence, onset);

    let hypotheses = hypotheses::rank_hypotheses(&signals, onset);
    let proposed_action = hypotheses
        .first()
        .and_then(|top| proposal::propose_action(top, &signals, &investigation.service));

    Report {
        tenant_id: investigation.tenant_id.clone(),
        investigation_id: investigation.investigation_id.clone(),
        alarm_name: investigation.alarm.alarm_name.clone(),
        service: investigation.service.name.clone(),
        onset,
        generated_at: now,
        hypotheses,
        proposed_action,
        timeline: timeline::build_timeline(investigation, evidence),
    }
}
