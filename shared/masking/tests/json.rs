//! Structure-preserving masking of JSON values.

use causeflow_masking::Masker;
use serde_json::json;

#[test]
fn strings_masked_in_nested_document() {
    let row = json!({
        "user": {"email": "ana@example.com", "phones": ["+55 11 99999-9999", "n/a"]},
        "note": "paid with 4111 1111 1111 1111",
        "ok": true,
        "latency_ms": 37.5,
        "missing": null
    });
    let masked = Masker::builtin().mask_json(&row);
    assert_eq!(
        masked.value,
        json!({
            "user": {"email": "[EMAIL]", "phones": ["[PHONE]", "n/a"]},
            "note": "paid with [CREDIT_CARD]",
            "ok": true,
            "latency_ms": 37.5,
            "missing": null
        })
    );
    assert_eq!(masked.counts.get("EMAIL"), Some(&1));
    assert_eq!(masked.counts.get("PHONE"), Some(&1));
    assert_eq!(masked.counts.get("CREDIT_CARD"), Some(&1));
}

#[test]
fn integer_card_and_cpf_become_strings() {
    let row = json!({"card": 4111111111111111u64, "cpf": 12345678909u64, "id": 1733342477127u64, "neg": -5});
    let masked = Masker::builtin().mask_json(&row);
    assert_eq!(
        masked.value,
        json!({"card": "[CREDIT_CARD]", "cpf": "[CPF]", "id": 1733342477127u64, "neg": -5})
    );
    assert_eq!(masked.counts.get("CREDIT_CARD"), Some(&1));
    assert_eq!(masked.counts.get("CPF"), Some(&1));
}

#[test]
fn float_numbers_left_alone() {
    let row = json!([4.111111111111111e15, 0.5]);
    let masked = Masker::builtin().mask_json(&row);
    assert_eq!(masked.value, row);
    assert!(masked.counts.is_empty());
}

#[test]
fn colliding_keys_stay_distinct() {
    let row = json!({"ana@example.com": 1, "bob@example.com": 2, "plain": 3});
    let masked = Masker::builtin().mask_json(&row);
    let object = masked
        .value
        .as_object()
        .expect("masking keeps an object an object");
    assert_eq!(object.len(), 3);
    assert_eq!(object.get("[EMAIL]"), Some(&json!(1)));
    assert_eq!(object.get("[EMAIL]#2"), Some(&json!(2)));
    assert_eq!(object.get("plain"), Some(&json!(3)));
    assert_eq!(masked.counts.get("EMAIL"), Some(&2));
}

#[test]
fn document_without_pii_is_unchanged() {
    let row = json!({"status": 200, "path": "/api/v1/orders/12345", "at": "2026-12-04T20:31:17Z"});
    let masked = Masker::builtin().mask_json(&row);
    assert_eq!(masked.value, row);
    assert!(masked.counts.is_empty());
}
