//! `request_approval`: runs as a `.waitForTaskToken` task when the report proposes an action.
//!
//! Stores an approval request (a random id, the action and its digest, the approvers, the
//! expiry, the task token sealed with KMS), records `approval.requested`, and posts the Slack
//! message whose buttons carry only the approval id. The task then waits for `slack_callback`.
//! A tenant without approval settings gets `approval.unavailable` and the task fails at once,
//! so the investigation ends in `revoke` with its report and no change made.

mod summary;

use causeflow_domain::approval::{ApprovalId, ApprovalRequest, ApprovalStatus, SlackMessageRef};
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_lambda::approval::{slack_credentials, slack_message, task_token_context, update_approval};
use causeflow_lambda::{Failure, Platform};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::{info, warn};

pub const FUNCTION_NAME: &str = "request_approval";
/// The error name the state machine catches to end without remediation.
pub const APPROVAL_UNAVAILABLE: &str = "ApprovalUnavailable";
/// The error name when the Slack message could not be posted.
pub const SLACK_POST_FAILED: &str = "SlackPostFailed";


#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    /// The analysis summary the state machine branched on. The action itself is read from the
    /// stored report; the summary's digest must match it.
    report: Value,
    task_token: String,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, report: summary, task_token } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    if task_token.is_empty() {
        return Err(Failure::invalid_input("request_approval input has an empty `task_token`"));
    }
    let tenant_id = &investigation.tenant_id;
    let investigation_id = &investigation.investigation_id;

    let tenant = platform.tenants.get(tenant_id).await.map_err(|error| Failure::new("UnknownTenant", error.to_string()))?;
    let Some(config) = tenant.approval.clone() else {
        return fail_task_without_channel(platform, &investigation, &task_token, "no approval channel is configured for this tenant").await;
    };
    if let Err(error) = config.validate() {
        return fail_unavailable(platform, &investigation, "ApprovalMisconfigured", &format!("tenant {tenant_id} approval settings are invalid: {error}")).await;
    }

    let (report, _) = platform
        .investigations
        .report(tenant_id, investigation_id)
        .await?
        .ok_or_else(|| Failure::invalid_input(format!("investigation {investigation_id} has no stored report to request approval for")))?;
    let action = report
        .proposed_action
        .clone()
        .ok_or_else(|| Failure::invalid_input(format!("the report of investigation {investigation_id} proposes no action")))?;
    let digest = action.digest();
    let summary_digest = summary.get("action_digest").and_then(Value::as_str);
    if summary_digest != Some(digest.as_str()) {
        return Err(Failure::invalid_input(format!(
            "request_approval input names action digest {}, but the stored report's action has digest {}",
            summary_digest.unwrap_or("(none)"),
            digest.as_str()
        )));
    }

    let credentials = match slack_credentials(platform, tenant_id).await {
        Ok(credentials) => credentials,
        Err(failure) => return fail_unavailable(platform, &investigation, &failure.error_type, &failure.message).await,
    };

    let now = Utc::now();
    let approval_id = ApprovalId::from_random(rand::random());
    let context = task_token_context(tenant_id, investigation_id.as_str(), &approval_id);
    let sealed_task_token = platform.kms.seal(&platform.resources.sealing_key_id, &context, task_token.as_bytes()).await?;
    let request = ApprovalRequest {
        approval_id: approval_id.clone(),
        tenant_id: tenant_id.clone(),
        investigation_id: investigation_id.clone(),
        action_digest: digest.clone(),
        action,
        approvers: config.approvers.clone(),
        required_approvals: config.required_approvals,
        slack_team_id: config.slack_team_id.clone(),
        summary: summary::summarise(platform, &report, &config),
        requested_at: now,
        expires_at: now + Duration::seconds(i64::from(config.expires_after_seconds)),
        sealed_task_token,
        slack_message: None,
        status: ApprovalStatus::Pending,
        approvals: Vec::new(),
        decision: None,
        delivered: false,
        used: None,
        version: 1,
    };
    platform.approvals.create(&request).await?;
    platform
        .record(
            &investigation,
            AuditEventType::ApprovalRequested,
            FUNCTION_NAME,
            json!({
                "approval_id": approval_id,
                "action": request.action,
                "action_digest": digest,
                "approvers": request.approvers,
                "required_approvals": request.required_approvals,
                "expires_at": request.expires_at,
                "slack_channel_id": config.slack_channel_id,
            }),
        )
        .await?;

    let body = causeflow_slack::message::approval_request(&slack_message(&request));
    let bot_token = credentials.bot_token.expose_str().unwrap_or_default();
    let posted = match platform.slack.post_message(bot_token, &config.slack_channel_id, &body).await {
        Ok(posted) => posted,
        Err(error) => return withdraw(platform, &investigation, &request, &error.to_string()).await,
    };
    store_message_ref(platform, &request, SlackMessageRef { channel: posted.channel.clone(), ts: posted.ts.clone() }).await?;

    info!(%tenant_id, %investigation_id, %approval_id, channel = %posted.channel, expires_at = %request.expires_at, "requested approval in Slack");
    Ok(json!({"requested": true, "approval_id": approval_id, "expires_at": request.expires_at}))
}

/// Stores where the message was posted, re-reading when a click changed the request first.
async fn store_message_ref(platform: &Platform, request: &ApprovalRequest, message: SlackMessageRef) -> Result<(), Failure> {
    update_approval(platform, request.clone(), |current| Some(current.with_slack_message(message.clone()))).await?;
    Ok(())
}

/// Withdraws a request whose message could not be posted. No approver saw it, so it must never
/// become approvable. Records why and fails the task.
async fn withdraw(platform: &Platform, investigation: &Investigation, request: &ApprovalRequest, reason: &str) -> Result<Value, Failure> {
    warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, approval_id = %request.approval_id, reason, "Slack message not posted; approval withdrawn");
    if let Some(withdrawn) = request.withdraw(Utc::now()) {
        platform.approvals.replace(&withdrawn).await?;
    }
    platform
        .record(
            investigation,
            AuditEventType::ApprovalUnavailable,
            FUNCTION_NAME,
            json!({"approval_id": request.approval_id, "action_digest": request.action_digest, "reason": format!("the Slack message could not be posted: {reason}")}),
        )
        .await?;
    Err(Failure::new(SLACK_POST_FAILED, format!("approval {} was withdrawn because the Slack message could not be posted: {reason}", request.approval_id)))
}

/// Records why no approval can be asked for and fails the task with `error_type`.
async fn fail_unavailable(platform: &Platform, investigation: &Investigation, error_type: &str, reason: &str) -> Result<Value, Failure> {
    warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, reason, "approval unavailable");
    platform.record(investigation, AuditEventType::ApprovalUnavailable, FUNCTION_NAME, json!({"reason": reason})).await?;
    Err(Failure::new(error_type, reason.to_string()))
}

/// Records that the tenant has no approval channel and fails the task through Step Functions
/// with [`APPROVAL_UNAVAILABLE`], which the state machine treats as an ordinary outcome.
async fn fail_task_without_channel(platform: &Platform, investigation: &Investigation, task_token: &str, reason: &str) -> Result<Value, Failure> {
    platform.record(investigation, AuditEventType::ApprovalUnavailable, FUNCTION_NAME, json!({"reason": reason})).await?;
    platform
        .sfn
        .send_task_failure(task_token, APPROVAL_UNAVAILABLE, &format!("{reason}; the proposed action was not run"))
        .await?;
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, "approval unavailable; task failed");
    Ok(json!({"requested": false}))
}
