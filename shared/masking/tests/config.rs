//! Tenant configuration: custom patterns, validators and built-in kinds turned off.

use causeflow_masking::{BuiltinKind, ConfigError, Masker, MaskingConfig};

fn masker_from(json: &str) -> Result<Masker, ConfigError> {
    Masker::from_config(&MaskingConfig::from_json(json)?)
}

#[test]
fn custom_pattern_masks_with_default_replacement() {
    let masker = masker_from(
        r#"{"custom_patterns": [{"label": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}]}"#,
    )
    .expect("valid configuration");
    let masked = masker.mask_text("badge EMP-123456 and EMP-12");
    assert_eq!(masked.value, "badge [EMPLOYEE_ID] and EMP-12");
    assert_eq!(masked.counts.get("EMPLOYEE_ID"), Some(&1));
}

#[test]
fn custom_pattern_uses_literal_replacement() {
    let masker = masker_from(
        r#"{"custom_patterns": [{"label": "ORDER", "pattern": "ord_[a-z0-9]{8}", "replacement": "ord_$1***"}]}"#,
    )
    .expect("valid configuration");
    assert_eq!(masker.mask_text("id ord_ab12cd34").value, "id ord_$1***");
}

#[test]
fn custom_validator_filters_matches() {
    let masker = masker_from(
        r#"{"disabled_kinds": ["CREDIT_CARD"],
            "custom_patterns": [{"label": "ACCOUNT", "pattern": "acct:[0-9]{8}", "validator": "luhn"}]}"#,
    )
    .expect("valid configuration");
    let masked = masker.mask_text("acct:79927398 acct:79927391");
    assert_eq!(masked.value, "[ACCOUNT] acct:79927391");
    assert_eq!(masked.counts.get("ACCOUNT"), Some(&1));
}

#[test]
fn custom_cpf_validator_checks_digits() {
    let masker = masker_from(
        r#"{"disabled_kinds": ["CPF"],
            "custom_patterns": [{"label": "TAX_ID", "pattern": "tax#[0-9]{11}", "validator": "cpf"}]}"#,
    )
    .expect("valid configuration");
    assert_eq!(
        masker.mask_text("tax#12345678909 tax#12345678900").value,
        "[TAX_ID] tax#12345678900"
    );
}

#[test]
fn custom_patterns_see_full_width_text_folded() {
    let masker = masker_from(
        r#"{"custom_patterns": [{"label": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}]}"#,
    )
    .expect("valid configuration");
    assert_eq!(
        masker.mask_text("ＥＭＰ－１２３４５６!").value,
        "[EMPLOYEE_ID]!"
    );
}

#[test]
fn disabled_kinds_left_alone() {
    let masker =
        masker_from(r#"{"disabled_kinds": ["PHONE", "EMAIL"]}"#).expect("valid configuration");
    assert!(!masker.is_enabled(BuiltinKind::Phone));
    assert!(!masker.is_enabled(BuiltinKind::Email));
    assert!(masker.is_enabled(BuiltinKind::Cpf));
    let masked = masker.mask_text("ana@example.com +55 11 99999-9999 123.456.789-09");
    assert_eq!(masked.value, "ana@example.com +55 11 99999-9999 [CPF]");
}

#[test]
fn invalid_regex_rejected_at_load() {
    let error = masker_from(r#"{"custom_patterns": [{"label": "BAD", "pattern": "EMP-[0-9"}]}"#)
        .expect_err("unclosed class must be rejected");
    assert!(
        matches!(&error, ConfigError::InvalidPattern { label, .. } if label == "BAD"),
        "{error:?}"
    );
    assert!(error.to_string().contains("\"BAD\""), "{error}");
}

#[test]
fn backreference_rejected_at_load() {
    let error = masker_from(r#"{"custom_patterns": [{"label": "REPEAT", "pattern": "(a)\\1"}]}"#)
        .expect_err("backreferences are not supported");
    assert!(
        matches!(error, ConfigError::InvalidPattern { .. }),
        "{error:?}"
    );
}

#[test]
fn empty_matching_pattern_rejected() {
    let error = masker_from(r#"{"custom_patterns": [{"label": "ANY", "pattern": "x*"}]}"#)
        .expect_err("a pattern matching the empty string must be rejected");
    assert!(
        matches!(&error, ConfigError::PatternMatchesEmpty { label } if label == "ANY"),
        "{error:?}"
    );
}

#[test]
fn self_matching_replacement_rejected() {
    let error = masker_from(
        r#"{"custom_patterns": [{"label": "CODE", "pattern": "[A-Z]{4}", "replacement": "XXXX"}]}"#,
    )
    .expect_err("a replacement the pattern matches must be rejected");
    assert!(
        matches!(&error, ConfigError::ReplacementMatchesPattern { label, .. } if label == "CODE"),
        "{error:?}"
    );
}

#[test]
fn invalid_and_duplicate_labels_rejected() {
    let lowercase = masker_from(r#"{"custom_patterns": [{"label": "lower", "pattern": "x"}]}"#)
        .expect_err("lowercase label");
    assert!(
        matches!(lowercase, ConfigError::InvalidLabel { .. }),
        "{lowercase:?}"
    );

    let builtin = masker_from(r#"{"custom_patterns": [{"label": "EMAIL", "pattern": "x"}]}"#)
        .expect_err("label of a built-in kind");
    assert!(
        matches!(builtin, ConfigError::DuplicateLabel { .. }),
        "{builtin:?}"
    );

    let twice = masker_from(
        r#"{"custom_patterns": [{"label": "A", "pattern": "x"}, {"label": "A", "pattern": "y"}]}"#,
    )
    .expect_err("label used twice");
    assert!(
        matches!(twice, ConfigError::DuplicateLabel { .. }),
        "{twice:?}"
    );
}

#[test]
fn unknown_fields_and_names_rejected() {
    for json in [
        r#"{"disabled_kinds": ["FAX"]}"#,
        r#"{"custom_patterns": [{"label": "A", "pattern": "x", "validator": "iban"}]}"#,
        r#"{"custom": []}"#,
    ] {
        let error = MaskingConfig::from_json(json).expect_err(json);
        assert!(
            matches!(error, ConfigError::InvalidDocument(_)),
            "{json}: {error:?}"
        );
    }
}

#[test]
fn empty_config_equals_builtin() {
    let masker = masker_from("{}").expect("empty configuration");
    let line = "ana@example.com 4111111111111111";
    assert_eq!(masker.mask_text(line), Masker::builtin().mask_text(line));
}
