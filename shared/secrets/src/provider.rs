//! The data-key provider: the store's view of KMS.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::context::EncryptionContext;
use crate::secret::DataKey;
use crate::tenant::TenantId;

/// Errors from a data-key provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataKeyError {
    /// KMS refused to decrypt the data key: it was changed, it belongs to another key, or the
    /// encryption context differs from the one it was generated under.
    #[error("KMS rejected the encrypted data key for key {key_id}: the envelope was modified or belongs to another tenant, purpose or name")]
    Rejected {
        /// The KMS key id stored in the envelope.
        key_id: String,
    },
    /// The tenant's KMS key is disabled, scheduled for deletion or deleted, which is what
    /// erasing the tenant does.
    #[error("KMS key {key_id} of tenant {tenant} is unusable ({reason}): the tenant was erased or its key disabled")]
    KeyUnavailable {
        /// The tenant whose key it is.
        tenant: TenantId,
        /// The KMS key id or alias.
        key_id: String,
        /// The state or error KMS reported.
        reason: String,
    },
    /// KMS returned a data key of the wrong length.
    #[error("KMS returned a {0}-byte data key where 32 bytes were requested")]
    WrongKeyLength(usize),
    /// The call to KMS failed for another reason (network, throttling, permissions).
    #[error("KMS call {operation} failed: {message}")]
    Service {
        /// The KMS operation.
        operation: &'static str,
        /// The error as the SDK reported it.
        message: String,
    },
}

/// A fresh data key together with its KMS-encrypted form.
#[derive(Debug)]
pub struct GeneratedDataKey {
    /// The plaintext key, for sealing exactly one secret.
    pub data_key: DataKey,
    /// The key as encrypted by KMS, stored in the envelope.
    pub encrypted_data_key: Vec<u8>,
    /// The KMS key id (ARN) that encrypted it.
    pub key_id: String,
}

/// The outcome of destroying a tenant's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDestruction {
    /// The KMS key id that was destroyed, or `None` when the tenant never had one.
    pub key_id: Option<String>,
    /// When KMS deletes the key material for good, if the provider schedules deletion.
    pub deletion_date: Option<DateTime<Utc>>,
}

/// Generates and decrypts data keys under a per-tenant key, and destroys that key.
#[async_trait]
pub trait DataKeyProvider: Send + Sync {
    /// Generates a fresh AES-256 data key under `context`'s tenant key, passing `context` as
    /// the KMS encryption context.
    async fn generate_data_key(&self, context: &EncryptionContext) -> Result<GeneratedDataKey, DataKeyError>;

    /// Decrypts a data key that [`DataKeyProvider::generate_data_key`] returned, under the
    /// same encryption context.
    async fn decrypt_data_key(
        &self,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
    ) -> Result<DataKey, DataKeyError>;

    /// Makes every data key of `tenant` undecryptable from now on. Idempotent.
    async fn destroy_tenant_key(&self, tenant: &TenantId) -> Result<KeyDestruction, DataKeyError>;
}
