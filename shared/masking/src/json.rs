//! Structure-preserving masking of JSON values.

use serde_json::{Map, Value};

use crate::masker::Masker;
use crate::work::ScanWork;
use crate::MaskCounts;

/// Returns `value` with every string masked, object keys included, and every integer that
/// masks to something else (a card number or a CPF written as a number) replaced by the
/// masked text as a string. Arrays keep their length and objects their number of keys.
pub(crate) fn mask_value(
    masker: &Masker,
    value: &Value,
    counts: &mut MaskCounts,
    work: &mut ScanWork,
) -> Value {
    match value {
        Value::String(text) => Value::String(masker.mask_text_counting(text, counts, work)),
        Value::Number(number) if number.is_u64() || number.is_i64() => {
            let digits = number.to_string();
            let masked = masker.mask_text_counting(&digits, counts, work);
            if masked == digits {
                value.clone()
            } else {
                Value::String(masked)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| mask_value(masker, item, counts, work))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(mask_object(masker, fields, counts, work)),
        Value::Null | Value::Bool(_) | Value::Number(_) => value.clone(),
    }
}

fn mask_object(
    masker: &Masker,
    fields: &Map<String, Value>,
    counts: &mut MaskCounts,
    work: &mut ScanWork,
) -> Map<String, Value> {
    let mut masked = Map::new();
    for (key, field) in fields {
        let masked_key = masker.mask_text_counting(key, counts, work);
        let unique_key = unique_key(&masked, masked_key);
        masked.insert(unique_key, mask_value(masker, field, counts, work));
    }
    masked
}

/// Keeps keys distinct when two of them mask to the same text (`{"a@x.io": 1, "b@x.io": 2}`),
/// so that no field is lost: the later ones get `#2`, `#3` and so on.
fn unique_key(map: &Map<String, Value>, key: String) -> String {
    if !map.contains_key(&key) {
        return key;
    }
    let mut suffix = 2u64;
    loop {
        let candidate = format!("{key}#{suffix}");
        if !map.contains_key(&candidate) {
            return candidate;
        }
        suffix += 1;
    }
}
