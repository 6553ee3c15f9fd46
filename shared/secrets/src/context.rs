//! The encryption context `{tenant_id, purpose, name}` that binds an envelope to its place.

use std::collections::BTreeMap;

use crate::slot::SecretSlot;
use crate::tenant::TenantId;

/// Encryption context key for the tenant id.
pub const CONTEXT_TENANT_ID: &str = "tenant_id";
/// Encryption context key for the secret's purpose.
pub const CONTEXT_PURPOSE: &str = "purpose";
/// Encryption context key for the secret's name.
pub const CONTEXT_NAME: &str = "name";

/// The context an envelope is sealed under. KMS receives it with `GenerateDataKey` and
/// `Decrypt`, and the envelope binds it into the AES-GCM associated data, so an envelope
/// copied to another tenant, purpose or name fails to open at both.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EncryptionContext {
    tenant: TenantId,
    slot: SecretSlot,
}

impl EncryptionContext {
    /// Builds the context of the secret at `slot` of `tenant`.
    pub fn new(tenant: TenantId, slot: SecretSlot) -> Self {
        Self { tenant, slot }
    }

    /// Returns the tenant part of the context.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Returns the purpose and name part of the context.
    pub fn slot(&self) -> &SecretSlot {
        &self.slot
    }

    /// Returns the context as KMS key-value pairs, sorted by key.
    pub fn to_pairs(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (CONTEXT_TENANT_ID.to_owned(), self.tenant.as_str().to_owned()),
            (CONTEXT_PURPOSE.to_owned(), self.slot.purpose.as_str().to_owned()),
            (CONTEXT_NAME.to_owned(), self.slot.name.as_str().to_owned()),
        ])
    }

    /// Encodes the context canonically for the AES-GCM associated data: the pairs sorted by
    /// key, each key and value preceded by its length as a big-endian `u16`.
    ///
    /// Length prefixes make the encoding injective, so no two contexts share bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(128);
        for (key, value) in self.to_pairs() {
            push_prefixed(&mut bytes, key.as_bytes());
            push_prefixed(&mut bytes, value.as_bytes());
        }
        bytes
    }
}

// Every key and value is at most 128 bytes (validated names and ids), so the length fits.
fn push_prefixed(bytes: &mut Vec<u8>, field: &[u8]) {
    let len = u16::try_from(field.len()).unwrap_or(u16::MAX);
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(field);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slot::{SecretName, SecretPurpose};

    fn context(tenant: &str, name: &str) -> EncryptionContext {
        EncryptionContext::new(
            TenantId::parse(tenant).unwrap(),
            SecretSlot::new(SecretPurpose::SlackBotToken, SecretName::parse(name).unwrap()),
        )
    }

    #[test]
    fn context_pairs_name_all_three_fields() {
        let pairs = context("acme", "default").to_pairs();
        assert_eq!(pairs.get("tenant_id").map(String::as_str), Some("acme"));
        assert_eq!(pairs.get("purpose").map(String::as_str), Some("slack-bot-token"));
        assert_eq!(pairs.get("name").map(String::as_str), Some("default"));
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn canonical_bytes_are_length_prefixed_and_sorted() {
        let bytes = context("t", "n").canonical_bytes();
        let mut expected = Vec::new();
        for field in ["name", "n", "purpose", "slack-bot-token", "tenant_id", "t"] {
            expected.extend_from_slice(&(field.len() as u16).to_be_bytes());
            expected.extend_from_slice(field.as_bytes());
        }
        assert_eq!(bytes, expected);
    }

    #[test]
    fn canonical_bytes_differ_when_field_boundary_moves() {
        assert_ne!(context("ab", "c").canonical_bytes(), context("a", "bc").canonical_bytes());
    }
}
