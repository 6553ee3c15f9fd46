//! In-memory adapters for tests and local runs: a stand-in for KMS and for the table.
//!
//! The KMS stand-in keeps the KMS behaviour the store depends on. It has one key per tenant
//! and binds the encryption context to every encrypted data key. Once a tenant's key is
//! destroyed it rejects every call on it, as KMS does for a key pending deletion.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use async_trait::async_trait;

use crate::context::EncryptionContext;
use crate::envelope::NONCE_LEN;
use crate::provider::{DataKeyError, DataKeyProvider, GeneratedDataKey, KeyDestruction};
use crate::secret::{DataKey, DATA_KEY_LEN};
use crate::slot::SecretSlot;
use crate::table::{EnvelopeRecord, EnvelopeTable, TableError, WriteCondition};
use crate::tenant::TenantId;

enum TenantKey {
    Active { key_id: String, material: DataKey },
    Destroyed { key_id: String },
}

/// A KMS stand-in holding one random key per tenant in memory.
#[derive(Default)]
pub struct InMemoryDataKeyProvider {
    keys: Mutex<HashMap<TenantId, TenantKey>>,
}

impl InMemoryDataKeyProvider {
    /// Builds a provider with no tenant keys.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, TenantKey>> {
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn associated_data(key_id: &str, context: &EncryptionContext) -> Vec<u8> {
        let mut aad = key_id.as_bytes().to_vec();
        aad.extend_from_slice(&context.canonical_bytes());
        aad
    }
}

fn random_key() -> DataKey {
    let mut bytes = [0u8; DATA_KEY_LEN];
    OsRng.fill_bytes(&mut bytes);
    DataKey::from_bytes(bytes)
}

#[async_trait]
impl DataKeyProvider for InMemoryDataKeyProvider {
    async fn generate_data_key(&self, context: &EncryptionContext) -> Result<GeneratedDataKey, DataKeyError> {
        let tenant = context.tenant();
        let mut keys = self.lock();
        let tenant_key = keys.entry(tenant.clone()).or_insert_with(|| TenantKey::Active {
            key_id: format!("memory:{tenant}"),
            material: random_key(),
        });
        let (key_id, material) = match tenant_key {
            TenantKey::Active { key_id, material } => (key_id.clone(), material.clone()),
            TenantKey::Destroyed { key_id } => {
                return Err(DataKeyError::KeyUnavailable {
                    tenant: tenant.clone(),
                    key_id: key_id.clone(),
                    reason: "PendingDeletion".to_owned(),
                })
            }
        };
        drop(keys);

        let data_key = random_key();
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(material.expose()));
        let aad = Self::associated_data(&key_id, context);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: data_key.expose(), aad: &aad })
            .map_err(|_| DataKeyError::Service { operation: "GenerateDataKey", message: "AES-GCM failed".to_owned() })?;
        let mut encrypted_data_key = nonce.to_vec();
        encrypted_data_key.extend_from_slice(&sealed);

        Ok(GeneratedDataKey { data_key, encrypted_data_key, key_id })
    }

    async fn decrypt_data_key(
        &self,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
    ) -> Result<DataKey, DataKeyError> {
        let rejected = || DataKeyError::Rejected { key_id: key_id.to_owned() };
        let keys = self.lock();
        let material = match keys.get(context.tenant()) {
            Some(TenantKey::Active { key_id: tenant_key_id, material }) if tenant_key_id == key_id => material.clone(),
            Some(TenantKey::Destroyed { key_id: tenant_key_id }) if tenant_key_id == key_id => {
                return Err(DataKeyError::KeyUnavailable {
                    tenant: context.tenant().clone(),
                    key_id: key_id.to_owned(),
                    reason: "PendingDeletion".to_owned(),
                })
            }
            _ => return Err(rejected()),
        };
        drop(keys);

        if encrypted_data_key.len() < NONCE_LEN {
            return Err(rejected());
        }
        let (nonce, sealed) = encrypted_data_key.split_at(NONCE_LEN);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(material.expose()));
        let aad = Self::associated_data(key_id, context);
        let plaintext = zeroize::Zeroizing::new(
            cipher
                .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: &aad })
                .map_err(|_| rejected())?,
        );
        DataKey::from_slice(&plaintext).ok_or(DataKeyError::WrongKeyLength(plaintext.len()))
    }

    async fn destroy_tenant_key(&self, tenant: &TenantId) -> Result<KeyDestruction, DataKeyError> {
        let mut keys = self.lock();
        let key_id = match keys.get(tenant) {
            None => return Ok(KeyDestruction { key_id: None, deletion_date: None }),
            Some(TenantKey::Active { key_id, .. }) | Some(TenantKey::Destroyed { key_id }) => key_id.clone(),
        };
        // Replacing the entry drops the key material, which zeroizes it.
        keys.insert(tenant.clone(), TenantKey::Destroyed { key_id: key_id.clone() });
        Ok(KeyDestruction { key_id: Some(key_id), deletion_date: None })
    }
}

/// An envelope table in memory, with the same conditional-write rules as the DynamoDB one.
#[derive(Default)]
pub struct InMemoryEnvelopeTable {
    records: Mutex<BTreeMap<(TenantId, String), EnvelopeRecord>>,
}

impl InMemoryEnvelopeTable {
    /// Builds an empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies every record of every tenant, as a table backup would.
    pub fn snapshot(&self) -> Vec<EnvelopeRecord> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(TenantId, String), EnvelopeRecord>> {
        self.records.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl EnvelopeTable for InMemoryEnvelopeTable {
    async fn get(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<Option<EnvelopeRecord>, TableError> {
        Ok(self.lock().get(&(tenant.clone(), slot.sort_key())).cloned())
    }

    async fn put(&self, record: &EnvelopeRecord, condition: WriteCondition) -> Result<(), TableError> {
        let key = (record.tenant.clone(), record.slot.sort_key());
        let mut records = self.lock();
        let existing = records.get(&key);
        let holds = match &condition {
            WriteCondition::MustNotExist => existing.is_none(),
            WriteCondition::MustExist => existing.is_some(),
            WriteCondition::EnvelopeIs(bytes) => existing.is_some_and(|found| &found.envelope == bytes),
        };
        if !holds {
            return Err(TableError::ConditionFailed {
                tenant: record.tenant.clone(),
                slot: record.slot.clone(),
                condition: condition.kind(),
            });
        }
        records.insert(key, record.clone());
        Ok(())
    }

    async fn delete(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<bool, TableError> {
        Ok(self.lock().remove(&(tenant.clone(), slot.sort_key())).is_some())
    }

    async fn list(&self, tenant: &TenantId) -> Result<Vec<EnvelopeRecord>, TableError> {
        Ok(self
            .lock()
            .iter()
            .filter(|((record_tenant, _), _)| record_tenant == tenant)
            .map(|(_, record)| record.clone())
            .collect())
    }
}
