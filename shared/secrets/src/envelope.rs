//! The envelope: a secret sealed with AES-256-GCM under a KMS data key, as stored bytes.
//!
//! Format version 1, all integers big-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version, `0x01` |
//! | 2 | length `k` of the KMS key id |
//! | k | KMS key id (UTF-8, the key ARN that `GenerateDataKey` returned) |
//! | 2 | length `e` of the encrypted data key |
//! | e | encrypted data key (the KMS `CiphertextBlob`) |
//! | 12 | AES-GCM nonce |
//! | 4 | length `c` of the ciphertext, tag included |
//! | c | ciphertext followed by the 16-byte GCM tag |
//!
//! The associated data is every byte before the ciphertext followed by the canonical
//! encryption context ([`EncryptionContext::canonical_bytes`]). A reader of a later version
//! dispatches on the first byte and keeps reading version 1 as described here.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::context::EncryptionContext;
use crate::secret::{DataKey, SecretValue};

/// The format version this module writes.
pub const FORMAT_VERSION_1: u8 = 1;
/// Length of the AES-GCM nonce, in bytes.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM tag, in bytes.
pub const TAG_LEN: usize = 16;

/// Errors from sealing, parsing or opening an envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The envelope is empty.
    #[error("envelope is empty: the stored item has no envelope bytes")]
    Empty,
    /// The first byte names a format this code cannot read.
    #[error("envelope format version {0} is not supported: this build reads version {FORMAT_VERSION_1}")]
    UnsupportedVersion(u8),
    /// The envelope ends inside a field.
    #[error("envelope is truncated: field `{field}` needs {needed} bytes but {available} remain")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the envelope.
        available: usize,
    },
    /// Bytes follow the ciphertext.
    #[error("envelope has {0} unexpected bytes after the ciphertext")]
    TrailingBytes(usize),
    /// A length field is zero, or the ciphertext is shorter than the tag.
    #[error("envelope field `{0}` has an invalid length")]
    InvalidLength(&'static str),
    /// The KMS key id is not UTF-8.
    #[error("envelope KMS key id is not valid UTF-8")]
    KeyIdNotUtf8,
    /// A field is too long for its length prefix.
    #[error("cannot seal: field `{field}` is {len} bytes, more than the format's maximum {max}")]
    FieldTooLong {
        /// The field being written.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The maximum the length prefix allows.
        max: usize,
    },
    /// The GCM tag does not verify: the nonce, tag, ciphertext or header was changed, or the
    /// envelope is opened under another context or data key. GCM cannot tell these apart.
    #[error("envelope failed authentication: it was modified, or it belongs to another tenant, purpose or name")]
    AuthenticationFailed,
    /// AES-GCM refused to encrypt, which happens only for plaintexts beyond its size limit.
    #[error("AES-GCM encryption failed for a {0}-byte secret")]
    EncryptionFailed(usize),
}

/// A parsed envelope. Holds no plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    key_id: String,
    encrypted_data_key: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl Envelope {
    /// Seals `plaintext` under `data_key` with a random nonce, binding `context` and the
    /// header into the associated data.
    ///
    /// `key_id` and `encrypted_data_key` are what KMS returned with `data_key`; they are
    /// stored so the data key can be decrypted again.
    pub fn seal(
        data_key: &DataKey,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
        plaintext: &SecretValue,
    ) -> Result<Self, EnvelopeError> {
        let nonce: [u8; NONCE_LEN] = Aes256Gcm::generate_nonce(&mut OsRng).into();
        Self::seal_with_nonce(data_key, key_id, encrypted_data_key, context, plaintext, nonce)
    }

    fn seal_with_nonce(
        data_key: &DataKey,
        key_id: &str,
        encrypted_data_key: &[u8],
        context: &EncryptionContext,
        plaintext: &SecretValue,
        nonce: [u8; NONCE_LEN],
    ) -> Result<Self, EnvelopeError> {
        check_prefixed_len("key_id", key_id.len())?;
        check_prefixed_len("encrypted_data_key", encrypted_data_key.len())?;
        let ciphertext_len = plaintext.len() + TAG_LEN;
        if u32::try_from(ciphertext_len).is_err() {
            return Err(EnvelopeError::FieldTooLong {
                field: "ciphertext",
                len: ciphertext_len,
                max: u32::MAX as usize,
            });
        }

        let mut envelope = Self {
            key_id: key_id.to_owned(),
            encrypted_data_key: encrypted_data_key.to_vec(),
            nonce,
            ciphertext: Vec::new(),
        };
        let aad = envelope.associated_data(ciphertext_len, context);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
        envelope.ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.expose(), aad: &aad })
            .map_err(|_| EnvelopeError::EncryptionFailed(plaintext.len()))?;
        Ok(envelope)
    }

    /// Opens the envelope with its decrypted data key under the context it is expected to
    /// belong to.
    pub fn open(&self, data_key: &DataKey, context: &EncryptionContext) -> Result<SecretValue, EnvelopeError> {
        let aad = self.associated_data(self.ciphertext.len(), context);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.expose()));
        let plaintext = cipher
            .decrypt(Nonce::from_slice(&self.nonce), Payload { msg: &self.ciphertext, aad: &aad })
            .map_err(|_| EnvelopeError::AuthenticationFailed)?;
        Ok(SecretValue::new(plaintext))
    }

    /// Returns the KMS key id that encrypted the data key.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Returns the data key as encrypted by KMS.
    pub fn encrypted_data_key(&self) -> &[u8] {
        &self.encrypted_data_key
    }

    /// Serializes the envelope in format version 1.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.header(self.ciphertext.len());
        bytes.extend_from_slice(&self.ciphertext);
        bytes
    }

    /// Parses stored bytes, checking every length. Opening still has to authenticate them.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let mut reader = Reader { bytes };
        let version = *bytes.first().ok_or(EnvelopeError::Empty)?;
        if version != FORMAT_VERSION_1 {
            return Err(EnvelopeError::UnsupportedVersion(version));
        }
        reader.take("version", 1)?;

        let key_id_len = reader.read_u16("key_id_len")? as usize;
        if key_id_len == 0 {
            return Err(EnvelopeError::InvalidLength("key_id"));
        }
        let key_id = std::str::from_utf8(reader.take("key_id", key_id_len)?)
            .map_err(|_| EnvelopeError::KeyIdNotUtf8)?
            .to_owned();

        let encrypted_key_len = reader.read_u16("encrypted_data_key_len")? as usize;
        if encrypted_key_len == 0 {
            return Err(EnvelopeError::InvalidLength("encrypted_data_key"));
        }
        let encrypted_data_key = reader.take("encrypted_data_key", encrypted_key_len)?.to_vec();

        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(reader.take("nonce", NONCE_LEN)?);

        let ciphertext_len = reader.read_u32("ciphertext_len")? as usize;
        if ciphertext_len < TAG_LEN {
            return Err(EnvelopeError::InvalidLength("ciphertext"));
        }
        let ciphertext = reader.take("ciphertext", ciphertext_len)?.to_vec();
        if !reader.bytes.is_empty() {
            return Err(EnvelopeError::TrailingBytes(reader.bytes.len()));
        }

        Ok(Self { key_id, encrypted_data_key, nonce, ciphertext })
    }

    fn header(&self, ciphertext_len: usize) -> Vec<u8> {
        let mut header = Vec::with_capacity(1 + 2 + self.key_id.len() + 2 + self.encrypted_data_key.len() + NONCE_LEN + 4);
        header.push(FORMAT_VERSION_1);
        // Lengths were checked when the envelope was sealed or parsed.
        header.extend_from_slice(&(self.key_id.len() as u16).to_be_bytes());
        header.extend_from_slice(self.key_id.as_bytes());
        header.extend_from_slice(&(self.encrypted_data_key.len() as u16).to_be_bytes());
        header.extend_from_slice(&self.encrypted_data_key);
        header.extend_from_slice(&self.nonce);
        header.extend_from_slice(&(ciphertext_len as u32).to_be_bytes());
        header
    }

    fn associated_data(&self, ciphertext_len: usize, context: &EncryptionContext) -> Vec<u8> {
        let mut aad = self.header(ciphertext_len);
        aad.extend_from_slice(&context.canonical_bytes());
        aad
    }
}

fn check_prefixed_len(field: &'static str, len: usize) -> Result<(), EnvelopeError> {
    if len == 0 {
        return Err(EnvelopeError::InvalidLength(field));
    }
    if len > u16::MAX as usize {
        return Err(EnvelopeError::FieldTooLong { field, len, max: u16::MAX as usize });
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, field: &'static str, needed: usize) -> Result<&'a [u8], EnvelopeError> {
        if self.bytes.len() < needed {
            return Err(EnvelopeError::Truncated { field, needed, available: self.bytes.len() });
        }
        let (taken, rest) = self.bytes.split_at(needed);
        self.bytes = rest;
        Ok(taken)
    }

    fn read_u16(&mut self, field: &'static str) -> Result<u16, EnvelopeError> {
        let bytes = self.take(field, 2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn read_u32(&mut self, field: &'static str) -> Result<u32, EnvelopeError> {
        let bytes = self.take(field, 4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slot::{SecretName, SecretPurpose, SecretSlot};
    use crate::tenant::TenantId;

    const KEY_ID: &str = "arn:aws:kms:us-east-1:123456789012:key/k1";
    const ENCRYPTED_KEY: &[u8] = b"kms-ciphertext-blob";

    fn context(tenant: &str, name: &str) -> EncryptionContext {
        EncryptionContext::new(
            TenantId::parse(tenant).unwrap(),
            SecretSlot::new(SecretPurpose::SlackBotToken, SecretName::parse(name).unwrap()),
        )
    }

    fn data_key() -> DataKey {
        DataKey::from_bytes([0x42; 32])
    }

    fn sealed(plaintext: &[u8]) -> Vec<u8> {
        Envelope::seal(&data_key(), KEY_ID, ENCRYPTED_KEY, &context("acme", "default"), &SecretValue::from_slice(plaintext))
            .unwrap()
            .to_bytes()
    }

    // Offsets of the version 1 fields for KEY_ID and ENCRYPTED_KEY.
    const KEY_ID_START: usize = 3;
    const ENCRYPTED_KEY_START: usize = KEY_ID_START + KEY_ID.len() + 2;
    const NONCE_START: usize = ENCRYPTED_KEY_START + ENCRYPTED_KEY.len();
    const CIPHERTEXT_START: usize = NONCE_START + NONCE_LEN + 4;

    fn open(bytes: &[u8]) -> Result<SecretValue, EnvelopeError> {
        Envelope::parse(bytes)?.open(&data_key(), &context("acme", "default"))
    }

    #[test]
    fn envelope_round_trips() {
        for plaintext in [&b""[..], b"x", b"xoxb-1234-5678-abcdef", &[0u8; 65_536][..]] {
            let bytes = sealed(plaintext);
            assert_eq!(open(&bytes).unwrap().expose(), plaintext);
            assert_eq!(bytes.len(), CIPHERTEXT_START + plaintext.len() + TAG_LEN);
        }
    }

    #[test]
    fn envelope_layout_matches_format() {
        let nonce = [9u8; NONCE_LEN];
        let envelope = Envelope::seal_with_nonce(
            &data_key(),
            KEY_ID,
            ENCRYPTED_KEY,
            &context("acme", "default"),
            &SecretValue::from_slice(b"abc"),
            nonce,
        )
        .unwrap();
        let bytes = envelope.to_bytes();
        assert_eq!(bytes[0], FORMAT_VERSION_1);
        assert_eq!(&bytes[1..3], &(KEY_ID.len() as u16).to_be_bytes());
        assert_eq!(&bytes[KEY_ID_START..KEY_ID_START + KEY_ID.len()], KEY_ID.as_bytes());
        assert_eq!(&bytes[ENCRYPTED_KEY_START - 2..ENCRYPTED_KEY_START], &(ENCRYPTED_KEY.len() as u16).to_be_bytes());
        assert_eq!(&bytes[ENCRYPTED_KEY_START..NONCE_START], ENCRYPTED_KEY);
        assert_eq!(&bytes[NONCE_START..NONCE_START + NONCE_LEN], &nonce);
        assert_eq!(&bytes[NONCE_START + NONCE_LEN..CIPHERTEXT_START], &(3u32 + TAG_LEN as u32).to_be_bytes());
        assert_eq!(Envelope::parse(&bytes).unwrap(), envelope);
    }

    #[test]
    fn envelope_holds_no_plaintext_bytes() {
        let secret = b"xoxb-very-recognizable-token";
        let bytes = sealed(secret);
        assert!(!bytes.windows(secret.len()).any(|window| window == secret));
    }

    #[test]
    fn tampered_version_byte_is_unsupported_version() {
        let mut bytes = sealed(b"secret");
        bytes[0] = 2;
        assert_eq!(open(&bytes).unwrap_err(), EnvelopeError::UnsupportedVersion(2));
    }

    #[test]
    fn tampered_nonce_fails_authentication() {
        let mut bytes = sealed(b"secret");
        bytes[NONCE_START] ^= 0x01;
        assert_eq!(open(&bytes).unwrap_err(), EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn tampered_ciphertext_fails_authentication() {
        let mut bytes = sealed(b"secret");
        bytes[CIPHERTEXT_START] ^= 0x80;
        assert_eq!(open(&bytes).unwrap_err(), EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn tampered_tag_fails_authentication() {
        let mut bytes = sealed(b"secret");
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        assert_eq!(open(&bytes).unwrap_err(), EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn tampered_encrypted_key_fails_authentication_locally() {
        // With the right data key at hand, the header is still authenticated. Through the
        // store, KMS rejects the changed key first.
        let mut bytes = sealed(b"secret");
        bytes[ENCRYPTED_KEY_START] ^= 0x01;
        let envelope = Envelope::parse(&bytes).unwrap();
        assert_ne!(envelope.encrypted_data_key(), ENCRYPTED_KEY);
        assert_eq!(envelope.open(&data_key(), &context("acme", "default")).unwrap_err(), EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn every_single_byte_change_is_rejected() {
        let original = sealed(b"secret");
        for index in 0..original.len() {
            let mut bytes = original.clone();
            bytes[index] ^= 0x01;
            assert!(open(&bytes).is_err(), "byte {index} changed and the envelope still opened");
        }
    }

    #[test]
    fn other_tenant_context_fails_authentication() {
        let envelope = Envelope::parse(&sealed(b"secret")).unwrap();
        let error = envelope.open(&data_key(), &context("globex", "default")).unwrap_err();
        assert_eq!(error, EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn other_name_context_fails_authentication() {
        let envelope = Envelope::parse(&sealed(b"secret")).unwrap();
        let error = envelope.open(&data_key(), &context("acme", "other")).unwrap_err();
        assert_eq!(error, EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn other_purpose_context_fails_authentication() {
        let envelope = Envelope::parse(&sealed(b"secret")).unwrap();
        let signing = EncryptionContext::new(
            TenantId::parse("acme").unwrap(),
            SecretSlot::new(SecretPurpose::SlackSigningSecret, SecretName::parse("default").unwrap()),
        );
        assert_eq!(envelope.open(&data_key(), &signing).unwrap_err(), EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn wrong_data_key_fails_authentication() {
        let envelope = Envelope::parse(&sealed(b"secret")).unwrap();
        let error = envelope.open(&DataKey::from_bytes([0x43; 32]), &context("acme", "default")).unwrap_err();
        assert_eq!(error, EnvelopeError::AuthenticationFailed);
    }

    #[test]
    fn truncated_envelope_names_the_field() {
        let bytes = sealed(b"secret");
        let cases = [
            (0, EnvelopeError::Empty),
            (2, EnvelopeError::Truncated { field: "key_id_len", needed: 2, available: 1 }),
            (10, EnvelopeError::Truncated { field: "key_id", needed: KEY_ID.len(), available: 7 }),
            (NONCE_START + 5, EnvelopeError::Truncated { field: "nonce", needed: NONCE_LEN, available: 5 }),
            (bytes.len() - 1, EnvelopeError::Truncated { field: "ciphertext", needed: 6 + TAG_LEN, available: 6 + TAG_LEN - 1 }),
        ];
        for (len, expected) in cases {
            assert_eq!(Envelope::parse(&bytes[..len]).unwrap_err(), expected, "truncated to {len} bytes");
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = sealed(b"secret");
        bytes.extend_from_slice(b"xx");
        assert_eq!(Envelope::parse(&bytes).unwrap_err(), EnvelopeError::TrailingBytes(2));
    }

    #[test]
    fn ciphertext_shorter_than_tag_is_invalid() {
        let mut bytes = sealed(b"");
        bytes[NONCE_START + NONCE_LEN..CIPHERTEXT_START].copy_from_slice(&15u32.to_be_bytes());
        bytes.truncate(CIPHERTEXT_START + 15);
        assert_eq!(Envelope::parse(&bytes).unwrap_err(), EnvelopeError::InvalidLength("ciphertext"));
    }

    #[test]
    fn seal_rejects_empty_key_id() {
        let error = Envelope::seal(&data_key(), "", ENCRYPTED_KEY, &context("acme", "default"), &SecretValue::from_slice(b"s"))
            .unwrap_err();
        assert_eq!(error, EnvelopeError::InvalidLength("key_id"));
    }

    #[test]
    fn fresh_nonce_per_seal() {
        let first = Envelope::parse(&sealed(b"same")).unwrap();
        let second = Envelope::parse(&sealed(b"same")).unwrap();
        assert_ne!(first.nonce, second.nonce);
    }
}
