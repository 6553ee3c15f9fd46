//! SDK configuration, and the names of CauseFlow's own resources, read from the environment
//! the way a Lambda function receives them.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::credentials::AgentCredentials;

/// Loads the standard SDK configuration chain (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// Builds a configuration that signs with an agent's own session credentials only, in the customer's
/// region. Endpoint settings are kept, so local runs still reach moto.
pub fn config_for_agent(base: &SdkConfig, credentials: &AgentCredentials, region: &str) -> SdkConfig {
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials.to_sdk_credentials()))
        .region(aws_config::Region::new(region.to_string()))
        .build()
}

#[derive(Debug, thiserror::Error)]
#[error("environment variable `{0}` is not set; it names a CauseFlow resource (see template.yaml)")]
pub struct MissingSetting(pub &'static str);

/// Names of CauseFlow's own tables and keys, passed to every function by the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub tenants_table: String,
    pub investigations_table: String,
    pub audit_table: String,
    pub sealing_key_id: String,
    /// The table of integration secrets (Slack bot tokens and signing secrets).
    pub secrets_table: String,
    /// Base URL of Slack's Web API, `https://slack.com/api` in production. It has no default,
    /// so a test or local run that leaves it unset fails instead of reaching Slack.
    pub slack_api_url: String,
}

impl Resources {
    pub const TENANTS_TABLE: &'static str = "CAUSEFLOW_TENANTS_TABLE";
    pub const INVESTIGATIONS_TABLE: &'static str = "CAUSEFLOW_INVESTIGATIONS_TABLE";
    pub const AUDIT_TABLE: &'static str = "CAUSEFLOW_AUDIT_TABLE";
    pub const SEALING_KEY_ID: &'static str = "CAUSEFLOW_SEALING_KEY_ID";
    pub const SECRETS_TABLE: &'static str = "CAUSEFLOW_SECRETS_TABLE";
    pub const SLACK_API_URL: &'static str = "CAUSEFLOW_SLACK_API_URL";

    pub fn from_env() -> Result<Resources, MissingSetting> {
        let read = |name: &'static str| std::env::var(name).map_err(|_| MissingSetting(name));
        Ok(Resources {
            tenants_table: read(Self::TENANTS_TABLE)?,
            investigations_table: read(Self::INVESTIGATIONS_TABLE)?,
            audit_table: read(Self::AUDIT_TABLE)?,
            sealing_key_id: read(Self::SEALING_KEY_ID)?,
            secrets_table: read(Self::SECRETS_TABLE)?,
            slack_api_url: read(Self::SLACK_API_URL)?,
        })
    }
}
