//! Puts the alarm and every timed finding on one timeline.

use crate::evidence::{ChangeDirection, Evidence, Finding};
use crate::investigation::Investigation;
use crate::report::TimelineEntry;

use super::hypotheses::describe_change;

/// Entries in time order. Findings without a time (service state, EC2 instances) are left
/// out, and entries at the same instant keep the order of the evidence, the alarm last.
pub(crate) fn build_timeline(investigation: &Investigation, evidence: &[Evidence]) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = evidence
        .iter()
        .filter_map(|item| {
            let at = item.finding.at()?;
            Some(TimelineEntry { at, evidence_id: Some(item.id.clone()), text: describe(&item.finding) })
        })
        .collect();

    let alarm = &investigation.alarm;
    let reason = if alarm.state_reason.is_empty() { String::new() } else { format!(": {}", alarm.state_reason) };
    entries.push(TimelineEntry {
        at: investigation.onset(),
        evidence_id: None,
        text: format!("Alarm {} entered ALARM{reason}", alarm.alarm_name),
    });

    entries.sort_by_key(|entry| entry.at);
    entries
}

fn describe(finding: &Finding) -> String {
    match finding {
        Finding::LogTemplate(template) if template.is_new => format!(
            "New log template in {} ({} times): {}",
            template.log_group, template.count_after, template.template
        ),
        Finding::LogTemplate(template) => format!(
            "Log template surged in {} ({} times before, {} after): {}",
            template.log_group, template.count_before, template.count_after, template.template
        ),
        Finding::MetricChange(metric) => {
            let verb = match metric.direction {
                ChangeDirection::Up => "rose",
                ChangeDirection::Down => "fell",
                ChangeDirection::Unchanged => "stayed",
            };
            format!("{} {verb} {}", metric.metric_name, describe_change(metric))
        }
        Finding::Deployment(deployment) => {
            let previous = deployment.previous_task_definition.as_deref().unwrap_or("(unknown)");
            let changes =
                if deployment.changes.is_empty() { String::new() } else { format!(" ({})", deployment.changes.join("; ")) };
            format!(
                "Deployment {} started: {previous} -> {}{changes}",
                deployment.deployment_id, deployment.task_definition
            )
        }
        Finding::StoppedTasks(stopped) => {
            let codes: Vec<String> = stopped.exit_codes.iter().map(i32::to_string).collect();
            let codes = if codes.is_empty() { String::new() } else { format!(", exit codes {}", codes.join(", ")) };
            // A container reason that repeats the task's stopped reason adds nothing.
            let container_reasons: Vec<&str> = stopped
                .container_reasons
                .iter()
                .map(String::as_str)
                .filter(|reason| *reason != stopped.stopped_reason)
                .collect();
            let reasons = if container_reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", container_reasons.join("; "))
            };
            format!(
                "{} task(s) of {} stopped: {}{reasons}{codes}",
                stopped.count, stopped.task_definition, stopped.stopped_reason
            )
        }
        Finding::ServiceState(_) | Finding::Ec2Instances(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::StoppedTasksFinding;

    #[test]
    fn stopped_reason_is_not_repeated() {
        let reason = "OutOfMemoryError: Container killed due to memory usage";
        let finding = Finding::StoppedTasks(StoppedTasksFinding {
            task_definition: "checkout:1".into(),
            count: 3,
            stopped_reason: reason.into(),
            container_reasons: vec![reason.into()],
            exit_codes: vec![137],
            out_of_memory: true,
            first_stopped_at: None,
            last_stopped_at: None,
        });
        assert_eq!(describe(&finding), format!("3 task(s) of checkout:1 stopped: {reason}, exit codes 137"));
    }
}
