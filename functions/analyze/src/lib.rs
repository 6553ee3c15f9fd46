//! `analyze`: correlates the stored evidence into a report with ranked hypotheses and at most
//! one proposed action, stored as JSON and Markdown.

use causeflow_domain::analysis::analyze;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::markdown::render_markdown;
use causeflow_lambda::{Failure, Platform};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tracing::info;

pub const FUNCTION_NAME: &str = "analyze";

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
}

/// The part of the report the state machine branches on. The full report stays in the
/// investigations table.
#[derive(Debug, Serialize)]
struct Output {
    top_cause: Option<causeflow_domain::report::CauseKind>,
    top_title: Option<String>,
    confidence: Option<f64>,
    proposed_action: Option<causeflow_domain::action::ProposedAction>,
    action_digest: Option<String>,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let evidence = platform.investigations.evidence(&investigation.tenant_id, &investigation.investigation_id).await?;

    let report = analyze(&investigation, &evidence, chrono::Utc::now());
    let markdown = render_markdown(&report);
    platform.investigations.put_report(&report, &markdown).await?;

    let top = report.top_hypothesis();
    let output = Output {
        top_cause: top.map(|hypothesis| hypothesis.cause),
        top_title: top.map(|hypothesis| hypothesis.title.clone()),
        confidence: top.map(|hypothesis| hypothesis.confidence),
        action_digest: report.proposed_action.as_ref().map(|action| action.digest().as_str().to_string()),
        proposed_action: report.proposed_action.clone(),
    };
    platform
        .record(
            &investigation,
            AuditEventType::ReportCreated,
            FUNCTION_NAME,
            json!({"top_cause": output.top_cause, "confidence": output.confidence, "hypotheses": report.hypotheses.len(), "action_digest": output.action_digest}),
        )
        .await?;
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, top_cause = ?output.top_cause, "created report");
    causeflow_lambda::encode_output(&output)
}
