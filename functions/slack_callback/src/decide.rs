//! Deciding once: the domain rule applied to the stored request, written with a condition on
//! the version read, together with its audit record.

use causeflow_domain::approval::{ApprovalRequest, ApprovalStatus, Choice, DecisionOutcome, DecisionRefused};
use causeflow_domain::audit::AuditEventType;
use causeflow_lambda::approval::{load_approval, store_and_record};
use causeflow_lambda::{Failure, Platform};
use causeflow_slack::interaction::ApprovalChoice;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::deliver::deliver;

/// How often a click is re-decided after losing a race to another click on the same request.
/// Each loss means the other click was stored, so the next attempt usually finds it decided.
const DECIDE_ATTEMPTS: usize = 5;

pub(crate) enum DecideError {
    Refused(DecisionRefused),
    Failed(Failure),
}

impl From<Failure> for DecideError {
    fn from(failure: Failure) -> DecideError {
        DecideError::Failed(failure)
    }
}

pub(crate) fn to_domain(choice: ApprovalChoice) -> Choice {
    match choice {
        ApprovalChoice::Approve => Choice::Approve,
        ApprovalChoice::Reject => Choice::Reject,
    }
}

/// Applies one click and returns the request as stored afterwards.
pub(crate) async fn decide(
    platform: &Platform,
    mut current: ApprovalRequest,
    user_id: &str,
    choice: Choice,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, DecideError> {
    let actor = format!("slack:{user_id}");
    for _ in 0..DECIDE_ATTEMPTS {
        match current.decide(user_id, choice, now).map_err(DecideError::Refused)? {
            DecisionOutcome::Unchanged => {
                // A decision stored by an earlier click whose delivery failed halfway is
                // delivered now; the click itself changes nothing.
                if is_final(&current) && !current.delivered {
                    return Ok(deliver(platform, current).await?);
                }
                return Ok(current);
            }
            DecisionOutcome::Counted(next) => {
                let details = json!({
                    "approval_id": next.approval_id,
                    "action_digest": next.action_digest,
                    "approver": user_id,
                    "approvals_missing": next.approvals_missing(),
                });
                // Only the approval that completes the count grants; this one is counted.
                if store_and_record(platform, &next, AuditEventType::ApprovalCounted, &actor, details).await?.is_some() {
                    causeflow_lambda::approval::update_slack_message(platform, &next).await;
                    return Ok(next);
                }
            }
            DecisionOutcome::Decided(next) => {
                let event_type = match next.status {
                    ApprovalStatus::Approved => AuditEventType::ApprovalGranted,
                    _ => AuditEventType::ApprovalRejected,
                };
                let decision = next.decision.clone();
                let details = json!({
                    "approval_id": next.approval_id,
                    "action_digest": next.action_digest,
                    "approvers": decision.as_ref().map(|decision| decision.by.clone()),
                    "decided_at": decision.as_ref().map(|decision| decision.at),
                });
                if store_and_record(platform, &next, event_type, &actor, details).await?.is_some() {
                    return Ok(deliver(platform, next).await?);
                }
            }
        }
        current = load_approval(platform, &current.tenant_id, &current.approval_id).await?;
    }
    Err(DecideError::Failed(Failure::new(
        causeflow_lambda::TRANSIENT_ERROR,
        format!("approval {} kept changing under concurrent clicks; click again", current.approval_id),
    )))
}

fn is_final(request: &ApprovalRequest) -> bool {
    matches!(request.status, ApprovalStatus::Approved | ApprovalStatus::Rejected)
}
