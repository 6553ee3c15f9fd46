//! An approval request and the rule that decides it once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::id::ApprovalId;
use super::usage::ApprovalUse;
use crate::action::{ActionDigest, ProposedAction};
use crate::{InvestigationId, TenantId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Waiting for a decision.
    Pending,
    Approved,
    Rejected,
    /// No decision arrived before `expires_at`.
    Expired,
    /// The Slack message could not be posted, so no approver saw the request and it can no
    /// longer be decided.
    Withdrawn,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Expired => "expired",
            ApprovalStatus::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Approve,
    Reject,
}

/// One approver's click that counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOff {
    pub user_id: String,
    pub at: DateTime<Utc>,
}

/// The final decision: who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: Vec<String>,
    pub at: DateTime<Utc>,
}

/// The channel and timestamp of the posted approval message, for updating it after the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackMessageRef {
    pub channel: String,
    pub ts: String,
}

/// The investigation summary the approval message shows beside the change, kept so the
/// message can be redrawn after the decision. Evidence lines are masked before they are stored here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalSummary {
    pub alarm_name: String,
    pub service: String,
    pub top_hypothesis: Option<String>,
    pub confidence: Option<f64>,
    pub evidence: Vec<String>,
    /// Language of the Slack messages, `en` or `pt-BR`.
    pub locale: String,
}

/// A request for a human decision on one action, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    pub approval_id: ApprovalId,
    pub tenant_id: TenantId,
    pub investigation_id: InvestigationId,
    pub action: ProposedAction,
    pub action_digest: ActionDigest,
    /// Slack user ids who may decide, copied from the tenant's settings when requested.
    pub approvers: Vec<String>,
    pub required_approvals: u8,
    pub slack_team_id: String,
    pub summary: ApprovalSummary,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The Step Functions task token, encrypted with KMS under a context naming this request.
    pub sealed_task_token: String,
    #[serde(default)]
    pub slack_message: Option<SlackMessageRef>,
    pub status: ApprovalStatus,
    /// Approvals counted so far. With two required, the first waits here for the second.
    #[serde(default)]
    pub approvals: Vec<SignedOff>,
    #[serde(default)]
    pub decision: Option<Decision>,
    /// True once the decision is in the audit trail and Step Functions has it.
    #[serde(default)]
    pub delivered: bool,
    /// Set when the broker used the granted approval to issue remediator credentials.
    #[serde(default)]
    pub used: Option<ApprovalUse>,
    /// Version incremented by every change. Each write is conditional on the version read.
    pub version: u64,
}

/// Reasons a click is rejected without changing anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefused {
    #[error("Slack user {user_id} is not an approver of approval {approval_id}")]
    NotApprover { user_id: String, approval_id: String },
}

/// The effect of one click on a request.
#[derive(Debug, Clone, PartialEq)]
pub enum DecisionOutcome {
    /// The request reached a final decision. Store `next`, then record and deliver it.
    Decided(ApprovalRequest),
    /// The first of two required approvals. Store `next` and wait for the second.
    Counted(ApprovalRequest),
    /// Nothing changes: the request was decided before, has expired, or this user's approval
    /// was already counted. The response repeats the stored state.
    Unchanged,
}

impl ApprovalRequest {
    /// Applies one approver's click at `now`. A rejection from any approver rejects. An
    /// approval counts once per user and decides when `required_approvals` distinct users
    /// approved.
    pub fn decide(&self, user_id: &str, choice: Choice, now: DateTime<Utc>) -> Result<DecisionOutcome, DecisionRefused> {
        if !self.approvers.iter().any(|approver| approver == user_id) {
            return Err(DecisionRefused::NotApprover { user_id: user_id.to_string(), approval_id: self.approval_id.to_string() });
        }
        if self.status != ApprovalStatus::Pending || self.is_past_expiry(now) {
            return Ok(DecisionOutcome::Unchanged);
        }

        let mut next = self.clone();
        next.version += 1;
        match choice {
            Choice::Reject => {
                next.status = ApprovalStatus::Rejected;
                next.decision = Some(Decision { by: vec![user_id.to_string()], at: now });
                Ok(DecisionOutcome::Decided(next))
            }
            Choice::Approve => {
                if self.approvals.iter().any(|signed| signed.user_id == user_id) {
                    return Ok(DecisionOutcome::Unchanged);
                }
                next.approvals.push(SignedOff { user_id: user_id.to_string(), at: now });
                if next.approvals.len() < usize::from(self.required_approvals) {
                    return Ok(DecisionOutcome::Counted(next));
                }
                next.status = ApprovalStatus::Approved;
                next.decision = Some(Decision { by: next.approvals.iter().map(|signed| signed.user_id.clone()).collect(), at: now });
                Ok(DecisionOutcome::Decided(next))
            }
        }
    }

    /// Marks a pending request expired once its time has passed. Returns None when it is not
    /// pending, or not yet past `expires_at`.
    pub fn expire(&self, now: DateTime<Utc>) -> Option<ApprovalRequest> {
        if self.status != ApprovalStatus::Pending || !self.is_past_expiry(now) {
            return None;
        }
        let mut next = self.clone();
        next.version += 1;
        next.status = ApprovalStatus::Expired;
        next.decision = Some(Decision { by: Vec::new(), at: now });
        Some(next)
    }

    /// Marks a pending request withdrawn because its message could not be posted.
    pub fn withdraw(&self, now: DateTime<Utc>) -> Option<ApprovalRequest> {
        if self.status != ApprovalStatus::Pending {
            return None;
        }
        let mut next = self.clone();
        next.version += 1;
        next.status = ApprovalStatus::Withdrawn;
        next.decision = Some(Decision { by: Vec::new(), at: now });
        Some(next)
    }

    /// Returns a copy that records where its Slack message was posted.
    pub fn with_slack_message(&self, message: SlackMessageRef) -> ApprovalRequest {
        let mut next = self.clone();
        next.version += 1;
        next.slack_message = Some(message);
        next
    }

    /// Returns a copy marked as delivered: recorded in the audit trail and sent to Step Functions.
    pub fn mark_delivered(&self) -> ApprovalRequest {
        let mut next = self.clone();
        next.version += 1;
        next.delivered = true;
        next
    }

    pub fn is_past_expiry(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// Returns how many more distinct approvals a pending request needs.
    pub fn approvals_missing(&self) -> usize {
        usize::from(self.required_approvals).saturating_sub(self.approvals.len())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    pub(crate) fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, minute, 0).unwrap()
    }

    pub(crate) fn rollback() -> ProposedAction {
        ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:8".into(),
            to_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:7".into(),
        }
    }

    pub(crate) fn request(required: u8) -> ApprovalRequest {
        let action = rollback();
        ApprovalRequest {
            approval_id: ApprovalId::from_random([7; 16]),
            tenant_id: TenantId::parse("acme").unwrap(),
            investigation_id: InvestigationId::parse("inv-0123456789abcdef0123456789").unwrap(),
            action_digest: action.digest(),
            action,
            approvers: vec!["U0ALICE".into(), "U0BRUNO".into()],
            required_approvals: required,
            slack_team_id: "T0ACME".into(),
            summary: ApprovalSummary {
                alarm_name: "checkout-5xx".into(),
                service: "checkout".into(),
                top_hypothesis: Some("Bad deployment".into()),
                confidence: Some(0.9),
                evidence: vec![],
                locale: "en".into(),
            },
            requested_at: at(0),
            expires_at: at(0) + Duration::hours(1),
            sealed_task_token: "sealed".into(),
            slack_message: None,
            status: ApprovalStatus::Pending,
            approvals: Vec::new(),
            decision: None,
            delivered: false,
            used: None,
            version: 1,
        }
    }

    fn decided(outcome: DecisionOutcome) -> ApprovalRequest {
        match outcome {
            DecisionOutcome::Decided(next) => next,
            other => panic!("expected a decision, got {other:?}"),
        }
    }

    #[test]
    fn single_approval_decides() {
        let next = decided(request(1).decide("U0ALICE", Choice::Approve, at(5)).unwrap());
        assert_eq!(next.status, ApprovalStatus::Approved);
        assert_eq!(next.decision, Some(Decision { by: vec!["U0ALICE".into()], at: at(5) }));
        assert_eq!(next.version, 2);
    }

    #[test]
    fn rejection_decides() {
        let next = decided(request(1).decide("U0BRUNO", Choice::Reject, at(5)).unwrap());
        assert_eq!(next.status, ApprovalStatus::Rejected);
        assert_eq!(next.decision.unwrap().by, vec!["U0BRUNO".to_string()]);
    }

    #[test]
    fn non_approver_is_refused() {
        let refused = request(1).decide("U0MALLORY", Choice::Approve, at(5));
        assert!(matches!(refused, Err(DecisionRefused::NotApprover { .. })));
    }

    #[test]
    fn decided_request_stays_unchanged() {
        let approved = decided(request(1).decide("U0ALICE", Choice::Approve, at(5)).unwrap());
        assert_eq!(approved.decide("U0ALICE", Choice::Approve, at(6)), Ok(DecisionOutcome::Unchanged));
        assert_eq!(approved.decide("U0BRUNO", Choice::Reject, at(6)), Ok(DecisionOutcome::Unchanged));
        let rejected = decided(request(1).decide("U0BRUNO", Choice::Reject, at(5)).unwrap());
        assert_eq!(rejected.decide("U0ALICE", Choice::Approve, at(6)), Ok(DecisionOutcome::Unchanged));
    }

    #[test]
    fn expired_request_is_not_decided() {
        let late = at(0) + Duration::hours(1);
        assert_eq!(request(1).decide("U0ALICE", Choice::Approve, late), Ok(DecisionOutcome::Unchanged));
    }

    #[test]
    fn two_approvers_needed_when_required() {
        let first = match request(2).decide("U0ALICE", Choice::Approve, at(5)).unwrap() {
            DecisionOutcome::Counted(next) => next,
            other => panic!("expected the first approval to be counted, got {other:?}"),
        };
        assert_eq!(first.status, ApprovalStatus::Pending);
        assert_eq!(first.approvals_missing(), 1);

        assert_eq!(first.decide("U0ALICE", Choice::Approve, at(6)), Ok(DecisionOutcome::Unchanged));

        let second = decided(first.decide("U0BRUNO", Choice::Approve, at(7)).unwrap());
        assert_eq!(second.status, ApprovalStatus::Approved);
        assert_eq!(second.decision.unwrap().by, vec!["U0ALICE".to_string(), "U0BRUNO".to_string()]);
    }

    #[test]
    fn rejection_after_first_of_two_approvals_rejects() {
        let DecisionOutcome::Counted(first) = request(2).decide("U0ALICE", Choice::Approve, at(5)).unwrap() else {
            panic!("first approval should be counted")
        };
        let rejected = decided(first.decide("U0BRUNO", Choice::Reject, at(6)).unwrap());
        assert_eq!(rejected.status, ApprovalStatus::Rejected);
    }

    #[test]
    fn expire_only_after_expiry_and_while_pending() {
        assert_eq!(request(1).expire(at(59)), None);
        let expired = request(1).expire(at(0) + Duration::hours(1)).unwrap();
        assert_eq!(expired.status, ApprovalStatus::Expired);
        let approved = decided(request(1).decide("U0ALICE", Choice::Approve, at(5)).unwrap());
        assert_eq!(approved.expire(at(0) + Duration::hours(2)), None);
    }
}
