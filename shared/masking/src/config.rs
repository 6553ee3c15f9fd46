//! Tenant configuration: built-in kinds to turn off and custom patterns to add.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::kind::BuiltinKind;
use crate::validate::ValidatorName;

/// Configuration of a [`crate::Masker`], deserialisable from the tenant's settings.
///
/// ```
/// use causeflow_masking::{Masker, MaskingConfig};
///
/// let config = MaskingConfig::from_json(r#"{
///     "disabled_kinds": ["PHONE"],
///     "custom_patterns": [{"label": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}]
/// }"#).unwrap();
/// let masker = Masker::from_config(&config).unwrap();
/// assert_eq!(masker.mask_text("badge EMP-123456").value, "badge [EMPLOYEE_ID]");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskingConfig {
    /// Built-in kinds that are not masked, by label (`"PHONE"`).
    #[serde(default)]
    pub disabled_kinds: BTreeSet<BuiltinKind>,
    /// Patterns added to the built-in kinds.
    #[serde(default)]
    pub custom_patterns: Vec<CustomPatternConfig>,
}

/// A tenant's own pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomPatternConfig {
    /// Key in the mask counts: uppercase ASCII letters, digits and `_`, starting with a letter.
    pub label: String,
    /// Regular expression in the syntax of the `regex` crate, which has no backreferences
    /// or look-around and runs in time linear in the input.
    pub pattern: String,
    /// Literal text written in place of a match (`$` is not expanded). Defaults to the
    /// label in square brackets.
    #[serde(default)]
    pub replacement: Option<String>,
    /// Check that a match must also pass to be masked.
    #[serde(default)]
    pub validator: Option<ValidatorName>,
}

/// Error raised when a configuration cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration text is not valid JSON for [`MaskingConfig`].
    #[error("masking configuration is not valid: {0}; expected `disabled_kinds` (labels) and `custom_patterns` (objects with `label`, `pattern`, optional `replacement` and `validator`)")]
    InvalidDocument(#[source] serde_json::Error),
    /// A label is empty or uses characters other than uppercase letters, digits and `_`.
    #[error("custom pattern label {label:?} is invalid: use uppercase ASCII letters, digits and `_`, starting with a letter")]
    InvalidLabel { label: String },
    /// Two custom patterns, or a custom pattern and a built-in kind, share a label.
    #[error("custom pattern label {label:?} is used twice or by a built-in kind: give each pattern its own label")]
    DuplicateLabel { label: String },
    /// The regular expression does not compile.
    #[error("custom pattern {label:?} has an invalid regular expression: {source}")]
    InvalidPattern {
        label: String,
        #[source]
        source: regex::Error,
    },
    /// The regular expression matches the empty string, which would mask nothing visible
    /// and count matches between every pair of characters.
    #[error("custom pattern {label:?} matches the empty string: require at least one character")]
    PatternMatchesEmpty { label: String },
    /// The replacement would itself be masked again by the same pattern, so masking twice
    /// would not give the same text as masking once.
    #[error("custom pattern {label:?} matches its own replacement {replacement:?}: choose a replacement the pattern does not match")]
    ReplacementMatchesPattern { label: String, replacement: String },
}

impl MaskingConfig {
    /// Parses a configuration from JSON.
    pub fn from_json(text: &str) -> Result<MaskingConfig, ConfigError> {
        serde_json::from_str(text).map_err(ConfigError::InvalidDocument)
    }
}

/// Returns whether `label` is uppercase ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_valid_label(label: &str) -> bool {
    let mut bytes = label.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_uppercase())
        && bytes.all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_')
}
