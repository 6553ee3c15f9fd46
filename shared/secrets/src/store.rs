//! The secret store: put, get, rotate, replace, delete and erase over a data-key provider and
//! an envelope table.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tracing::{info, warn};

use crate::cache::{CachePolicy, DataKeyCache};
use crate::clock::Clock;
use crate::context::EncryptionContext;
use crate::envelope::{Envelope, EnvelopeError, FORMAT_VERSION_1};
use crate::provider::{DataKeyError, DataKeyProvider};
use crate::secret::{DataKey, SecretValue};
use crate::slot::SecretSlot;
use crate::table::{EnvelopeRecord, EnvelopeTable, TableError, WriteCondition};
use crate::tenant::TenantId;

/// Errors from the secret store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No secret is stored at the slot.
    #[error("secret {slot} of tenant {tenant} not found: put it first")]
    NotFound {
        /// The tenant asked for.
        tenant: TenantId,
        /// The slot asked for.
        slot: SecretSlot,
    },
    /// `put` found a secret already stored at the slot.
    #[error("secret {slot} of tenant {tenant} already exists: use replace to change its value")]
    AlreadyExists {
        /// The tenant written to.
        tenant: TenantId,
        /// The slot written to.
        slot: SecretSlot,
    },
    /// The secret changed between the read and the write of a replace or rotate.
    #[error("secret {slot} of tenant {tenant} was changed concurrently: read it again and retry")]
    ConcurrentChange {
        /// The tenant written to.
        tenant: TenantId,
        /// The slot written to.
        slot: SecretSlot,
    },
    /// The secret to store is empty.
    #[error("secret value for {slot} of tenant {tenant} is empty: pass the secret's bytes")]
    EmptySecret {
        /// The tenant written to.
        tenant: TenantId,
        /// The slot written to.
        slot: SecretSlot,
    },
    /// The stored envelope does not parse or does not open.
    #[error("envelope of secret {slot} of tenant {tenant} cannot be opened: {source}")]
    Envelope {
        /// The tenant read from.
        tenant: TenantId,
        /// The slot read from.
        slot: SecretSlot,
        /// The reason the envelope was rejected.
        #[source]
        source: EnvelopeError,
    },
    /// KMS failed or refused.
    #[error(transparent)]
    DataKey(#[from] DataKeyError),
    /// The table failed.
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Metadata of a stored secret, readable without decrypting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMetadata {
    /// The owning tenant.
    pub tenant: TenantId,
    /// Purpose and name.
    pub slot: SecretSlot,
    /// The KMS key that encrypted the data key.
    pub key_id: String,
    /// The envelope format version.
    pub format_version: u8,
    /// When the secret was first put.
    pub created_at: DateTime<Utc>,
    /// When the value was last put or replaced.
    pub updated_at: DateTime<Utc>,
    /// When the data key last changed.
    pub rotated_at: DateTime<Utc>,
    /// When the secret stops being valid, if known.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<&EnvelopeRecord> for SecretMetadata {
    fn from(record: &EnvelopeRecord) -> Self {
        Self {
            tenant: record.tenant.clone(),
            slot: record.slot.clone(),
            key_id: record.key_id.clone(),
            format_version: record.format_version,
            created_at: record.created_at,
            updated_at: record.updated_at,
            rotated_at: record.rotated_at,
            expires_at: record.expires_at,
        }
    }
}

/// A decrypted secret and its metadata. `Debug` prints the metadata and `<redacted>`.
#[derive(Debug)]
pub struct StoredSecret {
    /// The secret's metadata.
    pub metadata: SecretMetadata,
    /// The plaintext value.
    pub value: SecretValue,
}

/// The outcome of erasing a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureReport {
    /// The tenant's KMS key that was destroyed, or `None` when it never had one.
    pub key_id: Option<String>,
    /// When KMS deletes the key material for good, if deletion was scheduled.
    pub deletion_date: Option<DateTime<Utc>>,
    /// Number of envelopes deleted from the live table.
    pub envelopes_deleted: usize,
    /// Number of cached data keys dropped from this process.
    pub cached_keys_dropped: usize,
}

/// Stores integration secrets as AES-256-GCM envelopes under per-tenant KMS data keys.
pub struct SecretStore {
    provider: Arc<dyn DataKeyProvider>,
    table: Arc<dyn EnvelopeTable>,
    cache: DataKeyCache,
    clock: Arc<dyn Clock>,
}

impl SecretStore {
    /// Builds a store over `provider` and `table`, caching decrypted data keys under `policy`.
    pub fn new(
        provider: Arc<dyn DataKeyProvider>,
        table: Arc<dyn EnvelopeTable>,
        policy: CachePolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let cache = DataKeyCache::new(policy, clock.clone());
        Self { provider, table, cache, clock }
    }

    /// Stores a new secret. Fails with [`StoreError::AlreadyExists`] if the slot is taken.
    pub async fn put(
        &self,
        tenant: &TenantId,
        slot: &SecretSlot,
        value: &SecretValue,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<SecretMetadata, StoreError> {
        Self::check_not_empty(tenant, slot, value)?;
        let now = self.clock.now_utc();
        let context = EncryptionContext::new(tenant.clone(), slot.clone());
        let (envelope, key_id) = self.seal(&context, value).await?;
        let record = EnvelopeRecord {
            tenant: tenant.clone(),
            slot: slot.clone(),
            envelope,
            key_id,
            format_version: FORMAT_VERSION_1,
            created_at: now,
            updated_at: now,
            rotated_at: now,
            expires_at,
        };

        self.write(&record, WriteCondition::MustNotExist).await?;
        info!(tenant_id = %tenant, purpose = %slot.purpose, name = %slot.name, "secret put");
        Ok(SecretMetadata::from(&record))
    }

    /// Replaces the value of an existing secret under a fresh data key.
    pub async fn replace(
        &self,
        tenant: &TenantId,
        slot: &SecretSlot,
        value: &SecretValue,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<SecretMetadata, StoreError> {
        Self::check_not_empty(tenant, slot, value)?;
        let existing = self.read_record(tenant, slot).await?;
        let now = self.clock.now_utc();
        let context = EncryptionContext::new(tenant.clone(), slot.clone());
        let (envelope, key_id) = self.seal(&context, value).await?;
        let record = EnvelopeRecord {
            envelope,
            key_id,
            format_version: FORMAT_VERSION_1,
            updated_at: now,
            rotated_at: now,
            expires_at,
            ..existing.clone()
        };

        self.write(&record, WriteCondition::EnvelopeIs(existing.envelope)).await?;
        info!(tenant_id = %tenant, purpose = %slot.purpose, name = %slot.name, "secret replaced");
        Ok(SecretMetadata::from(&record))
    }

    /// Decrypts and returns a secret with its metadata.
    pub async fn get(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<StoredSecret, StoreError> {
        let record = self.read_record(tenant, slot).await?;
        let value = self.open_record(&record).await?;
        Ok(StoredSecret { metadata: SecretMetadata::from(&record), value })
    }

    /// Returns a secret's metadata without calling KMS.
    pub async fn metadata(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<SecretMetadata, StoreError> {
        let record = self.read_record(tenant, slot).await?;
        Ok(SecretMetadata::from(&record))
    }

    /// Lists the metadata of every secret of `tenant`, ordered by purpose and name.
    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<SecretMetadata>, StoreError> {
        let records = self.table.list(tenant).await?;
        Ok(records.iter().map(SecretMetadata::from).collect())
    }

    /// Re-encrypts a secret under a fresh data key, keeping its value and expiry.
    pub async fn rotate(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<SecretMetadata, StoreError> {
        let existing = self.read_record(tenant, slot).await?;
        let value = self.open_record(&existing).await?;
        let context = EncryptionContext::new(tenant.clone(), slot.clone());
        let (envelope, key_id) = self.seal(&context, &value).await?;
        let record = EnvelopeRecord {
            envelope,
            key_id,
            format_version: FORMAT_VERSION_1,
            rotated_at: self.clock.now_utc(),
            ..existing.clone()
        };

        self.write(&record, WriteCondition::EnvelopeIs(existing.envelope)).await?;
        info!(tenant_id = %tenant, purpose = %slot.purpose, name = %slot.name, "secret data key rotated");
        Ok(SecretMetadata::from(&record))
    }

    /// Deletes a secret. Fails with [`StoreError::NotFound`] if there is none.
    pub async fn delete(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<(), StoreError> {
        if !self.table.delete(tenant, slot).await? {
            return Err(StoreError::NotFound { tenant: tenant.clone(), slot: slot.clone() });
        }
        info!(tenant_id = %tenant, purpose = %slot.purpose, name = %slot.name, "secret deleted");
        Ok(())
    }

    /// Erases a tenant: destroys its KMS key, so every envelope of the tenant becomes
    /// unopenable wherever a copy survives (table backups included), then drops its cached
    /// data keys and deletes its envelopes from the live table.
    ///
    /// The key goes first so that a failure later on still leaves nothing readable. Running
    /// it again finishes a partial erasure.
    pub async fn erase_tenant(&self, tenant: &TenantId) -> Result<ErasureReport, StoreError> {
        let destruction = self.provider.destroy_tenant_key(tenant).await?;
        info!(tenant_id = %tenant, key_id = ?destruction.key_id, deletion_date = ?destruction.deletion_date, "tenant key destroyed");

        let cached_keys_dropped = self.cache.evict_tenant(tenant);

        let mut envelopes_deleted = 0;
        for record in self.table.list(tenant).await? {
            if self.table.delete(tenant, &record.slot).await? {
                envelopes_deleted += 1;
            }
        }
        info!(tenant_id = %tenant, envelopes_deleted, "tenant secrets erased");

        Ok(ErasureReport {
            key_id: destruction.key_id,
            deletion_date: destruction.deletion_date,
            envelopes_deleted,
            cached_keys_dropped,
        })
    }

    /// Opens envelope bytes that belong at `slot` of `tenant`, for example a copy restored
    /// from a table backup.
    pub async fn open_envelope(
        &self,
        tenant: &TenantId,
        slot: &SecretSlot,
        envelope: &[u8],
    ) -> Result<SecretValue, StoreError> {
        let context = EncryptionContext::new(tenant.clone(), slot.clone());
        let envelope_error = |source| StoreError::Envelope { tenant: tenant.clone(), slot: slot.clone(), source };

        let parsed = Envelope::parse(envelope).map_err(envelope_error)?;
        let data_key = self.data_key_for(&parsed, &context).await?;
        parsed.open(&data_key, &context).map_err(envelope_error)
    }

    /// Returns the data key cache, for inspection.
    pub fn cache(&self) -> &DataKeyCache {
        &self.cache
    }

    fn check_not_empty(tenant: &TenantId, slot: &SecretSlot, value: &SecretValue) -> Result<(), StoreError> {
        if value.is_empty() {
            warn!(tenant_id = %tenant, purpose = %slot.purpose, name = %slot.name, "empty secret rejected");
            return Err(StoreError::EmptySecret { tenant: tenant.clone(), slot: slot.clone() });
        }
        Ok(())
    }

    async fn seal(&self, context: &EncryptionContext, value: &SecretValue) -> Result<(Vec<u8>, String), StoreError> {
        let generated = self.provider.generate_data_key(context).await?;
        let envelope = Envelope::seal(&generated.data_key, &generated.key_id, &generated.encrypted_data_key, context, value)
            .map_err(|source| StoreError::Envelope {
                tenant: context.tenant().clone(),
                slot: context.slot().clone(),
                source,
            })?;

        // The writer is often the next reader, so keep the fresh key for it.
        self.cache.insert(context, &generated.key_id, &generated.encrypted_data_key, &generated.data_key);
        Ok((envelope.to_bytes(), generated.key_id))
    }

    async fn open_record(&self, record: &EnvelopeRecord) -> Result<SecretValue, StoreError> {
        self.open_envelope(&record.tenant, &record.slot, &record.envelope).await
    }

    async fn data_key_for(&self, envelope: &Envelope, context: &EncryptionContext) -> Result<DataKey, StoreError> {
        if let Some(data_key) = self.cache.get(context, envelope.key_id(), envelope.encrypted_data_key()) {
            return Ok(data_key);
        }
        let data_key = self
            .provider
            .decrypt_data_key(envelope.key_id(), envelope.encrypted_data_key(), context)
            .await?;
        self.cache.insert(context, envelope.key_id(), envelope.encrypted_data_key(), &data_key);
        Ok(data_key)
    }

    async fn read_record(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<EnvelopeRecord, StoreError> {
        self.table
            .get(tenant, slot)
            .await?
            .ok_or_else(|| StoreError::NotFound { tenant: tenant.clone(), slot: slot.clone() })
    }

    async fn write(&self, record: &EnvelopeRecord, condition: WriteCondition) -> Result<(), StoreError> {
        let tenant = record.tenant.clone();
        let slot = record.slot.clone();
        match self.table.put(record, condition.clone()).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed { .. }) => match condition {
                WriteCondition::MustNotExist => Err(StoreError::AlreadyExists { tenant, slot }),
                WriteCondition::MustExist => Err(StoreError::NotFound { tenant, slot }),
                WriteCondition::EnvelopeIs(_) => Err(StoreError::ConcurrentChange { tenant, slot }),
            },
            Err(other) => Err(other.into()),
        }
    }
}
