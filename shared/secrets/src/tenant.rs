//! The tenant id as this crate accepts it.

use std::fmt;

/// Maximum length of a tenant id, in bytes.
pub const TENANT_ID_MAX_LEN: usize = 64;

/// Errors from validating a tenant id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantIdError {
    /// The id is the empty string.
    #[error("tenant id is empty: pass 1 to {TENANT_ID_MAX_LEN} characters from [A-Za-z0-9_-]")]
    Empty,
    /// The id is longer than [`TENANT_ID_MAX_LEN`].
    #[error("tenant id is {len} characters long: the maximum is {TENANT_ID_MAX_LEN}")]
    TooLong {
        /// Length of the rejected id, in bytes.
        len: usize,
    },
    /// The id contains a character outside `[A-Za-z0-9_-]`.
    #[error("tenant id {id:?} contains {character:?}: only [A-Za-z0-9_-] is allowed")]
    InvalidCharacter {
        /// The rejected id.
        id: String,
        /// The first character outside the alphabet.
        character: char,
    },
}

/// Checks a tenant id against the alphabet `[A-Za-z0-9_-]{1,64}`.
///
/// The alphabet keeps `#` out of partition keys and `*` and `?` out of IAM `StringLike`
/// conditions, and every character is also valid in a KMS alias name.
// NOTE: the domain crate is to own `TenantId`; this is the single place to swap for its check.
pub fn validate_tenant_id(id: &str) -> Result<(), TenantIdError> {
    if id.is_empty() {
        return Err(TenantIdError::Empty);
    }
    if id.len() > TENANT_ID_MAX_LEN {
        return Err(TenantIdError::TooLong { len: id.len() });
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if let Some(character) = id.chars().find(|c| !allowed(*c)) {
        return Err(TenantIdError::InvalidCharacter {
            id: id.to_owned(),
            character,
        });
    }
    Ok(())
}

/// A tenant id that passed [`validate_tenant_id`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    /// Validates `id` and wraps it.
    pub fn parse(id: &str) -> Result<Self, TenantIdError> {
        validate_tenant_id(id)?;
        Ok(Self(id.to_owned()))
    }

    /// Returns the id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for TenantId {
    type Err = TenantIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_id_accepts_safe_alphabet() {
        let id = TenantId::parse("acme_prod-01").unwrap();
        assert_eq!(id.as_str(), "acme_prod-01");
        let longest = "a".repeat(TENANT_ID_MAX_LEN);
        assert_eq!(TenantId::parse(&longest).unwrap().as_str(), longest);
    }

    #[test]
    fn tenant_id_rejects_empty() {
        assert_eq!(TenantId::parse(""), Err(TenantIdError::Empty));
    }

    #[test]
    fn tenant_id_rejects_too_long() {
        let id = "a".repeat(TENANT_ID_MAX_LEN + 1);
        assert_eq!(TenantId::parse(&id), Err(TenantIdError::TooLong { len: 65 }));
    }

    #[test]
    fn tenant_id_rejects_key_and_wildcard_characters() {
        for (id, character) in [("a#b", '#'), ("a*", '*'), ("a?", '?'), ("a b", ' '), ("é", 'é'), ("a/b", '/')] {
            assert_eq!(
                TenantId::parse(id),
                Err(TenantIdError::InvalidCharacter { id: id.to_owned(), character })
            );
        }
    }
}
