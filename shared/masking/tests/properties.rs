//! Properties over generated inputs: JSON stays valid with the same shape, and masking is
//! idempotent.

use causeflow_masking::Masker;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Pieces that combine into text near the detectors' edges: values of every kind, their
/// look-alikes, separators and full-width characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ana@example.com".to_string()),
        Just("logo@2x.png".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("4111111111111111".to_string()),
        Just("6362970000457013".to_string()),
        Just("123.456.789-09".to_string()),
        Just("12345678909".to_string()),
        Just("+55 11 99999-9999".to_string()),
        Just("(11) 3333-4444".to_string()),
        Just("99999-9999".to_string()),
        Just("Bearer abc123def456".to_string()),
        Just("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln".to_string()),
        Just("１２３．４５６．７８９－０９".to_string()),
        Just("＠".to_string()),
        Just("2024-01-15".to_string()),
        Just("[EMAIL]".to_string()),
        "[ .@+()\\-_,:/]{1,3}",
        "[0-9]{1,12}",
        "[a-zA-Z]{1,6}",
        "\\PC{1,4}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..12).prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(4111111111111111u64),
            Just(12345678909u64),
            any::<u64>()
        ]
        .prop_map(Value::from),
        (-1.0e12f64..1.0e12).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6).prop_map(|fields| Value::Object(
                fields.into_iter().collect::<Map<String, Value>>()
            )),
        ]
    })
}

/// Returns whether `masked` has the shape of `original`: the same nesting, array lengths
/// and key counts, with numbers allowed to become strings.
fn same_shape(original: &Value, masked: &Value) -> bool {
    match (original, masked) {
        (Value::Null, Value::Null)
        | (Value::Bool(_), Value::Bool(_))
        | (Value::String(_), Value::String(_)) => true,
        (Value::Number(_), Value::Number(_) | Value::String(_)) => true,
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(a, b)| same_shape(a, b))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len() && {
                let mut left_values: Vec<&Value> = left.values().collect();
                let mut right_values: Vec<&Value> = right.values().collect();
                left_values.sort_by_key(|value| shape_key(value));
                right_values.sort_by_key(|value| shape_key(value));
                left_values
                    .iter()
                    .zip(&right_values)
                    .all(|(a, b)| shape_key(a) == shape_key(b))
            }
        }
        _ => false,
    }
}

/// Describes a value's shape coarsely, to compare objects whose keys changed.
fn shape_key(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(_) => "bool".to_string(),
        Value::Number(_) | Value::String(_) => "scalar".to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(shape_key).collect::<Vec<_>>().join(",")
        ),
        Value::Object(fields) => {
            let mut parts: Vec<String> = fields.values().map(shape_key).collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn masked_json_stays_valid_with_same_shape(value in json_value()) {
        let masked = Masker::builtin().mask_json(&value);
        let serialised = serde_json::to_string(&masked.value).expect("a JSON value serialises");
        let reparsed: Value = serde_json::from_str(&serialised).expect("masked JSON parses");
        prop_assert!(same_shape(&masked.value, &reparsed), "{} reparsed as {}", masked.value, reparsed);
        prop_assert!(same_shape(&value, &masked.value), "{} became {}", value, masked.value);
    }

    #[test]
    fn text_masking_is_idempotent(input in text()) {
        let masker = Masker::builtin();
        let once = masker.mask_text(&input);
        let twice = masker.mask_text(&once.value);
        prop_assert_eq!(&twice.value, &once.value, "input {:?}", input);
        prop_assert!(twice.counts.is_empty(), "second pass counted {:?} in {:?}", twice.counts, once.value);
    }

    #[test]
    fn json_masking_is_idempotent(value in json_value()) {
        let masker = Masker::builtin();
        let once = masker.mask_json(&value);
        let twice = masker.mask_json(&once.value);
        prop_assert_eq!(&twice.value, &once.value);
        prop_assert!(twice.counts.is_empty(), "second pass counted {:?}", twice.counts);
    }

    #[test]
    fn plain_words_left_unchanged(input in "[a-z ]{0,40}") {
        let masked = Masker::builtin().mask_text(&input);
        prop_assert_eq!(&masked.value, &input);
    }
}
