//! Secret slots: the purpose and name that address a secret.

use std::fmt;

/// Maximum length of a secret name, in bytes.
pub const SECRET_NAME_MAX_LEN: usize = 128;

/// Errors from parsing a purpose or a secret name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// The purpose is not one of the known ones.
    #[error("unknown secret purpose {0:?}: expected one of slack-bot-token, slack-signing-secret, oauth-access-token, oauth-refresh-token")]
    UnknownPurpose(String),
    /// The name is empty or longer than [`SECRET_NAME_MAX_LEN`].
    #[error("secret name is {len} characters long: use 1 to {SECRET_NAME_MAX_LEN} characters")]
    NameLength {
        /// Length of the rejected name, in bytes.
        len: usize,
    },
    /// The name contains a character outside `[A-Za-z0-9_.-]`.
    #[error("secret name {name:?} contains {character:?}: only [A-Za-z0-9_.-] is allowed")]
    InvalidNameCharacter {
        /// The rejected name.
        name: String,
        /// The first character outside the alphabet.
        character: char,
    },
}

/// Purpose of a secret. It is part of the encryption context, so an envelope stored for
/// one purpose does not open as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretPurpose {
    /// A Slack bot token (`xoxb-…`), used to post and update approval messages.
    SlackBotToken,
    /// A Slack app's signing secret, used to verify Slack's request signatures.
    SlackSigningSecret,
    /// An OAuth access token of an integration, usually stored with its expiry.
    OAuthAccessToken,
    /// An OAuth refresh token of an integration.
    OAuthRefreshToken,
}

impl SecretPurpose {
    /// Every purpose, in a fixed order.
    pub const ALL: [SecretPurpose; 4] = [
        SecretPurpose::SlackBotToken,
        SecretPurpose::SlackSigningSecret,
        SecretPurpose::OAuthAccessToken,
        SecretPurpose::OAuthRefreshToken,
    ];

    /// Returns the purpose's stable string form, used in sort keys and encryption contexts.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretPurpose::SlackBotToken => "slack-bot-token",
            SecretPurpose::SlackSigningSecret => "slack-signing-secret",
            SecretPurpose::OAuthAccessToken => "oauth-access-token",
            SecretPurpose::OAuthRefreshToken => "oauth-refresh-token",
        }
    }

    /// Parses the string form returned by [`SecretPurpose::as_str`].
    pub fn parse(value: &str) -> Result<Self, SlotError> {
        Self::ALL
            .into_iter()
            .find(|purpose| purpose.as_str() == value)
            .ok_or_else(|| SlotError::UnknownPurpose(value.to_owned()))
    }
}

impl fmt::Display for SecretPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SecretPurpose {
    type Err = SlotError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A secret's name within its tenant and purpose, such as `default` or `github`.
///
/// The alphabet `[A-Za-z0-9_.-]` leaves out `#`, which separates purpose and name in the
/// sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretName(String);

impl SecretName {
    /// Validates `name` and wraps it.
    pub fn parse(name: &str) -> Result<Self, SlotError> {
        if name.is_empty() || name.len() > SECRET_NAME_MAX_LEN {
            return Err(SlotError::NameLength { len: name.len() });
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if let Some(character) = name.chars().find(|c| !allowed(*c)) {
            return Err(SlotError::InvalidNameCharacter {
                name: name.to_owned(),
                character,
            });
        }
        Ok(Self(name.to_owned()))
    }

    /// Returns the name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SecretName {
    type Err = SlotError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The address of one secret within a tenant: purpose and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretSlot {
    /// Purpose of the secret.
    pub purpose: SecretPurpose,
    /// Its name within the purpose.
    pub name: SecretName,
}

impl SecretSlot {
    /// Builds a slot from a purpose and a name.
    pub fn new(purpose: SecretPurpose, name: SecretName) -> Self {
        Self { purpose, name }
    }

    /// Builds the table sort key, `<purpose>#<name>`.
    pub fn sort_key(&self) -> String {
        format!("{}#{}", self.purpose.as_str(), self.name.as_str())
    }

    /// Parses a sort key built by [`SecretSlot::sort_key`].
    pub fn parse_sort_key(sort_key: &str) -> Result<Self, SlotError> {
        let (purpose, name) = sort_key
            .split_once('#')
            .ok_or_else(|| SlotError::UnknownPurpose(sort_key.to_owned()))?;
        Ok(Self::new(SecretPurpose::parse(purpose)?, SecretName::parse(name)?))
    }
}

impl fmt::Display for SecretSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.purpose, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_string_form_round_trips() {
        for purpose in SecretPurpose::ALL {
            assert_eq!(SecretPurpose::parse(purpose.as_str()), Ok(purpose));
        }
    }

    #[test]
    fn purpose_rejects_unknown_value() {
        assert_eq!(
            SecretPurpose::parse("aws-access-key"),
            Err(SlotError::UnknownPurpose("aws-access-key".to_owned()))
        );
    }

    #[test]
    fn name_rejects_separator_and_bad_lengths() {
        assert_eq!(
            SecretName::parse("a#b"),
            Err(SlotError::InvalidNameCharacter { name: "a#b".to_owned(), character: '#' })
        );
        assert_eq!(SecretName::parse(""), Err(SlotError::NameLength { len: 0 }));
        let long = "n".repeat(SECRET_NAME_MAX_LEN + 1);
        assert_eq!(SecretName::parse(&long), Err(SlotError::NameLength { len: 129 }));
    }

    #[test]
    fn sort_key_round_trips() {
        let slot = SecretSlot::new(SecretPurpose::OAuthRefreshToken, SecretName::parse("github.app-1").unwrap());
        assert_eq!(slot.sort_key(), "oauth-refresh-token#github.app-1");
        assert_eq!(SecretSlot::parse_sort_key(&slot.sort_key()), Ok(slot));
    }
}
