//! Scores each possible cause from the signals and ranks them.
//!
//! Each cause starts from a base confidence when its defining signal is present and gains or
//! loses fixed amounts for each corroborating or contradicting signal. The amounts are
//! judgement, not fitted to data: they encode which evidence a careful on-call engineer
//! weighs most, and the tests pin the resulting order for each kind of incident.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use crate::evidence::{ChangeDirection, MetricChangeFinding};
use crate::report::{CauseKind, Hypothesis};

use super::signals::Signals;

/// Highest confidence any hypothesis gets: the evidence is circumstantial.
const MAX_CONFIDENCE: f64 = 0.95;
/// Lowest confidence a listed hypothesis gets.
const MIN_CONFIDENCE: f64 = 0.05;

/// A hypothesis before ranking.
struct Candidate {
    cause: CauseKind,
    confidence: f64,
    title: String,
    explanation: Vec<String>,
    evidence_ids: Vec<String>,
}

impl Candidate {
    fn new(cause: CauseKind, confidence: f64, title: String) -> Candidate {
        Candidate { cause, confidence, title, explanation: Vec::new(), evidence_ids: Vec::new() }
    }

    fn cite(&mut self, id: &str) {
        if !self.evidence_ids.iter().any(|cited| cited == id) {
            self.evidence_ids.push(id.to_string());
        }
    }

    /// Adjusts the confidence by `delta` and records why.
    fn weigh(&mut self, delta: f64, reason: String) {
        self.confidence += delta;
        self.explanation.push(reason);
    }
}

/// Order of causes when confidences are equal: a change of ours first, because rolling it
/// back is the most reversible fix, then direct evidence of a crash (OOM kills), then a
/// failing dependency, then load, then nothing.
fn tie_break_order(cause: CauseKind) -> u8 {
    match cause {
        CauseKind::BadDeployment => 0,
        CauseKind::OutOfMemory => 1,
        CauseKind::DependencyFailure => 2,
        CauseKind::Saturation => 3,
        CauseKind::NoAnomaly => 4,
    }
}

/// Ranks hypotheses by confidence (rounded to two decimals), then by [`tie_break_order`].
/// When no cause has a defining signal, the only hypothesis is `NoAnomaly`.
pub(crate) fn rank_hypotheses(signals: &Signals, onset: DateTime<Utc>) -> Vec<Hypothesis> {
    let mut candidates: Vec<Candidate> = [
        bad_deployment(signals, onset),
        out_of_memory(signals),
        dependency_failure(signals),
        saturation(signals),
    ]
    .into_iter()
    .flatten()
    .collect();
    if candidates.is_empty() {
        candidates.push(no_anomaly(signals));
    }

    for candidate in &mut candidates {
        candidate.confidence = round_confidence(candidate.confidence.clamp(MIN_CONFIDENCE, MAX_CONFIDENCE));
    }
    candidates.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(Ordering::Equal)
            .then(tie_break_order(a.cause).cmp(&tie_break_order(b.cause)))
    });

    candidates
        .into_iter()
        .enumerate()
        .map(|(index, candidate)| Hypothesis {
            rank: index as u32 + 1,
            cause: candidate.cause,
            title: candidate.title,
            confidence: candidate.confidence,
            explanation: candidate.explanation.join(" "),
            evidence_ids: candidate.evidence_ids,
        })
        .collect()
}

fn round_confidence(confidence: f64) -> f64 {
    (confidence * 100.0).round() / 100.0
}

fn bad_deployment(signals: &Signals, onset: DateTime<Utc>) -> Option<Candidate> {
    let deployment = signals.deployment?;
    let finding = deployment.finding;
    let mut candidate = Candidate::new(
        CauseKind::BadDeployment,
        0.5,
        format!("Deployment of {} broke {}", finding.task_definition, finding.service),
    );
    candidate.cite(deployment.id);
    let previous = finding.previous_task_definition.as_deref().unwrap_or("an unknown revision");
    candidate.explanation.push(format!(
        "Deployment {} replaced {previous} with {} {} before the alarm.",
        finding.deployment_id,
        finding.task_definition,
        minutes_before(finding.started_at, onset)
    ));

    if !finding.changes.is_empty() {
        candidate.weigh(0.1, format!("It changed: {}.", finding.changes.join("; ")));
    }

    let errors = signals.error_templates_since(finding.started_at);
    if !errors.is_empty() {
        for template in &errors {
            candidate.cite(template.id);
        }
        candidate.weigh(0.3, format!("{} error log template(s) appeared or surged after it started.", errors.len()));
    }

    let killed_new_revision: Vec<_> = signals
        .out_of_memory
        .iter()
        .filter(|stopped| stopped.finding.task_definition == finding.task_definition)
        .collect();
    if !killed_new_revision.is_empty() {
        for stopped in &killed_new_revision {
            candidate.cite(stopped.id);
        }
        candidate.weigh(0.2, format!("Tasks of the new revision {} were killed for running out of memory.", finding.task_definition));
    }

    if let Some(alarm) = signals.alarm_metric {
        if alarm.finding.changed_at.is_some_and(|changed_at| changed_at >= finding.started_at) {
            candidate.cite(alarm.id);
            candidate.weigh(0.05, format!("The alarm metric {} changed after the deployment started.", alarm.finding.metric_name));
        }
    }
    Some(candidate)
}

fn out_of_memory(signals: &Signals) -> Option<Candidate> {
    if signals.out_of_memory.is_empty() {
        return None;
    }
    let killed: u32 = signals.out_of_memory.iter().map(|stopped| stopped.finding.count).sum();
    let task_definitions: Vec<&str> =
        signals.out_of_memory.iter().map(|stopped| stopped.finding.task_definition.as_str()).collect();
    let mut candidate = Candidate::new(
        CauseKind::OutOfMemory,
        0.6,
        format!("Tasks of {} run out of memory", task_definitions.join(", ")),
    );
    for stopped in &signals.out_of_memory {
        candidate.cite(stopped.id);
    }
    let first = signals.out_of_memory[0].finding;
    let reason = first.container_reasons.first().unwrap_or(&first.stopped_reason);
    candidate.explanation.push(format!("{killed} task(s) were stopped for running out of memory ({reason})."));

    if killed >= 2 {
        candidate.weigh(0.1, "The kills repeat, so this is not a one-off.".to_string());
    }
    if let Some(memory) = signals.memory_up {
        candidate.cite(memory.id);
        candidate.weigh(0.2, format!("{} climbed {}.", memory.finding.metric_name, describe_change(memory.finding)));
    }
    if let Some(deployment) = signals.deployment {
        if task_definitions.contains(&deployment.finding.task_definition.as_str()) {
            candidate.cite(deployment.id);
            candidate.weigh(
                -0.2,
                format!("The killed tasks run {}, deployed just before, so the deployment is the likelier root cause.", deployment.finding.task_definition),
            );
        }
    }
    Some(candidate)
}

fn dependency_failure(signals: &Signals) -> Option<Candidate> {
    let first = signals.dependency_templates.first()?;
    let dependency = signals.dependency_templates.iter().find_map(|template| super::signals::dependency_name(&template.finding.template));
    let title = match &dependency {
        Some(name) => format!("Downstream dependency {name} is failing"),
        None => "A downstream dependency is failing".to_string(),
    };
    let mut candidate = Candidate::new(CauseKind::DependencyFailure, 0.5, title);
    for template in &signals.dependency_templates {
        candidate.cite(template.id);
    }
    candidate.explanation.push(format!(
        "{} log template(s) of failed calls to another service appeared or surged, such as \"{}\".",
        signals.dependency_templates.len(),
        first.finding.template
    ));

    if let Some(latency) = signals.latency_up {
        candidate.cite(latency.id);
        candidate.weigh(0.2, format!("{} rose {}.", latency.finding.metric_name, describe_change(latency.finding)));
    }
    if signals.alarm_metric_changed() {
        if let Some(alarm) = signals.alarm_metric {
            candidate.cite(alarm.id);
        }
        candidate.weigh(0.1, "The alarm metric changed with them.".to_string());
    }
    match signals.deployment {
        None => candidate.weigh(0.1, "Nothing of ours was deployed before the onset.".to_string()),
        Some(deployment) => {
            candidate.cite(deployment.id);
            candidate.weigh(
                -0.2,
                format!("But {} was deployed just before, and a change of ours may have broken the calls.", deployment.finding.task_definition),
            );
        }
    }
    Some(candidate)
}

fn saturation(signals: &Signals) -> Option<Candidate> {
    if signals.saturated.is_empty() {
        return None;
    }
    let mut candidate = Candidate::new(CauseKind::Saturation, 0.4, "The service is saturated".to_string());
    let described: Vec<String> = signals
        .saturated
        .iter()
        .map(|metric| format!("{} {}", metric.finding.metric_name, describe_change(metric.finding)))
        .collect();
    for metric in &signals.saturated {
        candidate.cite(metric.id);
    }
    candidate.explanation.push(format!("Utilisation rose to saturation: {}.", described.join(", ")));

    if let Some(requests) = signals.requests_up {
        candidate.cite(requests.id);
        candidate.weigh(0.2, format!("Traffic grew: {} {}.", requests.finding.metric_name, describe_change(requests.finding)));
    }
    if let Some(latency) = signals.latency_up {
        candidate.cite(latency.id);
        candidate.weigh(0.1, format!("{} rose {}.", latency.finding.metric_name, describe_change(latency.finding)));
    }
    if signals.alarm_metric_changed() {
        if let Some(alarm) = signals.alarm_metric {
            candidate.cite(alarm.id);
        }
        candidate.weigh(0.1, "The alarm metric changed with it.".to_string());
    }
    if let Some(ec2) = signals.ec2_instances_id {
        candidate.cite(ec2);
    }

    if signals.deployment.is_some() {
        candidate.weigh(-0.3, "A deployment lines up with the onset, so load alone is unlikely.".to_string());
    }
    if !signals.out_of_memory.is_empty() {
        candidate.weigh(-0.3, "Tasks were killed for running out of memory, which explains the high utilisation.".to_string());
    }
    if !signals.error_templates.is_empty() {
        candidate.weigh(-0.2, "New errors appeared, which load alone does not explain.".to_string());
    }
    Some(candidate)
}

fn no_anomaly(signals: &Signals) -> Candidate {
    if !signals.has_evidence {
        let mut candidate = Candidate::new(CauseKind::NoAnomaly, 0.2, "No evidence was gathered".to_string());
        candidate.explanation.push("The agents returned no findings, so nothing can be concluded; check their errors.".to_string());
        return candidate;
    }

    match signals.alarm_metric {
        Some(alarm) if alarm.finding.direction != ChangeDirection::Unchanged => {
            let mut candidate = Candidate::new(CauseKind::NoAnomaly, 0.3, "The alarm metric changed but no cause was found".to_string());
            candidate.cite(alarm.id);
            candidate.explanation.push(format!(
                "{} moved {} with no deployment, no OOM kills, no new error templates and no saturation; investigate by hand.",
                alarm.finding.metric_name,
                describe_change(alarm.finding)
            ));
            candidate
        }
        Some(alarm) => {
            let mut candidate = Candidate::new(CauseKind::NoAnomaly, 0.8, "Nothing anomalous: the alarm fired on a brief blip".to_string());
            candidate.cite(alarm.id);
            candidate.explanation.push(format!(
                "{} stayed within its baseline band (mean {:.2}) apart from short excursions up to {:.2}, and no deployment, OOM kill, new error template or saturation was found. Consider more evaluation periods or datapoints to alarm.",
                alarm.finding.metric_name, alarm.finding.baseline, alarm.finding.peak
            ));
            candidate
        }
        None => {
            let mut candidate = Candidate::new(CauseKind::NoAnomaly, 0.6, "Nothing anomalous found".to_string());
            candidate.explanation.push(
                "No deployment, OOM kill, new error template or saturation was found, and the alarm's own metric was not among the evidence.".to_string(),
            );
            candidate
        }
    }
}

/// Formats a metric change as `from 0.30 to 5.10`.
pub(crate) fn describe_change(metric: &MetricChangeFinding) -> String {
    format!("from {:.2} to {:.2}", metric.baseline, metric.peak)
}

/// Formats the time from `earlier` to `later` as `4 minutes` or `1 minute`.
pub(crate) fn minutes_before(earlier: DateTime<Utc>, later: DateTime<Utc>) -> String {
    let minutes = (later - earlier).num_minutes();
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}
