//! IAM: writes the customer-managed revocation policy attached to every agent role.

use tracing::info;

use crate::error::{classify, error_code};
use crate::AwsError;

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;

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
    #[tracing::instrument(skip_all, fields(policy_arn = %policy_arn))]
    pub async fn set_policy_document(&self, policy_arn: &str, document: &str) -> Result<(), AwsError> {
        let versions = self
            .client
            .list_policy_versions()
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|error| classify("iam", "ListPolicyVersions", error))?;
        let mut old: Vec<_> = versions.versions().iter().filter(|version| !version.is_default_version()).collect();
        if versions.versions().len() >= MAX_POLICY_VERSIONS {
            old.sort_by_key(|version| version.create_date().map(|date| date.secs()).unwrap_or(0));
            if let Some(oldest) = old.first().and_then(|version| version.version_id()) {
                let deleted = self.client.delete_policy_version().policy_arn(policy_arn).version_id(oldest).send().await;
                match deleted {
                    Ok(_) => {}
                    // Another revocation deleted it first.
                    Err(error) if error_code(&error) == Some("NoSuchEntity") => {}
                    Err(error) => return Err(classify("iam", "DeletePolicyVersion", error)),
                }
            }
        }

        self.client
            .create_policy_version()
            .policy_arn(policy_arn)
            .policy_document(document)
            .set_as_default(true)
            .send()
            .await
            .map_err(|error| classify("iam", "CreatePolicyVersion", error))?;
        info!("wrote revocation policy version");
        Ok(())
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
