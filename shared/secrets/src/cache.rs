//! A short-lived cache of decrypted data keys, so reading the same secret repeatedly does not
//! cost a KMS `Decrypt` call each time.
//!
//! An entry serves at most [`CachePolicy::max_uses`] reads and lives at most
//! [`CachePolicy::max_age`]; past either bound the next read goes to KMS again. Entries are
//! keyed by the encryption context as well as the encrypted data key, so the cache never
//! returns a key that KMS would have refused for that context.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::Clock;
use crate::context::EncryptionContext;
use crate::secret::DataKey;
use crate::tenant::TenantId;

/// Bounds on how long and how often a cached data key is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Maximum time an entry is used after it was cached.
    pub max_age: Duration,
    /// Maximum number of reads one entry serves before KMS is asked again.
    pub max_uses: u32,
    /// Maximum number of entries; the oldest is evicted to make room.
    pub max_entries: usize,
}

impl CachePolicy {
    /// A policy that caches nothing: every read calls KMS.
    pub const DISABLED: CachePolicy = CachePolicy { max_age: Duration::ZERO, max_uses: 0, max_entries: 0 };

    fn is_disabled(&self) -> bool {
        self.max_age.is_zero() || self.max_uses == 0 || self.max_entries == 0
    }
}

impl Default for CachePolicy {
    /// Returns five minutes and 100 reads per entry, at most 1,000 entries. That is long enough
    /// to cover one investigation in a warm Lambda container, and short enough that a key
    /// disabled in KMS stops working within minutes even in a process that has it cached.
    fn default() -> Self {
        Self { max_age: Duration::from_secs(300), max_uses: 100, max_entries: 1_000 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    tenant: TenantId,
    context: Vec<u8>,
    key_id: String,
    encrypted_data_key: Vec<u8>,
}

struct CacheEntry {
    data_key: DataKey,
    cached_at: Duration,
    uses: u32,
}

/// The data key cache. Safe to share between tasks.
pub struct DataKeyCache {
    policy: CachePolicy,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<CacheKey, CacheEntry>>,
}

impl DataKeyCache {
    /// Builds an empty cache bounded by `policy`, aging entries by `clock`.
    pub fn new(policy: CachePolicy, clock: Arc<dyn Clock>) -> Self {
        Self { policy, clock, entries: Mutex::new(HashMap::new()) }
    }

    /// Returns the bounds this cache applies.
    pub fn policy(&self) -> CachePolicy {
        self.policy
    }

    /// Returns the cached data key for this envelope and counts one use, or `None` when there
    /// is none, it is older than `max_age`, or it has served `max_uses` reads.
    pub fn get(&self, context: &EncryptionContext, key_id: &str, encrypted_data_key: &[u8]) -> Option<DataKey> {
        if self.policy.is_disabled() {
            return None;
        }
        let cache_key = Self::cache_key(context, key_id, encrypted_data_key);
        let now = self.clock.elapsed();
        let mut entries = self.lock();

        let entry = entries.get_mut(&cache_key)?;
        let expired = now.saturating_sub(entry.cached_at) >= self.policy.max_age;
        if expired || entry.uses >= self.policy.max_uses {
            entries.remove(&cache_key);
            return None;
        }
        entry.uses += 1;
        Some(entry.data_key.clone())
    }

    /// Caches `data_key` for this envelope with no uses counted yet, evicting expired entries
    /// and then the oldest one when the cache is full.
    pub fn insert(&self, context: &EncryptionContext, key_id: &str, encrypted_data_key: &[u8], data_key: &DataKey) {
        if self.policy.is_disabled() {
            return;
        }
        let now = self.clock.elapsed();
        let max_age = self.policy.max_age;
        let mut entries = self.lock();

        entries.retain(|_, entry| now.saturating_sub(entry.cached_at) < max_age);
        if entries.len() >= self.policy.max_entries {
            let oldest = entries.iter().min_by_key(|(_, entry)| entry.cached_at).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            Self::cache_key(context, key_id, encrypted_data_key),
            CacheEntry { data_key: data_key.clone(), cached_at: now, uses: 0 },
        );
    }

    /// Drops every entry of `tenant` and returns how many there were. Erasing a tenant calls
    /// this so no process keeps using the tenant's data keys until they age out.
    pub fn evict_tenant(&self, tenant: &TenantId) -> usize {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|key, _| &key.tenant != tenant);
        before - entries.len()
    }

    /// Number of entries held, expired ones included until the next insert.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn cache_key(context: &EncryptionContext, key_id: &str, encrypted_data_key: &[u8]) -> CacheKey {
        CacheKey {
            tenant: context.tenant().clone(),
            context: context.canonical_bytes(),
            key_id: key_id.to_owned(),
            encrypted_data_key: encrypted_data_key.to_vec(),
        }
    }

    // A panic while the lock was held leaves the map consistent (every update is a single
    // insert, remove or counter increment), so a poisoned lock is still usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, CacheEntry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::slot::{SecretName, SecretPurpose, SecretSlot};
    use chrono::{DateTime, Utc};

    const KEY_ID: &str = "key-1";

    fn clock() -> Arc<ManualClock> {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        Arc::new(ManualClock::new(start))
    }

    fn context(tenant: &str) -> EncryptionContext {
        EncryptionContext::new(
            TenantId::parse(tenant).unwrap(),
            SecretSlot::new(SecretPurpose::SlackBotToken, SecretName::parse("default").unwrap()),
        )
    }

    fn policy(max_age_secs: u64, max_uses: u32, max_entries: usize) -> CachePolicy {
        CachePolicy { max_age: Duration::from_secs(max_age_secs), max_uses, max_entries }
    }

    #[test]
    fn cache_serves_at_most_max_uses() {
        let cache = DataKeyCache::new(policy(300, 3, 10), clock());
        cache.insert(&context("acme"), KEY_ID, b"blob", &DataKey::from_bytes([1; 32]));
        for _ in 0..3 {
            assert_eq!(cache.get(&context("acme"), KEY_ID, b"blob").map(|k| *k.expose()), Some([1; 32]));
        }
        assert!(cache.get(&context("acme"), KEY_ID, b"blob").is_none());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn cache_entry_expires_at_max_age() {
        let clock = clock();
        let cache = DataKeyCache::new(policy(60, 100, 10), clock.clone());
        cache.insert(&context("acme"), KEY_ID, b"blob", &DataKey::from_bytes([1; 32]));
        clock.advance(Duration::from_secs(59));
        assert!(cache.get(&context("acme"), KEY_ID, b"blob").is_some());
        clock.advance(Duration::from_secs(1));
        assert!(cache.get(&context("acme"), KEY_ID, b"blob").is_none());
    }

    #[test]
    fn cache_misses_for_other_context() {
        let cache = DataKeyCache::new(policy(300, 100, 10), clock());
        cache.insert(&context("acme"), KEY_ID, b"blob", &DataKey::from_bytes([1; 32]));
        assert!(cache.get(&context("globex"), KEY_ID, b"blob").is_none());
        assert!(cache.get(&context("acme"), KEY_ID, b"other-blob").is_none());
        assert!(cache.get(&context("acme"), "key-2", b"blob").is_none());
    }

    #[test]
    fn full_cache_evicts_oldest_entry() {
        let clock = clock();
        let cache = DataKeyCache::new(policy(300, 100, 2), clock.clone());
        cache.insert(&context("acme"), KEY_ID, b"first", &DataKey::from_bytes([1; 32]));
        clock.advance(Duration::from_secs(1));
        cache.insert(&context("acme"), KEY_ID, b"second", &DataKey::from_bytes([2; 32]));
        clock.advance(Duration::from_secs(1));
        cache.insert(&context("acme"), KEY_ID, b"third", &DataKey::from_bytes([3; 32]));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&context("acme"), KEY_ID, b"first").is_none());
        assert!(cache.get(&context("acme"), KEY_ID, b"second").is_some());
        assert!(cache.get(&context("acme"), KEY_ID, b"third").is_some());
    }

    #[test]
    fn evict_tenant_leaves_other_tenants() {
        let cache = DataKeyCache::new(policy(300, 100, 10), clock());
        cache.insert(&context("acme"), KEY_ID, b"a", &DataKey::from_bytes([1; 32]));
        cache.insert(&context("globex"), KEY_ID, b"g", &DataKey::from_bytes([2; 32]));
        assert_eq!(cache.evict_tenant(&TenantId::parse("acme").unwrap()), 1);
        assert!(cache.get(&context("acme"), KEY_ID, b"a").is_none());
        assert!(cache.get(&context("globex"), KEY_ID, b"g").is_some());
    }

    #[test]
    fn disabled_policy_caches_nothing() {
        let cache = DataKeyCache::new(CachePolicy::DISABLED, clock());
        cache.insert(&context("acme"), KEY_ID, b"blob", &DataKey::from_bytes([1; 32]));
        assert_eq!(cache.len(), 0);
        assert!(cache.get(&context("acme"), KEY_ID, b"blob").is_none());
    }
}
