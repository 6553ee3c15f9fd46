//! Holders of plaintext: secret values and data keys, zeroized on drop and never printed.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of an AES-256 data key, in bytes.
pub const DATA_KEY_LEN: usize = 32;

/// A plaintext secret, such as a Slack bot token. Its bytes are zeroized when it is dropped,
/// and `Debug` and `Display` print `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    /// Takes ownership of `bytes`, so no unzeroized copy is left behind by this call.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new secret. The caller still owns and must clear the original.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// Returns the plaintext bytes. Keep the borrow short and copy them nowhere that is not zeroized.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Returns the plaintext as UTF-8, or `None` when it is not valid UTF-8.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// Length of the plaintext, in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Returns whether the plaintext is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A plaintext AES-256 data key. Zeroized on drop; `Debug` and `Display` print `<redacted>`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; DATA_KEY_LEN]);

impl DataKey {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; DATA_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// Copies a key out of `bytes`, or returns `None` when it is not exactly
    /// [`DATA_KEY_LEN`] bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; DATA_KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(array))
    }

    /// Returns the raw key bytes.
    pub fn expose(&self) -> &[u8; DATA_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl fmt::Display for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_value_prints_no_plaintext() {
        let secret = SecretValue::from_slice(b"xoxb-123-secret");
        assert_eq!(format!("{secret:?}"), "SecretValue(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    SecretValue(<redacted>),\n)");
    }

    #[test]
    fn secret_value_exposes_bytes_on_request() {
        let secret = SecretValue::from_slice(b"xoxb-123");
        assert_eq!(secret.expose(), b"xoxb-123");
        assert_eq!(secret.expose_str(), Some("xoxb-123"));
        assert_eq!(secret.len(), 8);
    }

    #[test]
    fn data_key_prints_no_key_bytes() {
        let key = DataKey::from_bytes([0xAB; DATA_KEY_LEN]);
        assert_eq!(format!("{key:?}"), "DataKey(<redacted>)");
        assert_eq!(format!("{key}"), "<redacted>");
    }

    #[test]
    fn data_key_zeroize_clears_bytes() {
        let mut key = DataKey::from_bytes([0xAB; DATA_KEY_LEN]);
        key.zeroize();
        assert_eq!(key.expose(), &[0u8; DATA_KEY_LEN]);
    }

    #[test]
    fn data_key_rejects_wrong_length() {
        assert!(DataKey::from_slice(&[1u8; 16]).is_none());
        assert_eq!(DataKey::from_slice(&[7u8; 32]).map(|k| *k.expose()), Some([7u8; 32]));
    }
}
