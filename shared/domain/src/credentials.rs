//! Sealed credentials, as the broker hands them to an agent, and the scope they carry. Nothing in
//! here is a usable secret, so it may pass through Step Functions and the execution history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{AgentKind, InvestigationId, TenantId};

/// STS session lifetime for every agent: the 15 minutes the security model promises.
pub const SESSION_DURATION_SECONDS: i32 = 900;

/// STS limits `RoleSessionName` to 64 characters of `[\w+=,.@-]`.
pub const MAX_SESSION_NAME_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedCredentials {
    pub tenant_id: TenantId,
    pub investigation_id: InvestigationId,
    pub agent: AgentKind,
    pub session_name: String,
    pub expires_at: DateTime<Utc>,
    pub allowed_actions: Vec<String>,
    /// KMS ciphertext (base64) of the credentials, under the encryption context
    /// `{tenant_id, investigation_id, agent}`.
    pub sealed_blob: String,
}

/// Session name such as `cf-inv-0123abcd...-logs`: the investigation id and the agent, so
/// CloudTrail entries in the customer's account name both.
pub fn session_name(investigation_id: &InvestigationId, agent: AgentKind) -> String {
    let name = format!("cf-{}-{}", investigation_id.as_str(), agent.short_name());
    debug_assert!(name.len() <= MAX_SESSION_NAME_LEN);
    name
}

/// Builds the SourceIdentity set on each session. It persists through role chaining, so the
/// customer can attribute any later action to CauseFlow and this tenant.
pub fn source_identity(tenant_id: &TenantId) -> String {
    format!("causeflow-{}", tenant_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_fit_sts_limit() {
        let tenant = TenantId::parse(&"a".repeat(crate::ids::MAX_TENANT_ID_LEN)).unwrap();
        let investigation = InvestigationId::for_event(&tenant, "evt");
        for agent in AgentKind::ALL {
            let name = session_name(&investigation, agent);
            assert!(name.len() <= MAX_SESSION_NAME_LEN, "{name}");
            assert!(name.contains(investigation.as_str()));
        }
        assert!(source_identity(&tenant).len() <= MAX_SESSION_NAME_LEN);
    }
}
