//! `remediate`: runs the one approved action.
//!
//! Checks the approval again: an `approval.granted` record in the trail for this action's
//! digest, spent on exactly this remediator session. Then confirms with a read-only inspector
//! session that the service is still in the state the approver saw, performs the change with
//! the remediator session, and records the outcome (the deployment it started, or the error).

mod change;

use causeflow_domain::action::ProposedAction;
use causeflow_domain::approval::ApprovalId;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::credentials::SealedCredentials;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::AgentKind;
use causeflow_lambda::approval::{approval_id_from, granted_approval, proposed_action, APPROVAL_REQUIRED};
use causeflow_lambda::{unseal_for, Failure, Platform};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::{info, warn};

pub const FUNCTION_NAME: &str = "remediate";

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    /// The decision `slack_callback` sent: `{approval_id, action_digest, …}`.
    approval: Value,
    /// The remediator session, which may only change the approved service.
    credentials: SealedCredentials,
    /// A read-only infra_inspector session, for confirming the service's current state.
    inspector_credentials: SealedCredentials,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, approval, credentials, inspector_credentials } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;

    let (approval_id, action) = match check_approval(platform, &investigation, &approval, &credentials).await {
        Ok(checked) => checked,
        Err(failure) if failure.error_type == APPROVAL_REQUIRED => {
            warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, reason = %failure.message, "rejected remediation");
            platform
                .record(&investigation, AuditEventType::RemediationFailed, FUNCTION_NAME, json!({"refused": true, "reason": failure.message}))
                .await?;
            return Err(failure);
        }
        Err(other) => return Err(other),
    };

    let remediator = unseal_for(platform, &investigation, AgentKind::Remediator, &credentials).await?;
    let inspector = unseal_for(platform, &investigation, AgentKind::InfraInspector, &inspector_credentials).await?;
    let remediator_config = causeflow_aws::config::config_for_agent(&platform.sdk, &remediator, &investigation.region);
    let inspector_config = causeflow_aws::config::config_for_agent(&platform.sdk, &inspector, &investigation.region);
    drop((remediator, inspector));

    let digest = action.digest();
    match change::apply(&action, &inspector_config, &remediator_config).await {
        Ok(applied) => {
            platform
                .record(
                    &investigation,
                    AuditEventType::RemediationSucceeded,
                    FUNCTION_NAME,
                    json!({
                        "approval_id": approval_id,
                        "action_digest": digest,
                        "action": action.describe(),
                        "deployment_id": applied.deployment_id,
                        "task_definition": applied.task_definition,
                        "memory_mib": applied.memory_mib,
                        "desired_count": applied.desired_count,
                    }),
                )
                .await?;
            info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, %approval_id, deployment_id = %applied.deployment_id, "remediation started a deployment");
            causeflow_lambda::encode_output(&applied)
        }
        Err(failure) => {
            warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, %approval_id, error = %failure, "remediation failed");
            platform
                .record(
                    &investigation,
                    AuditEventType::RemediationFailed,
                    FUNCTION_NAME,
                    json!({"approval_id": approval_id, "action_digest": digest, "error_type": failure.error_type, "reason": failure.message}),
                )
                .await?;
            Err(failure)
        }
    }
}

/// Checks the approval again, against the trail and the stored request, and returns the
/// approved action as the stored report proposes it.
async fn check_approval(
    platform: &Platform,
    investigation: &Investigation,
    approval: &Value,
    credentials: &SealedCredentials,
) -> Result<(ApprovalId, ProposedAction), Failure> {
    let approval_id = approval_id_from(Some(approval), "remediation")?;
    let action = proposed_action(platform, investigation).await?;
    let request = granted_approval(platform, investigation, &approval_id, &action).await?;
    let trail = platform.audit.read(&investigation.tenant_id, &investigation.investigation_id).await?;
    let ran_before = trail.iter().any(|record| {
        record.event_type == AuditEventType::RemediationSucceeded && record.details.get("approval_id").and_then(Value::as_str) == Some(approval_id.as_str())
    });
    if ran_before {
        return Err(Failure::new(APPROVAL_REQUIRED, format!("approval {approval_id} was already used to run its change; one approval authorises one change")));
    }
    request
        .check_spent_on(&investigation.tenant_id, &investigation.investigation_id, &action, &credentials.session_name)
        .map_err(|refused| Failure::new(APPROVAL_REQUIRED, refused.to_string()))?;
    if action.cluster() != investigation.service.cluster || action.service() != investigation.service.service {
        return Err(Failure::new(
            APPROVAL_REQUIRED,
            format!("the approved action changes {}/{}, not this investigation's service", action.cluster(), action.service()),
        ));
    }
    Ok((approval_id, action))
}
