//! `expire_approval`: runs when the approval task times out, which the state machine sets to
//! a little after the request's expiry. Marks the request expired and records
//! `approval.expired` in one transaction, then redraws the Slack message without buttons.
//! The investigation goes on to `revoke`.

use causeflow_domain::approval::ApprovalStatus;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_lambda::approval::{last_requested_approval, load_approval, store_and_record, update_slack_message};
use causeflow_lambda::{Failure, Platform};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::{info, warn};

pub const FUNCTION_NAME: &str = "expire_approval";

/// How often expiring is retried when a late click changed the request first.
const EXPIRE_ATTEMPTS: usize = 5;

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let tenant_id = &investigation.tenant_id;
    let investigation_id = &investigation.investigation_id;

    let trail = platform.audit.read(tenant_id, investigation_id).await?;
    let Some(approval_id) = last_requested_approval(&trail) else {
        warn!(%tenant_id, %investigation_id, "approval task timed out before any request was stored");
        return Ok(json!({"expired": false, "reason": "no approval request was stored"}));
    };

    let mut current = load_approval(platform, tenant_id, &approval_id).await?;
    for _ in 0..EXPIRE_ATTEMPTS {
        // The task has timed out, so a pending request can no longer reach the execution
        // and expires now, even if a slow start put its own expiry a moment later.
        let Some(next) = current.expire(Utc::now().max(current.expires_at)) else {
            // Decided at the last moment: nothing to expire.
            info!(%tenant_id, %investigation_id, %approval_id, status = current.status.as_str(), "approval not expired");
            return Ok(json!({"expired": false, "approval_id": approval_id, "status": current.status.as_str()}));
        };
        let details = json!({"approval_id": approval_id, "action_digest": next.action_digest, "expires_at": next.expires_at});
        if store_and_record(platform, &next, AuditEventType::ApprovalExpired, FUNCTION_NAME, details).await?.is_some() {
            info!(%tenant_id, %investigation_id, %approval_id, "approval expired without a decision");
            update_slack_message(platform, &next).await;
            return Ok(json!({"expired": true, "approval_id": approval_id, "status": ApprovalStatus::Expired.as_str()}));
        }
        current = load_approval(platform, tenant_id, &approval_id).await?;
    }
    Err(Failure::new(causeflow_lambda::TRANSIENT_ERROR, format!("approval {approval_id} kept changing while it was expired")))
}
