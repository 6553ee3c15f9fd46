//! The approval id: the only thing a Slack button carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Number of random bytes in an approval id. 128 bits cannot be guessed.
const RANDOM_BYTES: usize = 16;
const PREFIX: &str = "apr-";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("approval id `{0}` is not of the form `apr-` followed by 32 lowercase hex digits")]
pub struct ApprovalIdError(pub String);

/// `apr-` followed by 32 lowercase hex digits of random bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ApprovalId(String);

impl ApprovalId {
    /// Builds an id from random bytes the caller drew from a secure source.
    pub fn from_random(bytes: [u8; RANDOM_BYTES]) -> ApprovalId {
        ApprovalId(format!("{PREFIX}{}", hex::encode(bytes)))
    }

    pub fn parse(raw: &str) -> Result<ApprovalId, ApprovalIdError> {
        let valid = raw
            .strip_prefix(PREFIX)
            .is_some_and(|hex| hex.len() == RANDOM_BYTES * 2 && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
        if valid {
            Ok(ApprovalId(raw.to_string()))
        } else {
            Err(ApprovalIdError(raw.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApprovalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ApprovalId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ApprovalId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_id_parses_back() {
        let id = ApprovalId::from_random([0xab; 16]);
        assert_eq!(id.as_str(), "apr-abababababababababababababababab");
        assert_eq!(ApprovalId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for raw in ["", "apr-", "apr-ABABABABABABABABABABABABABABABAB", "apr-abab", "inv-abababababababababababababababab", "apr-abababababababababababababababab0"] {
            assert!(ApprovalId::parse(raw).is_err(), "{raw} should be rejected");
        }
    }
}
