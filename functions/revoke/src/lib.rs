//! `revoke`: the last step of every investigation, whichever way it ends.
//!
//! Adds the investigation to the tenant's revocation list and prunes entries whose sessions
//! have all expired. The list is replaced under a version condition, so two investigations
//! ending at once never lose an entry. The list is then written as the customer's revocation
//! policy, which denies every session tagged with a listed `investigation_id`. Finally the
//! revocation is recorded and the investigation closed.

use causeflow_aws::config::config_for_agent;
use causeflow_aws::iam::Iam;
use causeflow_aws::sts::AssumeRoleRequest;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::credentials::{source_identity, SESSION_DURATION_SECONDS};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::policy::revoker_session_policy;
use causeflow_domain::revocation::{RevocationEntry, RevocationList};
use causeflow_domain::tenant::TenantConfig;
use causeflow_lambda::{Failure, Platform};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::{info, warn};

pub const FUNCTION_NAME: &str = "revoke";

/// How often the list update retries after losing a race to another revocation.
const MAX_LIST_ATTEMPTS: usize = 20;

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    /// Present when a step failed: `{"Error": ..., "Cause": ...}` from the state's Catch.
    #[serde(default)]
    failure: Option<Value>,
    /// Present when the approval ended without a change (rejected, expired, unavailable).
    #[serde(default)]
    approval_outcome: Option<Value>,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, failure, approval_outcome } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let tenant = platform.tenants.get(&investigation.tenant_id).await.map_err(|error| Failure::new("UnknownTenant", error.to_string()))?;

    if let Some(failure) = &failure {
        warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, error = ?failure.get("Error"), "investigation step failed; revoking");
        platform
            .record(&investigation, AuditEventType::StepFailed, FUNCTION_NAME, json!({"error": failure.get("Error"), "cause": failure.get("Cause")}))
            .await?;
    }

    // Every session of this investigation was issued before now and lives at most
    // SESSION_DURATION_SECONDS, so after this instant the entry protects nothing.
    let entry = RevocationEntry {
        investigation_id: investigation.investigation_id.clone(),
        sessions_expire_at: Utc::now() + Duration::seconds(i64::from(SESSION_DURATION_SECONDS)),
    };
    let (list, pruned) = add_to_list(platform, &tenant, entry).await?;
    write_policy(platform, &tenant, list).await?;

    platform
        .record(
            &investigation,
            AuditEventType::CredentialsRevoked,
            FUNCTION_NAME,
            json!({"revocation_policy_arn": tenant.revocation_policy_arn, "pruned_entries": pruned}),
        )
        .await?;
    let outcome = match (&failure, &approval_outcome) {
        (Some(_), _) => "failed",
        (None, Some(_)) => "completed_without_remediation",
        (None, None) => "completed",
    };
    platform
        .record(&investigation, AuditEventType::InvestigationClosed, FUNCTION_NAME, json!({"outcome": outcome, "approval": approval_outcome.as_ref().and_then(|value| value.get("Error"))}))
        .await?;
    platform.investigations.close(&investigation.tenant_id, &investigation.investigation_id, outcome).await?;
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, outcome, "revoked sessions and closed investigation");
    Ok(json!({"revoked": true, "outcome": outcome}))
}

/// Adds `entry` to the stored list with a version condition, retrying on conflict.
async fn add_to_list(platform: &Platform, tenant: &TenantConfig, entry: RevocationEntry) -> Result<(RevocationList, usize), Failure> {
    for _ in 0..MAX_LIST_ATTEMPTS {
        let stored = platform.investigations.revocations(&tenant.tenant_id).await?;
        let (pruned_list, pruned) = stored.pruned(Utc::now());
        let next = pruned_list.with_entry(entry.clone());
        let next = RevocationList { version: stored.version + 1, ..next };
        next.to_policy_json().map_err(|error| Failure::new("RevocationPolicyFull", error.to_string()))?;
        if platform.investigations.replace_revocations(&tenant.tenant_id, stored.version, &next).await? {
            return Ok((next, pruned));
        }
        warn!(tenant_id = %tenant.tenant_id, "revocation list changed under us; retrying");
    }
    Err(Failure::new(causeflow_lambda::TRANSIENT_ERROR, "revocation list stayed contended; retry the revoke step"))
}

/// Writes the policy for `list`, then re-reads the stored version: if another revocation
/// stored a newer list meanwhile, its policy write may have landed before ours, so the newest
/// list is written again. The last writer therefore always leaves the newest list in force.
async fn write_policy(platform: &Platform, tenant: &TenantConfig, mut list: RevocationList) -> Result<(), Failure> {
    let iam = revoker_iam(platform, tenant).await?;
    for _ in 0..MAX_LIST_ATTEMPTS {
        let document = list.to_policy_json().map_err(|error| Failure::new("RevocationPolicyFull", error.to_string()))?;
        iam.set_policy_document(&tenant.revocation_policy_arn, &document).await?;
        let latest = platform.investigations.revocations(&tenant.tenant_id).await?;
        if latest.version == list.version {
            return Ok(());
        }
        list = latest;
    }
    Err(Failure::new(causeflow_lambda::TRANSIENT_ERROR, "revocation policy stayed contended; retry the revoke step"))
}

/// Builds an IAM client on a short session in the customer account that may only replace the
/// revocation policy's versions.
async fn revoker_iam(platform: &Platform, tenant: &TenantConfig) -> Result<Iam, Failure> {
    let policy = revoker_session_policy(&tenant.revocation_policy_arn).map_err(|error| Failure::new("SessionPolicyInvalid", error.to_string()))?;
    let request = AssumeRoleRequest {
        role_arn: tenant.revoker_role_arn.clone(),
        external_id: tenant.external_id.clone(),
        session_name: format!("cf-revoke-{}", tenant.tenant_id),
        source_identity: source_identity(&tenant.tenant_id),
        duration_seconds: SESSION_DURATION_SECONDS,
        session_policy_json: policy,
        tags: vec![("tenant_id".into(), tenant.tenant_id.to_string()), ("agent".into(), "revoker".into())],
    };
    let session = platform.sts.assume_role(&request).await?;
    let config = config_for_agent(&platform.sdk, &session, &tenant.region);
    Ok(Iam::new(&config))
}
