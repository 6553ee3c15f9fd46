//! Sealing and unsealing agent credentials: the KMS encryption context that binds a sealed
//! blob to one tenant, investigation and agent.

use std::collections::BTreeMap;

use causeflow_aws::credentials::AgentCredentials;
use causeflow_aws::kms::SealError;
use causeflow_domain::credentials::SealedCredentials;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::AgentKind;
use tracing::warn;

use crate::{Failure, Platform};

/// Builds the encryption context of one agent's sealed credentials.
pub fn sealing_context(investigation: &Investigation, agent: AgentKind) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("tenant_id".to_string(), investigation.tenant_id.to_string()),
        ("investigation_id".to_string(), investigation.investigation_id.to_string()),
        ("agent".to_string(), agent.to_string()),
    ])
}

/// Opens sealed credentials for `agent`, in memory only. The context is built from the
/// caller's own identity, not from the blob's labels, so a blob sealed for another agent,
/// investigation or tenant is refused by KMS even if its labels were edited.
pub async fn unseal_for(
    platform: &Platform,
    investigation: &Investigation,
    agent: AgentKind,
    sealed: &SealedCredentials,
) -> Result<AgentCredentials, Failure> {
    if sealed.agent != agent || sealed.investigation_id != investigation.investigation_id || sealed.tenant_id != investigation.tenant_id {
        warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, agent = agent.as_str(), "rejected credentials sealed for another agent or investigation");
        return Err(Failure::new(
            "CredentialsRejected",
            format!(
                "credentials were sealed for agent {} of investigation {}, not for {agent} of {}",
                sealed.agent, sealed.investigation_id, investigation.investigation_id
            ),
        ));
    }
    if sealed.expires_at <= chrono::Utc::now() {
        return Err(Failure::new("CredentialsExpired", format!("credentials of session {} expired at {}", sealed.session_name, sealed.expires_at)));
    }

    let context = sealing_context(investigation, agent);
    let plaintext = platform.kms.unseal(&context, &sealed.sealed_blob).await.map_err(|error| match error {
        SealError::Aws(aws) => Failure::from(aws),
        other => {
            warn!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, agent = agent.as_str(), "rejected sealed credentials: KMS did not decrypt them under this context");
            Failure::new("CredentialsRejected", other.to_string())
        }
    })?;
    serde_json::from_slice(&plaintext).map_err(|_| Failure::new("CredentialsRejected", "sealed credentials do not decode"))
}

/// Input of every read-only agent: the investigation and the agent's sealed credentials.
#[derive(Debug, serde::Deserialize)]
struct AgentInput {
    investigation: Investigation,
    credentials: SealedCredentials,
}

/// Decodes an agent's input and opens its session in memory. Returns the investigation and an
/// SDK configuration that signs with the agent's own session credentials only, in the
/// customer's region.
pub async fn start_agent(
    platform: &Platform,
    input: serde_json::Value,
    agent: AgentKind,
    function: &str,
) -> Result<(Investigation, aws_config::SdkConfig), Failure> {
    let AgentInput { investigation, credentials } = crate::decode_input(input, function)?;
    let session = unseal_for(platform, &investigation, agent, &credentials).await?;
    let config = causeflow_aws::config::config_for_agent(&platform.sdk, &session, &investigation.region);
    Ok((investigation, config))
}
