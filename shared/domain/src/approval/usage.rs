//! Using a granted approval: one approval authorises one change, of exactly the approved
//! action, in the investigation and tenant it was requested for, soon after the decision.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::request::{ApprovalRequest, ApprovalStatus};
use crate::action::ProposedAction;
use crate::{InvestigationId, TenantId};

/// How long after the decision a granted approval can still be used. The broker runs seconds
/// after the approval, so a grant unused for this long belongs to a stalled run and is refused.
pub const GRANT_USE_WINDOW_SECONDS: i64 = 600;

/// The one use of a granted approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalUse {
    pub at: DateTime<Utc>,
    /// The remediator session the approval was spent on.
    pub session_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UseRefused {
    #[error("approval {approval_id} belongs to tenant {owner}, not to tenant {requested}")]
    OtherTenant { approval_id: String, owner: String, requested: String },
    #[error("approval {approval_id} belongs to investigation {owner}, not to {requested}")]
    OtherInvestigation { approval_id: String, owner: String, requested: String },
    #[error("approval {approval_id} is {status}, not approved")]
    NotApproved { approval_id: String, status: &'static str },
    #[error("approval {approval_id} approved the action with digest {approved}, but the action to run has digest {requested}")]
    DigestMismatch { approval_id: String, approved: String, requested: String },
    #[error("approval {approval_id} was already used at {at} by session {session_name}; one approval authorises one change")]
    AlreadyUsed { approval_id: String, at: DateTime<Utc>, session_name: String },
    #[error("approval {approval_id} was granted at {decided_at} and expired {GRANT_USE_WINDOW_SECONDS} seconds later, unused")]
    Expired { approval_id: String, decided_at: DateTime<Utc> },
    #[error("approval {approval_id} was not used by session {session_name}")]
    NotUsedBySession { approval_id: String, session_name: String },
}

impl ApprovalRequest {
    /// Checks that this approval may authorise `action` in `investigation_id` of `tenant_id`
    /// now: approved, for the same digest, unused, and within the use window.
    pub fn check_usable(
        &self,
        tenant_id: &TenantId,
        investigation_id: &InvestigationId,
        action: &ProposedAction,
        now: DateTime<Utc>,
    ) -> Result<(), UseRefused> {
        self.check_grant(tenant_id, investigation_id, action)?;
        if let Some(used) = &self.used {
            return Err(UseRefused::AlreadyUsed { approval_id: self.approval_id.to_string(), at: used.at, session_name: used.session_name.clone() });
        }
        let decided_at = self.decision.as_ref().map(|decision| decision.at).unwrap_or(self.requested_at);
        if now >= decided_at + Duration::seconds(GRANT_USE_WINDOW_SECONDS) {
            return Err(UseRefused::Expired { approval_id: self.approval_id.to_string(), decided_at });
        }
        Ok(())
    }

    /// Returns a copy spent on `session_name`.
    pub fn mark_used(&self, session_name: &str, now: DateTime<Utc>) -> ApprovalRequest {
        let mut next = self.clone();
        next.version += 1;
        next.used = Some(ApprovalUse { at: now, session_name: session_name.to_string() });
        next
    }

    /// Checks, before the change runs, that this approval grants `action` and was spent on
    /// exactly the session about to act.
    pub fn check_spent_on(
        &self,
        tenant_id: &TenantId,
        investigation_id: &InvestigationId,
        action: &ProposedAction,
        session_name: &str,
    ) -> Result<(), UseRefused> {
        self.check_grant(tenant_id, investigation_id, action)?;
        match &self.used {
            Some(used) if used.session_name == session_name => Ok(()),
            _ => Err(UseRefused::NotUsedBySession { approval_id: self.approval_id.to_string(), session_name: session_name.to_string() }),
        }
    }

    fn check_grant(&self, tenant_id: &TenantId, investigation_id: &InvestigationId, action: &ProposedAction) -> Result<(), UseRefused> {
        let approval_id = self.approval_id.to_string();
        if &self.tenant_id != tenant_id {
            return Err(UseRefused::OtherTenant { approval_id, owner: self.tenant_id.to_string(), requested: tenant_id.to_string() });
        }
        if &self.investigation_id != investigation_id {
            return Err(UseRefused::OtherInvestigation {
                approval_id,
                owner: self.investigation_id.to_string(),
                requested: investigation_id.to_string(),
            });
        }
        if self.status != ApprovalStatus::Approved {
            return Err(UseRefused::NotApproved { approval_id, status: self.status.as_str() });
        }
        // Both digests are compared: the stored one (what the approver saw) and the one
        // recomputed from the stored action, so neither field can be edited alone.
        let requested = action.digest();
        if self.action_digest != requested || self.action.digest() != requested {
            return Err(UseRefused::DigestMismatch {
                approval_id,
                approved: self.action_digest.as_str().to_string(),
                requested: requested.as_str().to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::approval::request::tests::{at, request, rollback};
    use crate::approval::{Choice, DecisionOutcome};

    fn approved() -> ApprovalRequest {
        match request(1).decide("U0ALICE", Choice::Approve, at(5)).unwrap() {
            DecisionOutcome::Decided(next) => next,
            other => panic!("expected a decision, got {other:?}"),
        }
    }

    fn ids(request: &ApprovalRequest) -> (TenantId, InvestigationId) {
        (request.tenant_id.clone(), request.investigation_id.clone())
    }

    #[test]
    fn approved_action_is_usable_once() {
        let grant = approved();
        let (tenant, investigation) = ids(&grant);
        assert_eq!(grant.check_usable(&tenant, &investigation, &rollback(), at(6)), Ok(()));

        let spent = grant.mark_used("inv-0123456789abcdef0123456789-remediator", at(6));
        assert!(matches!(spent.check_usable(&tenant, &investigation, &rollback(), at(7)), Err(UseRefused::AlreadyUsed { .. })));
        assert_eq!(spent.check_spent_on(&tenant, &investigation, &rollback(), "inv-0123456789abcdef0123456789-remediator"), Ok(()));
        assert!(matches!(
            spent.check_spent_on(&tenant, &investigation, &rollback(), "other-session"),
            Err(UseRefused::NotUsedBySession { .. })
        ));
    }

    #[test]
    fn other_revision_or_service_is_refused() {
        let grant = approved();
        let (tenant, investigation) = ids(&grant);
        let other_revision = ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:8".into(),
            to_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:6".into(),
        };
        let other_service = ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "payments".into(),
            from_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:8".into(),
            to_task_definition: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:7".into(),
        };
        for action in [other_revision, other_service] {
            assert!(matches!(grant.check_usable(&tenant, &investigation, &action, at(6)), Err(UseRefused::DigestMismatch { .. })));
        }
    }

    #[test]
    fn edited_stored_action_is_refused() {
        let mut grant = approved();
        let (tenant, investigation) = ids(&grant);
        grant.action = ProposedAction::ScaleOut { cluster: "prod".into(), service: "checkout".into(), from_count: 2, to_count: 50 };
        assert!(matches!(grant.check_usable(&tenant, &investigation, &rollback(), at(6)), Err(UseRefused::DigestMismatch { .. })));
    }

    #[test]
    fn other_investigation_or_tenant_is_refused() {
        let grant = approved();
        let (tenant, investigation) = ids(&grant);
        let other_investigation = InvestigationId::parse("inv-ffffffffffffffffffffffffff").unwrap();
        let other_tenant = TenantId::parse("globex").unwrap();
        assert!(matches!(grant.check_usable(&tenant, &other_investigation, &rollback(), at(6)), Err(UseRefused::OtherInvestigation { .. })));
        assert!(matches!(grant.check_usable(&other_tenant, &investigation, &rollback(), at(6)), Err(UseRefused::OtherTenant { .. })));
    }

    #[test]
    fn unapproved_or_stale_grant_is_refused() {
        let (tenant, investigation) = ids(&request(1));
        assert_eq!(
            request(1).check_usable(&tenant, &investigation, &rollback(), at(6)),
            Err(UseRefused::NotApproved { approval_id: request(1).approval_id.to_string(), status: "pending" })
        );
        let late = at(5) + Duration::seconds(GRANT_USE_WINDOW_SECONDS);
        assert!(matches!(approved().check_usable(&tenant, &investigation, &rollback(), late), Err(UseRefused::Expired { .. })));
    }
}
