//! `slack_callback`: the HTTPS endpoint Slack calls when someone clicks Approve or Reject.
//!
//! Served as a Lambda function URL at `/slack/interactions/<tenant_id>`, so each tenant's
//! Slack app posts to its own path and is verified with its own signing secret. The steps, in
//! order, are:
//! 1. verify the signature over the raw body (401, nothing written);
//! 2. parse the `block_actions` payload (400);
//! 3. check the workspace and the approver (403);
//! 4. decide once with a conditional write that also records the decision in the audit trail;
//! 5. hand the decision to Step Functions and update the Slack message.
//!
//! A repeated click gets the stored decision as its response and changes nothing.

mod decide;
mod deliver;
mod http;

use aws_lambda_events::event::lambda_function_urls::LambdaFunctionUrlRequest;
use causeflow_domain::approval::{ApprovalId, ApprovalRequest};
use causeflow_domain::TenantId;
use causeflow_lambda::approval::slack_credentials;
use causeflow_lambda::{Failure, Platform};
use causeflow_slack::interaction::parse_block_action;
use causeflow_slack::signature::{verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::{info, warn};

pub use http::{HttpAnswer, INTERACTIONS_PATH_PREFIX};

pub const FUNCTION_NAME: &str = "slack_callback";

/// Handles one function URL request. HTTP errors are responses, not failures: only an event
/// that is not a function URL request at all fails the invocation.
pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let request: LambdaFunctionUrlRequest = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let answer = answer(platform, &request, Utc::now()).await;
    causeflow_lambda::encode_output(&answer.into_response())
}

/// Builds the HTTP response to one request at `now`.
pub async fn answer(platform: &Platform, request: &LambdaFunctionUrlRequest, now: DateTime<Utc>) -> HttpAnswer {
    let Some(tenant_id) = http::tenant_from_path(request.raw_path.as_deref()) else {
        warn!(path = request.raw_path.as_deref().unwrap_or(""), "rejected Slack request: unknown path");
        return HttpAnswer::error(404, format!("unknown path; Slack requests go to {INTERACTIONS_PATH_PREFIX}<tenant_id>"));
    };
    let body = match http::raw_body(request) {
        Ok(body) => body,
        Err(message) => return HttpAnswer::error(400, message),
    };

    // Step 1: the signature, before anything in the body is trusted.
    let credentials = match slack_credentials(platform, &tenant_id).await {
        Ok(credentials) => credentials,
        Err(failure) if failure.error_type == "SlackNotConfigured" => {
            warn!(%tenant_id, "rejected Slack request: tenant has no signing secret");
            return HttpAnswer::error(401, format!("Slack signature cannot be verified: tenant {tenant_id} has no Slack signing secret stored"));
        }
        Err(failure) => return HttpAnswer::unavailable(&failure),
    };
    let timestamp = http::header(request, TIMESTAMP_HEADER);
    let signature = http::header(request, SIGNATURE_HEADER);
    if let Err(error) = verify(credentials.signing_secret.expose(), timestamp, signature, &body, now) {
        warn!(%tenant_id, %error, "rejected Slack request: signature");
        return HttpAnswer::error(401, error.to_string());
    }
    drop(credentials);

    // Step 2: the payload.
    let click = match parse_block_action(&body) {
        Ok(click) => click,
        Err(error) => {
            warn!(%tenant_id, %error, "rejected Slack request: payload");
            return HttpAnswer::error(400, error.to_string());
        }
    };
    let choice = match click.choice() {
        Ok(choice) => decide::to_domain(choice),
        Err(error) => return HttpAnswer::error(400, error.to_string()),
    };
    let approval_id = match ApprovalId::parse(&click.value) {
        Ok(approval_id) => approval_id,
        Err(error) => return HttpAnswer::error(400, format!("button value is not an approval id: {error}")),
    };

    // Step 3: the workspace and the person.
    let tenant = match platform.tenants.get(&tenant_id).await {
        Ok(tenant) => tenant,
        Err(error) => return HttpAnswer::error(401, format!("tenant {tenant_id} cannot be read: {error}")),
    };
    let Some(config) = tenant.approval else {
        return HttpAnswer::error(403, format!("tenant {tenant_id} has no approval settings"));
    };
    if click.team_id != config.slack_team_id {
        warn!(%tenant_id, team_id = %click.team_id, "rejected Slack request: other workspace");
        return HttpAnswer::error(403, format!("Slack workspace {} is not the workspace of tenant {tenant_id}", click.team_id));
    }
    if !config.is_approver(&click.user_id) {
        warn!(%tenant_id, user_id = %click.user_id, %approval_id, "rejected Slack request: not an approver");
        return HttpAnswer::error(403, format!("Slack user {} is not an approver of tenant {tenant_id}", click.user_id));
    }

    // Step 4 and 5: decide once, then record and deliver.
    let stored = match load(platform, &tenant_id, &approval_id).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return HttpAnswer::error(404, format!("approval {approval_id} of tenant {tenant_id} does not exist")),
        Err(failure) => return HttpAnswer::unavailable(&failure),
    };
    if stored.slack_team_id != click.team_id {
        return HttpAnswer::error(403, format!("approval {approval_id} was requested in another Slack workspace"));
    }
    match decide::decide(platform, stored, &click.user_id, choice, now).await {
        Ok(request) => {
            info!(%tenant_id, investigation_id = %request.investigation_id, %approval_id, user_id = %click.user_id, status = request.status.as_str(), "responded to Slack click");
            HttpAnswer::state(&request, now)
        }
        Err(decide::DecideError::Refused(refused)) => HttpAnswer::error(403, refused.to_string()),
        Err(decide::DecideError::Failed(failure)) => HttpAnswer::unavailable(&failure),
    }
}

async fn load(platform: &Platform, tenant_id: &TenantId, approval_id: &ApprovalId) -> Result<Option<ApprovalRequest>, Failure> {
    Ok(platform.approvals.get(tenant_id, approval_id).await?)
}
