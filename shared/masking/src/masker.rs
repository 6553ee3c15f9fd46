//! The masking engine: configuration, detection over normalized text, replacement.

use regex::{Regex, RegexBuilder};

use crate::apply::{apply_spans, select_disjoint};
use crate::config::{is_valid_label, ConfigError, MaskingConfig};
use crate::detect::{
    find_bearer_tokens, find_emails, find_jwts, find_numbers, NumberKinds, Rule, Span,
};
use crate::kind::BuiltinKind;
use crate::normalize::normalize;
use crate::validate::ValidatorName;
use crate::work::ScanWork;
use crate::{MaskCounts, Masked};

/// Maximum compiled size of one custom pattern, so that a tenant's pattern cannot make the
/// engine allocate without bound. Patterns over it are rejected at load time.
const CUSTOM_PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// The masking engine. Build it once and share it: masking takes `&self`.
#[derive(Debug, Clone)]
pub struct Masker {
    enabled: [bool; BuiltinKind::ALL.len()],
    custom: Vec<CustomRule>,
    /// Every replacement text, built-in and custom, which the scanners treat as a word.
    replacements: Vec<String>,
}

#[derive(Debug, Clone)]
struct CustomRule {
    label: String,
    replacement: String,
    regex: Regex,
    validator: Option<ValidatorName>,
}

impl Default for Masker {
    fn default() -> Masker {
        Masker::builtin()
    }
}

impl Masker {
    /// Builds a masker with all five built-in kinds on and no custom pattern.
    pub fn builtin() -> Masker {
        Masker::new([true; BuiltinKind::ALL.len()], Vec::new())
    }

    /// Builds a masker from a tenant's configuration, checking every custom pattern.
    pub fn from_config(config: &MaskingConfig) -> Result<Masker, ConfigError> {
        let mut enabled = [true; BuiltinKind::ALL.len()];
        for kind in &config.disabled_kinds {
            enabled[kind.index()] = false;
        }

        let mut custom: Vec<CustomRule> = Vec::with_capacity(config.custom_patterns.len());
        for pattern in &config.custom_patterns {
            let label = pattern.label.clone();
            if !is_valid_label(&label) {
                return Err(ConfigError::InvalidLabel { label });
            }
            let label_in_use = BuiltinKind::ALL.iter().any(|kind| kind.label() == label)
                || custom.iter().any(|rule| rule.label == label);
            if label_in_use {
                return Err(ConfigError::DuplicateLabel { label });
            }

            let regex = RegexBuilder::new(&pattern.pattern)
                .size_limit(CUSTOM_PATTERN_SIZE_LIMIT)
                .build()
                .map_err(|source| ConfigError::InvalidPattern {
                    label: label.clone(),
                    source,
                })?;
            if regex.is_match("") {
                return Err(ConfigError::PatternMatchesEmpty { label });
            }
            let replacement = pattern
                .replacement
                .clone()
                .unwrap_or_else(|| format!("[{label}]"));
            if regex.is_match(&replacement) {
                return Err(ConfigError::ReplacementMatchesPattern { label, replacement });
            }
            custom.push(CustomRule {
                label,
                replacement,
                regex,
                validator: pattern.validator,
            });
        }
        Ok(Masker::new(enabled, custom))
    }

    fn new(enabled: [bool; BuiltinKind::ALL.len()], custom: Vec<CustomRule>) -> Masker {
        let builtin = BuiltinKind::ALL
            .iter()
            .map(|kind| kind.replacement().to_string());
        let replacements = builtin
            .chain(custom.iter().map(|rule| rule.replacement.clone()))
            .collect();
        Masker {
            enabled,
            custom,
            replacements,
        }
    }

    /// Returns whether the built-in `kind` is masked.
    pub fn is_enabled(&self, kind: BuiltinKind) -> bool {
        self.enabled[kind.index()]
    }

    /// Masks every detected value of `text` and counts the replacements per label.
    pub fn mask_text(&self, text: &str) -> Masked<String> {
        self.mask_text_with_work(text).0
    }

    /// Masks `text` like [`Masker::mask_text`] and also returns the work the scanners did,
    /// which grows linearly with the input length on every input.
    pub fn mask_text_with_work(&self, text: &str) -> (Masked<String>, ScanWork) {
        let mut counts = MaskCounts::new();
        let mut work = ScanWork::default();
        let value = self.mask_text_counting(text, &mut counts, &mut work);
        (Masked { value, counts }, work)
    }

    /// Masks every string of `value` (object keys included) and every integer that is a card
    /// number or a CPF, keeping the document's shape.
    ///
    /// A masked integer becomes the replacement string (`4111111111111111` becomes
    /// `"[CREDIT_CARD]"`). Arrays keep their length and objects their number of keys: when
    /// two keys mask to the same text, the later ones get a suffix `#2`, `#3` and so on.
    /// Floating-point numbers are left alone, because a card number or CPF stored as one
    /// has already lost digits.
    pub fn mask_json(&self, value: &serde_json::Value) -> Masked<serde_json::Value> {
        let mut counts = MaskCounts::new();
        let mut work = ScanWork::default();
        let value = crate::json::mask_value(self, value, &mut counts, &mut work);
        Masked { value, counts }
    }

    pub(crate) fn mask_text_counting(
        &self,
        text: &str,
        counts: &mut MaskCounts,
        work: &mut ScanWork,
    ) -> String {
        let normalized = normalize(text, work);
        let spans = self.detect(&normalized.text, work);
        apply_spans(
            text,
            &normalized,
            &spans,
            |rule| self.label_and_replacement(rule),
            counts,
            work,
        )
    }

    /// Returns the spans to mask in `text`, sorted and disjoint.
    ///
    /// Values found from a marker (`@`, `bearer`, `eyJ`, a custom pattern) are selected
    /// first. Numbers are then looked for only between them and never touching them. A
    /// second pass over the masked text finds the same numbers, so masking is idempotent.
    fn detect(&self, text: &str, work: &mut ScanWork) -> Vec<Span> {
        let replacements = self.replacements.as_slice();
        let mut anchored = Vec::new();
        if self.is_enabled(BuiltinKind::Email) {
            find_emails(text, replacements, &mut anchored, work);
        }
        if self.is_enabled(BuiltinKind::Token) {
            find_bearer_tokens(text, replacements, &mut anchored, work);
            find_jwts(text, replacements, &mut anchored, work);
        }
        for (index, rule) in self.custom.iter().enumerate() {
            find_custom(text, index, rule, &mut anchored, work);
        }
        let selected = select_disjoint(anchored);

        let kinds = NumberKinds {
            card: self.is_enabled(BuiltinKind::CreditCard),
            cpf: self.is_enabled(BuiltinKind::Cpf),
            phone: self.is_enabled(BuiltinKind::Phone),
        };
        if !(kinds.card || kinds.cpf || kinds.phone) {
            return selected;
        }
        let mut numbers = Vec::new();
        find_numbers(text, &selected, kinds, replacements, &mut numbers, work);
        if numbers.is_empty() {
            return selected;
        }
        let mut spans = selected;
        spans.extend(numbers);
        spans.sort_unstable_by_key(|span| span.start);
        spans
    }

    fn label_and_replacement(&self, rule: Rule) -> (&str, &str) {
        match rule {
            Rule::Builtin(kind) => (kind.label(), kind.replacement()),
            Rule::Custom(index) => {
                let custom = &self.custom[index];
                (custom.label.as_str(), custom.replacement.as_str())
            }
        }
    }
}

fn find_custom(
    text: &str,
    index: usize,
    rule: &CustomRule,
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    // NOTE: the regex crate finds each match in time linear in the text. Its docs allow
    // iteration over all matches to be worse for some patterns, and this counts one pass.
    work.add_bytes(text.len());
    for found in rule.regex.find_iter(text) {
        if found.is_empty() {
            continue;
        }
        if let Some(validator) = rule.validator {
            work.add_validator_call();
            if !validator.accepts(found.as_str()) {
                continue;
            }
        }
        spans.push(Span {
            start: found.start(),
            end: found.end(),
            rule: Rule::Custom(index),
        });
    }
}
