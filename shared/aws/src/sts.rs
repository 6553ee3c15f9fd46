//! STS: assumes an agent's role in the customer account with a session policy and tags.

use chrono::{DateTime, Utc};
use tracing::info;

use crate::credentials::AgentCredentials;
use crate::error::classify;
use crate::AwsError;

/// One AssumeRole request, built by the broker from the domain's policy and ids.
#[derive(Debug, Clone)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub external_id: String,
    pub session_name: String,
    pub source_identity: String,
    pub duration_seconds: i32,
    pub session_policy_json: String,
    /// Session tags, such as `tenant_id`, `investigation_id` and `agent`.
    pub tags: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct Sts {
    client: aws_sdk_sts::Client,
}

impl Sts {
    pub fn new(config: &aws_config::SdkConfig) -> Sts {
        Sts { client: aws_sdk_sts::Client::new(config) }
    }

    #[tracing::instrument(skip_all, fields(role_arn = %request.role_arn, session_name = %request.session_name))]
    pub async fn assume_role(&self, request: &AssumeRoleRequest) -> Result<AgentCredentials, AwsError> {
        let mut call = self
            .client
            .assume_role()
            .role_arn(&request.role_arn)
            .role_session_name(&request.session_name)
            .external_id(&request.external_id)
            .source_identity(&request.source_identity)
            .duration_seconds(request.duration_seconds)
            .policy(&request.session_policy_json);
        for (key, value) in &request.tags {
            let tag = aws_sdk_sts::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|error| AwsError::Permanent {
                    service: "sts",
                    operation: "AssumeRole",
                    message: format!("invalid session tag `{key}`: {error}"),
                })?;
            call = call.tags(tag);
        }

        let output = call.send().await.map_err(|error| classify("sts", "AssumeRole", error))?;
        let credentials = output.credentials().ok_or(AwsError::MissingField {
            service: "sts",
            operation: "AssumeRole",
            field: "Credentials",
        })?;
        let expires_at = DateTime::<Utc>::from_timestamp(credentials.expiration().secs(), 0)
            .ok_or(AwsError::MissingField { service: "sts", operation: "AssumeRole", field: "Expiration" })?;
        info!(expires_at = %expires_at, "assumed agent role");
        Ok(AgentCredentials {
            access_key_id: credentials.access_key_id().to_string(),
            secret_access_key: credentials.secret_access_key().to_string(),
            session_token: credentials.session_token().to_string(),
            expires_at,
        })
    }
}
