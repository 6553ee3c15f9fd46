//! Fuzzes the JSON entry points: any input that parses as JSON must mask to a document that
//! serialises, parses again and has nothing left to mask, and JSON Lines streaming must not
//! panic on any bytes.
#![no_main]

use causeflow_masking::{mask_stream, Masker, StreamMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let masker = Masker::builtin();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let masked = masker.mask_json(&value);
        let text = serde_json::to_string(&masked.value).expect("a JSON value serialises");
        let reparsed: serde_json::Value = serde_json::from_str(&text).expect("masked JSON parses");
        assert_eq!(
            masker.mask_json(&reparsed).counts.len(),
            0,
            "second pass masked more in {text}"
        );
    }

    let mut output = Vec::new();
    let _ = mask_stream(&masker, data, &mut output, StreamMode::JsonLines);
});
