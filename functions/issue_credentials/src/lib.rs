//! `issue_credentials`: the credential broker.
//!
//! For one agent of one investigation: AssumeRole into the role the tenant registered for that
//! agent, for 900 seconds, with the tenant's ExternalId, session tags, a SourceIdentity and a
//! session policy with exactly the agent's actions. The credentials are sealed with KMS under
//! `{tenant_id, investigation_id, agent}` at once; only the sealed blob, the expiry and the
//! scope leave this function.

use causeflow_aws::sts::AssumeRoleRequest;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::credentials::{session_name, source_identity, SealedCredentials, SESSION_DURATION_SECONDS};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::policy::{session_policy, ResourceScope};
use causeflow_domain::AgentKind;
use causeflow_lambda::{sealing_context, Failure, Platform};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::info;
use zeroize::Zeroizing;

mod remediator;

pub const FUNCTION_NAME: &str = "issue_credentials";

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    agent: AgentKind,
    /// For the remediator only: the decision `slack_callback` sent, naming the approval.
    #[serde(default)]
    approval: Option<Value>,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, agent, approval } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let tenant_id = &investigation.tenant_id;
    let investigation_id = &investigation.investigation_id;
    let session_name = session_name(investigation_id, agent);

    // The remediator's approval is checked and spent before any role is assumed.
    let remediation = match agent {
        AgentKind::Remediator => Some(remediator::spend_approval(platform, &investigation, approval.as_ref(), &session_name).await?),
        _ => None,
    };

    let tenant = platform.tenants.get(tenant_id).await.map_err(|error| Failure::new("UnknownTenant", error.to_string()))?;
    let role_arn = tenant
        .role_for(agent)
        .ok_or_else(|| Failure::new("NoRoleForAgent", format!("tenant {tenant_id} registered no role for agent {agent}")))?
        .to_string();
    let scope = ResourceScope {
        account_id: tenant.account_id.clone(),
        region: tenant.region.clone(),
        log_groups: investigation.service.log_groups.clone(),
        cluster: investigation.service.cluster.clone(),
        service: investigation.service.service.clone(),
        remediation: remediation.as_ref().map(|spent| spent.scope.clone()),
    };
    let policy = session_policy(agent, &scope).map_err(|error| Failure::new("SessionPolicyInvalid", error.to_string()))?;

    let request = AssumeRoleRequest {
        role_arn: role_arn.clone(),
        external_id: tenant.external_id.clone(),
        session_name: session_name.clone(),
        source_identity: source_identity(tenant_id),
        duration_seconds: SESSION_DURATION_SECONDS,
        session_policy_json: policy.as_json().to_string(),
        tags: vec![
            ("tenant_id".into(), tenant_id.to_string()),
            ("investigation_id".into(), investigation_id.to_string()),
            ("agent".into(), agent.to_string()),
        ],
    };
    let credentials = platform.sts.assume_role(&request).await?;

    let plaintext = Zeroizing::new(serde_json::to_vec(&credentials).map_err(|error| Failure::new("InternalError", error.to_string()))?);
    let context = sealing_context(&investigation, agent);
    let sealed_blob = platform.kms.seal(&platform.resources.sealing_key_id, &context, &plaintext).await?;
    let expires_at = credentials.expires_at;
    drop(credentials);

    let sealed = SealedCredentials {
        tenant_id: tenant_id.clone(),
        investigation_id: investigation_id.clone(),
        agent,
        session_name: session_name.clone(),
        expires_at,
        allowed_actions: policy.allowed_actions(),
        sealed_blob,
    };
    platform
        .record(
            &investigation,
            AuditEventType::CredentialsIssued,
            FUNCTION_NAME,
            json!({
                "agent": agent,
                "role_arn": role_arn,
                "session_name": session_name,
                "expires_at": sealed.expires_at,
                "allowed_actions": sealed.allowed_actions,
                "approval_id": remediation.as_ref().map(|spent| spent.approval_id.to_string()),
            }),
        )
        .await?;
    info!(%tenant_id, %investigation_id, agent = agent.as_str(), session_name = %sealed.session_name, expires_at = %sealed.expires_at, "issued agent credentials");
    causeflow_lambda::encode_output(&sealed)
}
