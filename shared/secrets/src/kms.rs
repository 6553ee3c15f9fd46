//! The KMS adapter: one customer managed key per tenant, found by alias, generating and
//! decrypting data keys under the secret's encryption context.
//!
//! Erasing a tenant schedules its key for deletion. KMS refuses every use of a key pending
//! deletion at once and deletes the key material when the waiting period ends, so every
//! envelope of the tenant, in the table or in any backup of it, stops opening.

use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, KeyState, Tag};
use aws_sdk_kms::Client;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::{info, warn};
use zeroize::Zeroize;

use crate::context::{EncryptionContext, CONTEXT_TENANT_ID};
use crate::provider::{DataKeyError, DataKeyProvider, GeneratedDataKey, KeyDestruction};
use crate::secret::DataKey;
use crate::tenant::TenantId;

/// Alias prefix of the tenant keys, followed by the tenant id.
pub const DEFAULT_ALIAS_PREFIX: &str = "alias/causeflow/tenant/";

/// Days between erasing a tenant and KMS deleting its key material. KMS accepts 7 to 30,
/// and the key is unusable from the moment deletion is scheduled.
pub const DEFAULT_PENDING_WINDOW_DAYS: i32 = 7;

/// Generates and decrypts data keys with AWS KMS, one key per tenant.
#[derive(Debug, Clone)]
pub struct KmsDataKeyProvider {
    client: Client,
    alias_prefix: String,
    pending_window_days: i32,
}

impl KmsDataKeyProvider {
    /// Builds a provider using [`DEFAULT_ALIAS_PREFIX`] and [`DEFAULT_PENDING_WINDOW_DAYS`].
    pub fn new(client: Client) -> Self {
        Self {
            client,
            alias_prefix: DEFAULT_ALIAS_PREFIX.to_owned(),
            pending_window_days: DEFAULT_PENDING_WINDOW_DAYS,
        }
    }

    /// Builds a provider with a client from `config`, whose endpoint, region and credentials
    /// usually come from the environment.
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self::new(Client::new(config))
    }

    /// Uses another alias prefix, for example one per deployment stage. It must start with
    /// `alias/` and end with `/`.
    pub fn with_alias_prefix(mut self, alias_prefix: impl Into<String>) -> Self {
        self.alias_prefix = alias_prefix.into();
        self
    }

    /// Sets the deletion waiting period in days, clamped to the 7 to 30 that KMS accepts.
    pub fn with_pending_window_days(mut self, days: i32) -> Self {
        self.pending_window_days = days.clamp(7, 30);
        self
    }

    /// Returns the alias of `tenant`'s key.
    pub fn alias_name(&self, tenant: &TenantId) -> String {
        format!("{}{}", self.alias_prefix, tenant.as_str())
    }

    /// Creates `tenant`'s key and alias and returns the ARN of the key the alias names. When
    /// another writer created the alias first, the key made here is scheduled for deletion
    /// and theirs is returned.
    async fn create_tenant_key(&self, tenant: &TenantId) -> Result<String, DataKeyError> {
        let tag = Tag::builder()
            .tag_key(CONTEXT_TENANT_ID)
            .tag_value(tenant.as_str())
            .build()
            .map_err(|error| service_error("CreateKey", error))?;
        let created = self
            .client
            .create_key()
            .description(format!("CauseFlow integration secrets of tenant {tenant}"))
            .tags(tag)
            .send()
            .await
            .map_err(|error| service_error("CreateKey", DisplayErrorContext(error)))?;
        let metadata = created.key_metadata().ok_or_else(|| service_error("CreateKey", "response has no KeyMetadata"))?;
        let key_id = metadata.key_id().to_owned();
        let key_arn = metadata.arn().unwrap_or(metadata.key_id()).to_owned();

        let alias = self.alias_name(tenant);
        match self.client.create_alias().alias_name(&alias).target_key_id(&key_id).send().await {
            Ok(_) => {
                info!(tenant_id = %tenant, key_id = key_arn, alias, "tenant KMS key created");
                Ok(key_arn)
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_already_exists_exception()) => {
                warn!(tenant_id = %tenant, key_id = key_arn, alias, "tenant key alias created concurrently, deleting the spare key");
                self.client
                    .schedule_key_deletion()
                    .key_id(&key_id)
                    .pending_window_in_days(self.pending_window_days)
                    .send()
                    .await
                    .map_err(|error| service_error("ScheduleKeyDeletion", DisplayErrorContext(error)))?;
                let described = self
                    .client
                    .describe_key()
                    .key_id(&alias)
                    .send()
                    .await
                    .map_err(|error| service_error("DescribeKey", DisplayErrorContext(error)))?;
                let winner = described.key_metadata().ok_or_else(|| service_error("DescribeKey", "response has no KeyMetadata"))?;
                Ok(winner.arn().unwrap_or(winner.key_id()).to_owned())
            }
            Err(error) => Err(service_error("CreateAlias", DisplayErrorContext(error))),
        }
    }

    async fn send_generate_data_key(
        &self,
        key_id: &str,
        context: &EncryptionContext,
    ) -> Result<aws_sdk_kms::operation::generate_data_key::GenerateDataKeyOutput, aws_sdk_kms::error::SdkError<aws_sdk_kms::operation::generate_data_key::GenerateDataKeyError>> {
        self.client
            .generate_data_key()
            .key_id(key_id)
            .key_spec(DataKeySpec::Aes256)
            .set_encryption_context(Some(context.to_pairs().into_iter().collect()))
            .send()
            .await
    }
}

fn service_error(operation: &'static str, message: impl std::fmt::Display) -> DataKeyError {
    DataKeyError::Service { operation, message: message.to_string() }
}

fn key_unavailable(tenant: &TenantId, key_id: &str, code: Option<&str>) -> DataKeyError {
    DataKeyError::KeyUnavailable {
        tenant: tenant.clone(),
        key_id: key_id.to_owned(),
        reason: code.unwrap_or("unknown").to_owned(),
    }
}

fn data_key_from_blob(blob: Option<Blob>) -> Result<DataKey, DataKeyError> {
    let mut bytes = blob.map(Blob::into_inner).unwrap_or_default();
    let data_key = DataKey::from_slice(&bytes).ok_or(DataKeyError::WrongKeyLength(bytes.len()));
    bytes.zeroize();
    data_key
}

#[async_trait]
impl DataKeyProvider for KmsDataKeyProvider {
    async fn generate_data_key(&self, context: &EncryptionContext) -> Result<GeneratedDataKey, DataKeyError> {
        let tenant = context.tenant();
        let alias = self.alias_name(tenant);

        let mut result = self.send_generate_data_key(&alias, context).await;
        let alias_missing = matches!(&result, Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found_exception()));
        if alias_missing {
            // A new KMS alias may not resolve at once (KMS is eventually consistent), so the
            // retry names the key itself.
            let key_arn = self.create_tenant_key(tenant).await?;
            result = self.send_generate_data_key(&key_arn, context).await;
        }

        let output = result.map_err(|error| {
            let unusable = error
                .as_service_error()
                .is_some_and(|e| e.is_disabled_exception() || e.is_kms_invalid_state_exception());
            if unusable {
                key_unavailable(tenant, &alias, error.code())
            } else {
                service_error("GenerateDataKey", DisplayErrorContext(error))
            }
        })?;

        let key_id = output.key_id().map(str::to_owned).ok_or_else(|| service_error("GenerateDataKey", "response has no KeyId"))?;
        let encrypted_data_key = output
            .ciphertext_blob()
            .map(|blob| blob.as_ref().to_vec())
            .ok_or_else(|| service_error("GenerateDataKey", "response has no CiphertextBlob"))?;
        let data_key = data_key_from_blob(output.plaintext)?;
        Ok(GeneratedDataKey { data_key, encrypted_data_key, key_id })
    }

    async fn decrypt_data_key(
        &self,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
    ) -> Result<DataKey, DataKeyError> {
        // Naming the key makes KMS refuse a blob that another key encrypted, so a changed key
        // id in the envelope cannot redirect the call to another tenant's key.
        let result = self
            .client
            .decrypt()
            .key_id(key_id)
            .ciphertext_blob(Blob::new(encrypted_data_key))
            .set_encryption_context(Some(context.to_pairs().into_iter().collect()))
            .send()
            .await;

        let output = result.map_err(|error| match error.as_service_error() {
            Some(e) if e.is_invalid_ciphertext_exception() || e.is_incorrect_key_exception() => {
                DataKeyError::Rejected { key_id: key_id.to_owned() }
            }
            Some(e) if e.is_disabled_exception() || e.is_kms_invalid_state_exception() || e.is_not_found_exception() => {
                key_unavailable(context.tenant(), key_id, error.code())
            }
            _ => service_error("Decrypt", DisplayErrorContext(error)),
        })?;
        data_key_from_blob(output.plaintext)
    }

    async fn destroy_tenant_key(&self, tenant: &TenantId) -> Result<KeyDestruction, DataKeyError> {
        let alias = self.alias_name(tenant);
        let described = match self.client.describe_key().key_id(&alias).send().await {
            Ok(output) => output,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found_exception()) => {
                info!(tenant_id = %tenant, alias, "tenant has no KMS key to destroy");
                return Ok(KeyDestruction { key_id: None, deletion_date: None });
            }
            Err(error) => return Err(service_error("DescribeKey", DisplayErrorContext(error))),
        };
        let metadata = described.key_metadata().ok_or_else(|| service_error("DescribeKey", "response has no KeyMetadata"))?;
        let key_id = metadata.arn().unwrap_or(metadata.key_id()).to_owned();
        // KMS accepts either form here, but moto 5.2.1 returns HTTP 500 for an ARN.
        let raw_key_id = metadata.key_id().to_owned();

        if metadata.key_state() == Some(&KeyState::PendingDeletion) {
            return Ok(KeyDestruction { key_id: Some(key_id), deletion_date: metadata.deletion_date().and_then(to_chrono) });
        }

        let scheduled = self
            .client
            .schedule_key_deletion()
            .key_id(&raw_key_id)
            .pending_window_in_days(self.pending_window_days)
            .send()
            .await
            .map_err(|error| service_error("ScheduleKeyDeletion", DisplayErrorContext(error)))?;
        let deletion_date = scheduled.deletion_date().and_then(to_chrono);
        info!(tenant_id = %tenant, key_id, deletion_date = ?deletion_date, "tenant KMS key scheduled for deletion");
        Ok(KeyDestruction { key_id: Some(key_id), deletion_date })
    }
}

fn to_chrono(date: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(date.secs(), date.subsec_nanos())
}
