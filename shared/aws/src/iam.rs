//! IAM: writes the customer-managed revocation policy attached to every agent role.

use std::time::Duration;

use tracing::{info, warn};

use crate::error::{classify, error_code};
use crate::AwsError;

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;
/// Attempts at writing a version while other writers take the free slots.
const MAX_VERSION_ATTEMPTS: u32 = 12;
/// Upper bound of the random pause between attempts, doubled per attempt up to 1.6 seconds.
const BASE_RETRY_PAUSE_MILLIS: u64 = 50;

/// Picks a random pause below `BASE_RETRY_PAUSE_MILLIS * 2^attempt` (capped), so that writers
/// that collided spread out.
fn retry_pause(attempt: u32) -> Duration {
    let ceiling = BASE_RETRY_PAUSE_MILLIS << attempt.min(5);
    let random = (uuid::Uuid::new_v4().as_u128() % u128::from(ceiling)) as u64;
    Duration::from_millis(random + 1)
}

#[derive(Clone)]
pub struct Iam {
    client: aws_sdk_iam::Client,
}

impl Iam {
    pub fn new(config: &aws_config::SdkConfig) -> Iam {
        Iam { client: aws_sdk_iam::Client::new(config) }
    }

    /// Makes `document` the default version of `policy_arn`, deleting the oldest non-default
    /// version first when all five slots are taken.
    ///
    /// Concurrent writers race for the free slot. The loser gets `LimitExceeded`, or finds the
    /// version it meant to delete gone. It then lists the versions again and retries after a
    /// short random pause, so writers that collided do not collide again in step.
    #[tracing::instrument(skip_all, fields(policy_arn = %policy_arn))]
    pub async fn set_policy_document(&self, policy_arn: &str, document: &str) -> Result<(), AwsError> {
        for attempt in 0..MAX_VERSION_ATTEMPTS {
            self.free_version_slot(policy_arn).await?;
            let created = self
                .client
                .create_policy_version()
                .policy_arn(policy_arn)
                .policy_document(document)
                .set_as_default(true)
                .send()
                .await;
            match created {
                Ok(_) => {
                    info!(attempt, "wrote revocation policy version");
                    return Ok(());
                }
                Err(error) if error_code(&error) == Some("LimitExceeded") => {
                    warn!(attempt, "another writer took the free policy version slot; retrying");
                    tokio::time::sleep(retry_pause(attempt)).await;
                }
                Err(error) => return Err(classify("iam", "CreatePolicyVersion", error)),
            }
        }
        Err(AwsError::Transient {
            service: "iam",
            operation: "CreatePolicyVersion",
            message: format!("policy {policy_arn} stayed at its version limit for {MAX_VERSION_ATTEMPTS} attempts"),
        })
    }

    /// Deletes the oldest non-default version when the policy has no free version slot.
    async fn free_version_slot(&self, policy_arn: &str) -> Result<(), AwsError> {
        let versions = self
            .client
            .list_policy_versions()
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|error| classify("iam", "ListPolicyVersions", error))?;
        if versions.versions().len() < MAX_POLICY_VERSIONS {
            return Ok(());
        }
        let mut old: Vec<_> = versions.versions().iter().filter(|version| !version.is_default_version()).collect();
        old.sort_by_key(|version| version.create_date().map(|date| date.secs()).unwrap_or(0));
        let Some(oldest) = old.first().and_then(|version| version.version_id()) else { return Ok(()) };
        match self.client.delete_policy_version().policy_arn(policy_arn).version_id(oldest).send().await {
            Ok(_) => Ok(()),
            // Another writer deleted it first, or made it the default meanwhile.
            Err(error) if matches!(error_code(&error), Some("NoSuchEntity") | Some("DeleteConflict")) => Ok(()),
            Err(error) => Err(classify("iam", "DeletePolicyVersion", error)),
        }
    }

    /// The document of the policy's default version, URL-decoded.
    pub async fn default_policy_document(&self, policy_arn: &str) -> Result<String, AwsError> {
        let policy = self
            .client
            .get_policy()
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|error| classify("iam", "GetPolicy", error))?;
        let version_id = policy
            .policy()
            .and_then(|policy| policy.default_version_id())
            .ok_or(AwsError::MissingField { service: "iam", operation: "GetPolicy", field: "DefaultVersionId" })?;
        let version = self
            .client
            .get_policy_version()
            .policy_arn(policy_arn)
            .version_id(version_id)
            .send()
            .await
            .map_err(|error| classify("iam", "GetPolicyVersion", error))?;
        let document = version
            .policy_version()
            .and_then(|version| version.document())
            .ok_or(AwsError::MissingField { service: "iam", operation: "GetPolicyVersion", field: "Document" })?;
        Ok(percent_decode(document))
    }
}

/// IAM returns policy documents URL-encoded (RFC 3986).
fn percent_decode(encoded: &str) -> String {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&encoded[index + 1..index + 3], 16) {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
