//! KMS: seals agent credentials under an encryption context, so that a blob handed to the wrong
//! tenant, investigation or agent cannot be opened.

use std::collections::BTreeMap;

use aws_smithy_types::Blob;
use base64::Engine;
use tracing::{info, warn};
use zeroize::Zeroizing;

use crate::error::{classify, error_code};
use crate::AwsError;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealed blob is not valid base64")]
    NotBase64,
    #[error("sealed blob does not open under this encryption context (tenant, investigation or agent differ): {0}")]
    ContextMismatch(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

#[derive(Clone)]
pub struct Kms {
    client: aws_sdk_kms::Client,
}

impl Kms {
    pub fn new(config: &aws_config::SdkConfig) -> Kms {
        Kms { client: aws_sdk_kms::Client::new(config) }
    }

    /// Encrypts `plaintext` under `key_id` and `context`, and returns the ciphertext in base64.
    #[tracing::instrument(skip_all)]
    pub async fn seal(
        &self,
        key_id: &str,
        context: &BTreeMap<String, String>,
        plaintext: &[u8],
    ) -> Result<String, AwsError> {
        let mut call = self.client.encrypt().key_id(key_id).plaintext(Blob::new(plaintext));
        for (key, value) in context {
            call = call.encryption_context(key, value);
        }
        let output = call.send().await.map_err(|error| classify("kms", "Encrypt", error))?;
        let blob = output.ciphertext_blob().ok_or(AwsError::MissingField {
            service: "kms",
            operation: "Encrypt",
            field: "CiphertextBlob",
        })?;
        info!("sealed with KMS");
        Ok(base64::engine::general_purpose::STANDARD.encode(blob.as_ref()))
    }

    /// Decrypts a sealed blob; fails unless `context` is the one it was sealed under.
    #[tracing::instrument(skip_all)]
    pub async fn unseal(
        &self,
        context: &BTreeMap<String, String>,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| SealError::NotBase64)?;
        let mut call = self.client.decrypt().ciphertext_blob(Blob::new(ciphertext));
        for (key, value) in context {
            call = call.encryption_context(key, value);
        }
        match call.send().await {
            Ok(output) => {
                let plaintext = output.plaintext().ok_or(AwsError::MissingField {
                    service: "kms",
                    operation: "Decrypt",
                    field: "Plaintext",
                })?;
                Ok(Zeroizing::new(plaintext.as_ref().to_vec()))
            }
            Err(error) if error_code(&error) == Some("InvalidCiphertextException") => {
                warn!("rejected sealed blob: it does not decrypt under this encryption context");
                Err(SealError::ContextMismatch("KMS returned InvalidCiphertextException".into()))
            }
            Err(error) => Err(classify("kms", "Decrypt", error).into()),
        }
    }
}
