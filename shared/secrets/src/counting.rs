//! A data-key provider wrapper that counts calls, to measure what the cache saves.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use crate::context::EncryptionContext;
use crate::provider::{DataKeyError, DataKeyProvider, GeneratedDataKey, KeyDestruction};
use crate::secret::DataKey;
use crate::tenant::TenantId;

/// Calls made through a [`CountingDataKeyProvider`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KmsCallCounts {
    /// `GenerateDataKey` calls.
    pub generate_data_key: u64,
    /// `Decrypt` calls.
    pub decrypt: u64,
    /// Key destructions.
    pub destroy_tenant_key: u64,
}

impl KmsCallCounts {
    /// Sum of all calls.
    pub fn total(&self) -> u64 {
        self.generate_data_key + self.decrypt + self.destroy_tenant_key
    }
}

/// Forwards to another provider and counts each call, failed ones included.
pub struct CountingDataKeyProvider<P> {
    inner: P,
    generate_data_key: AtomicU64,
    decrypt: AtomicU64,
    destroy_tenant_key: AtomicU64,
}

impl<P> CountingDataKeyProvider<P> {
    /// Wraps `inner` with all counts at zero.
    pub fn new(inner: P) -> Self {
        Self {
            inner,
            generate_data_key: AtomicU64::new(0),
            decrypt: AtomicU64::new(0),
            destroy_tenant_key: AtomicU64::new(0),
        }
    }

    /// Returns the counts so far.
    pub fn counts(&self) -> KmsCallCounts {
        KmsCallCounts {
            generate_data_key: self.generate_data_key.load(Ordering::Relaxed),
            decrypt: self.decrypt.load(Ordering::Relaxed),
            destroy_tenant_key: self.destroy_tenant_key.load(Ordering::Relaxed),
        }
    }

    /// Returns the wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

#[async_trait]
impl<P: DataKeyProvider> DataKeyProvider for CountingDataKeyProvider<P> {
    async fn generate_data_key(&self, context: &EncryptionContext) -> Result<GeneratedDataKey, DataKeyError> {
        self.generate_data_key.fetch_add(1, Ordering::Relaxed);
        self.inner.generate_data_key(context).await
    }

    async fn decrypt_data_key(
        &self,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
    ) -> Result<DataKey, DataKeyError> {
        self.decrypt.fetch_add(1, Ordering::Relaxed);
        self.inner.decrypt_data_key(key_id, encrypted_data_key, context).await
    }

    async fn destroy_tenant_key(&self, tenant: &TenantId) -> Result<KeyDestruction, DataKeyError> {
        self.destroy_tenant_key.fetch_add(1, Ordering::Relaxed);
        self.inner.destroy_tenant_key(tenant).await
    }
}
