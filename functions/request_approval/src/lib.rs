//! `request_approval`: runs as a `.waitForTaskToken` task when the report proposes an action.
//!
//! Limitation: the Slack approval channel is not built yet. Until it is, this records
//! `approval.unavailable` and fails the task at once through `SendTaskFailure`, so the
//! investigation ends in `revoke` with its report and no change made.

use aws_sdk_sfn::Client as SfnClient;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_lambda::{Failure, Platform};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::info;

pub const FUNCTION_NAME: &str = "request_approval";
/// The error name the state machine catches to end without remediation.
pub const APPROVAL_UNAVAILABLE: &str = "ApprovalUnavailable";

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    report: Value,
    task_token: String,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, report, task_token } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    if task_token.is_empty() {
        return Err(Failure::invalid_input("request_approval input has an empty `task_token`"));
    }

    platform
        .record(
            &investigation,
            AuditEventType::ApprovalUnavailable,
            FUNCTION_NAME,
            json!({"action_digest": report.get("action_digest"), "reason": "no approval channel is configured"}),
        )
        .await?;

    let sfn = SfnClient::new(&platform.sdk);
    sfn.send_task_failure()
        .task_token(task_token)
        .error(APPROVAL_UNAVAILABLE)
        .cause("no approval channel is configured for this tenant; the proposed action was not run")
        .send()
        .await
        .map_err(|error| Failure::new(causeflow_lambda::TRANSIENT_ERROR, format!("states SendTaskFailure failed: {error}")))?;
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, "approval unavailable; task failed");
    Ok(json!({"requested": false}))
}
