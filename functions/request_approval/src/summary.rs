//! The investigation summary of the approval message, taken from the stored report.

use std::collections::BTreeSet;

use causeflow_domain::approval::{ApprovalConfig, ApprovalSummary};
use causeflow_domain::report::Report;
use causeflow_lambda::Platform;

/// Maximum evidence lines shown under the top hypothesis. The full report contains the rest.
const MAX_EVIDENCE_LINES: usize = 3;

/// Builds the message summary: the alarm, the top hypothesis and a few lines of its evidence.
/// Evidence was masked when stored; it is masked again here because this text leaves for
/// Slack, and masking twice changes nothing.
pub(crate) fn summarise(platform: &Platform, report: &Report, config: &ApprovalConfig) -> ApprovalSummary {
    let top = report.top_hypothesis();
    let cited: BTreeSet<&str> = top.map(|hypothesis| hypothesis.evidence_ids.iter().map(String::as_str).collect()).unwrap_or_default();
    let evidence = report
        .timeline
        .iter()
        .filter(|entry| entry.evidence_id.as_deref().is_some_and(|id| cited.contains(id)))
        .take(MAX_EVIDENCE_LINES)
        .map(|entry| platform.masker.mask_text(&format!("{} {}", entry.at.format("%H:%M:%S"), entry.text)).value)
        .collect();
    ApprovalSummary {
        alarm_name: platform.masker.mask_text(&report.alarm_name).value,
        service: report.service.clone(),
        top_hypothesis: top.map(|hypothesis| platform.masker.mask_text(&hypothesis.title).value),
        confidence: top.map(|hypothesis| hypothesis.confidence),
        evidence,
        locale: config.locale.clone(),
    }
}
