//! Delivering a stored decision: to the waiting execution, then to the Slack message.

use causeflow_aws::sfn::CallbackDelivery;
use causeflow_domain::approval::{ApprovalRequest, ApprovalStatus};
use causeflow_lambda::approval::{unseal_task_token, update_approval, update_slack_message};
use causeflow_lambda::{Failure, Platform};
use serde_json::json;
use tracing::{info, warn};

/// Error name the state machine catches when an approver rejects.
pub const APPROVAL_REJECTED: &str = "ApprovalRejected";


/// Sends a recorded decision to Step Functions, marks it delivered and redraws the message.
/// Safe to repeat: a second callback for the same token is ignored by Step Functions.
pub(crate) async fn deliver(platform: &Platform, request: ApprovalRequest) -> Result<ApprovalRequest, Failure> {
    let token = unseal_task_token(platform, &request).await?;
    let decision = request.decision.clone();
    let delivery = match request.status {
        ApprovalStatus::Approved => {
            let output = json!({
                "approval_id": request.approval_id,
                "action_digest": request.action_digest,
                "approved_by": decision.as_ref().map(|decision| decision.by.clone()),
                "decided_at": decision.as_ref().map(|decision| decision.at),
            });
            platform.sfn.send_task_success(&token, &output).await?
        }
        ApprovalStatus::Rejected => {
            let by = decision.as_ref().map(|decision| decision.by.join(", ")).unwrap_or_default();
            let cause = format!("approval {} was rejected in Slack by {by}; the proposed action was not run", request.approval_id);
            platform.sfn.send_task_failure(&token, APPROVAL_REJECTED, &cause).await?
        }
        _ => return Ok(request),
    };
    drop(token);
    if let CallbackDelivery::TaskClosed(code) = &delivery {
        warn!(tenant_id = %request.tenant_id, investigation_id = %request.investigation_id, approval_id = %request.approval_id, code, "the execution no longer waits for this approval");
    }

    let delivered = mark_delivered(platform, request).await?;
    info!(tenant_id = %delivered.tenant_id, investigation_id = %delivered.investigation_id, approval_id = %delivered.approval_id, status = delivered.status.as_str(), "delivered approval decision");
    update_slack_message(platform, &delivered).await;
    Ok(delivered)
}

async fn mark_delivered(platform: &Platform, request: ApprovalRequest) -> Result<ApprovalRequest, Failure> {
    update_approval(platform, request, |current| (!current.delivered).then(|| current.mark_delivered())).await
}
