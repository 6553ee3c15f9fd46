//! Renders a report as Markdown a person reads in a minute: the verdict and the proposed
//! action first, then the hypotheses with their evidence, then the timeline.

use std::fmt::Write;

use crate::report::{CauseKind, Report};

/// Renders `report` as a Markdown document.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail, so the results of `writeln!` are ignored.
    let _ = writeln!(out, "# {} on {}", inline(&report.alarm_name), inline(&report.service));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Investigation `{}` of tenant `{}`. Alarm onset {}, report generated {}.",
        report.investigation_id.as_str(),
        report.tenant_id.as_str(),
        report.onset.format("%Y-%m-%d %H:%M:%S UTC"),
        report.generated_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    let _ = writeln!(out);

    match report.top_hypothesis() {
        Some(top) => {
            let _ = writeln!(
                out,
                "**Verdict: {}** ({} confidence): {}.",
                cause_label(top.cause),
                percent(top.confidence),
                inline(&top.title)
            );
        }
        None => {
            let _ = writeln!(out, "**Verdict: none**: the analysis produced no hypothesis.");
        }
    }
    let _ = writeln!(out);

    match &report.proposed_action {
        Some(action) => {
            let _ = writeln!(out, "**Proposed action:** {}. It runs only after approval.", inline(&action.describe()));
        }
        None => {
            let _ = writeln!(out, "**Proposed action:** none. {}", no_action_reason(report));
        }
    }

    let _ = writeln!(out);
    let _ = writeln!(out, "## Hypotheses");
    let _ = writeln!(out);
    for hypothesis in &report.hypotheses {
        let evidence: Vec<String> = hypothesis.evidence_ids.iter().map(|id| format!("`{id}`")).collect();
        let evidence = if evidence.is_empty() { "none".to_string() } else { evidence.join(", ") };
        let _ = writeln!(
            out,
            "{}. **{}** ({}, {}): {}",
            hypothesis.rank,
            inline(&hypothesis.title),
            cause_label(hypothesis.cause),
            percent(hypothesis.confidence),
            inline(&hypothesis.explanation)
        );
        let _ = writeln!(out, "   Evidence: {evidence}.");
    }

    let _ = writeln!(out);
    let _ = writeln!(out, "## Timeline (UTC)");
    let _ = writeln!(out);
    let _ = writeln!(out, "| time | evidence | event |");
    let _ = writeln!(out, "|---|---|---|");
    for entry in &report.timeline {
        let evidence = entry.evidence_id.as_deref().map_or_else(String::new, |id| format!("`{id}`"));
        let _ = writeln!(out, "| {} | {evidence} | {} |", entry.at.format("%H:%M:%S"), table_cell(&entry.text));
    }
    out
}

fn cause_label(cause: CauseKind) -> &'static str {
    match cause {
        CauseKind::BadDeployment => "bad deployment",
        CauseKind::OutOfMemory => "out of memory",
        CauseKind::DependencyFailure => "dependency failure",
        CauseKind::Saturation => "saturation",
        CauseKind::NoAnomaly => "no anomaly",
    }
}

fn no_action_reason(report: &Report) -> &'static str {
    match report.top_hypothesis().map(|top| top.cause) {
        Some(CauseKind::DependencyFailure) => {
            "The likely cause is outside this service, so there is nothing here to change; contact the owners of the failing dependency."
        }
        Some(CauseKind::NoAnomaly) | None => "Nothing anomalous calls for a change.",
        Some(_) => "The evidence is too weak, or lacks what the action needs, to propose a change; review it by hand.",
    }
}

fn percent(confidence: f64) -> String {
    format!("{:.0}%", confidence * 100.0)
}

/// Text on one line, with the characters escaped that would turn log text into markup. Log
/// templates contain `<*>`, which renderers would otherwise take for an HTML tag, and two
/// `*` on a line would become emphasis. Underscores inside words and brackets not followed
/// by a link target stay as they are, because CommonMark reads them literally.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '*' | '`' | '\\' => {
                out.push('\\');
                out.push(character);
            }
            _ => out.push(character),
        }
    }
    out
}

/// [`inline`] text that also keeps a `|` from ending a table cell.
fn table_cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::action::ProposedAction;
    use crate::ids::InvestigationId;
    use crate::report::{Hypothesis, TimelineEntry};
    use crate::TenantId;

    fn report(cause: CauseKind, action: Option<ProposedAction>) -> Report {
        let tenant_id = TenantId::parse("acme").unwrap();
        let onset = Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap();
        Report {
            investigation_id: InvestigationId::for_event(&tenant_id, "event-1"),
            tenant_id,
            alarm_name: "checkout-5xx".into(),
            service: "checkout".into(),
            onset,
            generated_at: Utc.with_ymd_and_hms(2026, 11, 30, 14, 6, 30).unwrap(),
            hypotheses: vec![
                Hypothesis {
                    rank: 1,
                    cause,
                    title: "Deployment of checkout:8 broke checkout".into(),
                    confidence: 0.85,
                    explanation: "Errors began after it.".into(),
                    evidence_ids: vec!["infra-1".into(), "logs-1".into()],
                },
                Hypothesis {
                    rank: 2,
                    cause: CauseKind::Saturation,
                    title: "The service is saturated".into(),
                    confidence: 0.1,
                    explanation: "CPU rose.".into(),
                    evidence_ids: vec![],
                },
            ],
            proposed_action: action,
            timeline: vec![
                TimelineEntry {
                    at: Utc.with_ymd_and_hms(2026, 11, 30, 14, 1, 0).unwrap(),
                    evidence_id: Some("logs-1".into()),
                    text: "New log template: ERROR a|b <*>".into(),
                },
                TimelineEntry { at: onset, evidence_id: None, text: "Alarm checkout-5xx entered ALARM".into() },
            ],
        }
    }

    fn rollback() -> ProposedAction {
        ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "checkout:8".into(),
            to_task_definition: "checkout:7".into(),
        }
    }

    #[test]
    fn verdict_and_action_come_first() {
        let markdown = render_markdown(&report(CauseKind::BadDeployment, Some(rollback())));
        let lines: Vec<&str> = markdown.lines().collect();

        assert_eq!(lines[0], "# checkout-5xx on checkout");
        assert_eq!(lines[4], "**Verdict: bad deployment** (85% confidence): Deployment of checkout:8 broke checkout.");
        assert_eq!(
            lines[6],
            "**Proposed action:** roll back ECS service checkout on cluster prod from checkout:8 to checkout:7. It runs only after approval."
        );
    }

    #[test]
    fn hypotheses_list_confidence_and_evidence() {
        let markdown = render_markdown(&report(CauseKind::BadDeployment, Some(rollback())));

        assert!(markdown.contains(
            "1. **Deployment of checkout:8 broke checkout** (bad deployment, 85%): Errors began after it.\n   Evidence: `infra-1`, `logs-1`.\n"
        ));
        assert!(markdown.contains("2. **The service is saturated** (saturation, 10%): CPU rose.\n   Evidence: none.\n"));
    }

    #[test]
    fn timeline_escapes_table_markup() {
        let markdown = render_markdown(&report(CauseKind::BadDeployment, None));

        assert!(markdown.contains("| 14:01:00 | `logs-1` | New log template: ERROR a\\|b &lt;\\*> |\n"));
        assert!(markdown.contains("| 14:05:00 |  | Alarm checkout-5xx entered ALARM |\n"));
    }

    #[test]
    fn dependency_failure_explains_missing_action() {
        let markdown = render_markdown(&report(CauseKind::DependencyFailure, None));

        assert!(markdown.contains("**Proposed action:** none. The likely cause is outside this service"));
    }
}
