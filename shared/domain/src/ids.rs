//! Validated identifiers. Every DynamoDB key starts with a tenant id, so a tenant id is checked
//! once, here, and the rest of the code can only hold a valid one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Maximum length of a tenant id. Session tags and session names must fit STS limits
/// (tag values 256 characters, session names 64), so ids stay short.
pub const MAX_TENANT_ID_LEN: usize = 40;

/// Length of an investigation id: `inv-` followed by 26 lowercase hex digits.
const INVESTIGATION_ID_HEX_LEN: usize = 26;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("tenant id is empty")]
    EmptyTenantId,
    #[error("tenant id `{0}` is longer than {MAX_TENANT_ID_LEN} characters")]
    TenantIdTooLong(String),
    #[error("tenant id `{0}` may contain only lowercase letters, digits and `-`, and must start with a letter")]
    TenantIdInvalidCharacter(String),
    #[error("investigation id `{0}` is not of the form `inv-` followed by {INVESTIGATION_ID_HEX_LEN} lowercase hex digits")]
    InvestigationIdMalformed(String),
}

/// A tenant id restricted to `[a-z][a-z0-9-]*`. The alphabet excludes `#` (the key separator)
/// and `*` and `?` (wildcards in IAM `StringLike` conditions such as `dynamodb:LeadingKeys`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<TenantId, IdError> {
        if raw.is_empty() {
            return Err(IdError::EmptyTenantId);
        }
        if raw.len() > MAX_TENANT_ID_LEN {
            return Err(IdError::TenantIdTooLong(raw.to_string()));
        }
        let mut chars = raw.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_valid = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !starts_with_letter || !rest_valid {
            return Err(IdError::TenantIdInvalidCharacter(raw.to_string()));
        }
        Ok(TenantId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the DynamoDB partition key prefix all of this tenant's items start with.
    pub fn key_prefix(&self) -> String {
        format!("T#{}", self.0)
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        TenantId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An investigation id, `inv-` and 26 hex digits. It is derived from the alarm event id so
/// that the same event always maps to the same investigation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct InvestigationId(String);

impl InvestigationId {
    pub fn parse(raw: &str) -> Result<InvestigationId, IdError> {
        let valid = raw.strip_prefix("inv-").is_some_and(|hex| {
            hex.len() == INVESTIGATION_ID_HEX_LEN
                && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        });
        if valid {
            Ok(InvestigationId(raw.to_string()))
        } else {
            Err(IdError::InvestigationIdMalformed(raw.to_string()))
        }
    }

    /// Derives the id from the tenant and the EventBridge event id, so a redelivered event
    /// opens no second investigation.
    pub fn for_event(tenant: &TenantId, event_id: &str) -> InvestigationId {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}\n{}", tenant.as_str(), event_id).as_bytes());
        let hex = hex::encode(digest);
        InvestigationId(format!("inv-{}", &hex[..INVESTIGATION_ID_HEX_LEN]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for InvestigationId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        InvestigationId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for InvestigationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_id_accepts_safe_alphabet() {
        assert_eq!(TenantId::parse("acme-prod-2").unwrap().as_str(), "acme-prod-2");
    }

    #[test]
    fn tenant_id_rejects_key_separator_and_wildcards() {
        for raw in ["acme#1", "acme*", "ac?me", "Acme", "1acme", "acme prod", "acmé"] {
            assert_eq!(
                TenantId::parse(raw),
                Err(IdError::TenantIdInvalidCharacter(raw.to_string())),
                "{raw}"
            );
        }
    }

    #[test]
    fn tenant_id_rejects_empty_and_long() {
        assert_eq!(TenantId::parse(""), Err(IdError::EmptyTenantId));
        let long = "a".repeat(MAX_TENANT_ID_LEN + 1);
        assert_eq!(TenantId::parse(&long), Err(IdError::TenantIdTooLong(long.clone())));
    }

    #[test]
    fn investigation_id_is_stable_per_event() {
        let tenant = TenantId::parse("acme").unwrap();
        let first = InvestigationId::for_event(&tenant, "evt-1");
        assert_eq!(first, InvestigationId::for_event(&tenant, "evt-1"));
        assert_ne!(first, InvestigationId::for_event(&tenant, "evt-2"));
        assert_eq!(InvestigationId::parse(first.as_str()), Ok(first));
    }

    #[test]
    fn investigation_id_rejects_other_shapes() {
        for raw in ["inv-", "inv-XYZ", "abc", "inv-0123456789abcdef0123456789ab"] {
            assert!(InvestigationId::parse(raw).is_err(), "{raw}");
        }
    }
}
