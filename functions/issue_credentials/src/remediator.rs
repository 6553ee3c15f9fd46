//! The remediator's extra rule: credentials only against an unexpired, unused
//! `approval.granted` for exactly the proposed action, which issuing them spends.

use causeflow_aws::dynamodb::InvestigationStatus;
use causeflow_domain::approval::{ApprovalId, ApprovalRequest};
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::policy::RemediationScope;
use causeflow_domain::AgentKind;
use causeflow_lambda::approval::{approval_id_from, granted_approval, load_approval, proposed_action, APPROVAL_REQUIRED};
use causeflow_lambda::{Failure, Platform};
use serde_json::{json, Value};
use tracing::{info, warn};

use crate::FUNCTION_NAME;

/// How often spending is retried when the request changed between read and write.
const SPEND_ATTEMPTS: usize = 3;

/// A spent approval and the permissions it grants.
pub(crate) struct SpentApproval {
    pub approval_id: ApprovalId,
    pub scope: RemediationScope,
}

/// Checks the approval named in `approval` against the audit trail and the stored request,
/// then marks it used by `session_name` with a conditional write. Every refusal is recorded
/// as `credentials.refused` and changes nothing else.
pub(crate) async fn spend_approval(
    platform: &Platform,
    investigation: &Investigation,
    approval: Option<&Value>,
    session_name: &str,
) -> Result<SpentApproval, Failure> {
    match check_and_spend(platform, investigation, approval, session_name).await {
        Ok(spent) => Ok(spent),
        Err(failure) if failure.error_type == APPROVAL_REQUIRED => {
            warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, reason = %failure.message, "rejected remediator credentials");
            platform
                .record(investigation, AuditEventType::CredentialsRefused, FUNCTION_NAME, json!({"agent": AgentKind::Remediator, "reason": failure.message}))
                .await?;
            Err(failure)
        }
        Err(other) => Err(other),
    }
}

async fn check_and_spend(
    platform: &Platform,
    investigation: &Investigation,
    approval: Option<&Value>,
    session_name: &str,
) -> Result<SpentApproval, Failure> {
    let approval_id = approval_id_from(approval, "a remediator session")?;
    let action = proposed_action(platform, investigation).await?;
    let mut current = granted_approval(platform, investigation, &approval_id, &action).await?;

    for _ in 0..SPEND_ATTEMPTS {
        current
            .check_usable(&investigation.tenant_id, &investigation.investigation_id, &action, chrono::Utc::now())
            .map_err(|refused| Failure::new(APPROVAL_REQUIRED, refused.to_string()))?;
        ensure_open(platform, investigation).await?;
        let spent = current.mark_used(session_name, chrono::Utc::now());
        if platform.approvals.replace(&spent).await? {
            info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, %approval_id, session_name, "spent approval on remediator session");
            return Ok(SpentApproval { approval_id, scope: scope_for(&spent) });
        }
        current = load_approval(platform, &investigation.tenant_id, &approval_id).await?;
    }
    Err(Failure::new(causeflow_lambda::TRANSIENT_ERROR, format!("approval {approval_id} kept changing while it was being used")))
}

/// Refuses a closed investigation: its sessions are revoked, and nothing may act for it.
async fn ensure_open(platform: &Platform, investigation: &Investigation) -> Result<(), Failure> {
    let stored = platform.investigations.get(&investigation.tenant_id, &investigation.investigation_id).await?;
    match stored {
        Some((_, InvestigationStatus::Open)) => Ok(()),
        Some((_, InvestigationStatus::Closed)) => {
            Err(Failure::new(APPROVAL_REQUIRED, format!("investigation {} is closed; no change may run for it", investigation.investigation_id)))
        }
        None => Err(Failure::new(APPROVAL_REQUIRED, format!("investigation {} does not exist", investigation.investigation_id))),
    }
}

fn scope_for(request: &ApprovalRequest) -> RemediationScope {
    RemediationScope {
        registers_task_definition: request.action.registers_task_definition(),
        pass_roles: request.action.pass_roles().to_vec(),
    }
}
