//! Fuzzes the text entry point: masking any UTF-8 text must not panic, and a second pass
//! over the masked text must change nothing and count nothing.
#![no_main]

use causeflow_masking::Masker;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let masker = Masker::builtin();
    let once = masker.mask_text(text);
    let twice = masker.mask_text(&once.value);
    assert_eq!(
        twice.value, once.value,
        "masking is not idempotent for {text:?}"
    );
    assert!(
        twice.counts.is_empty(),
        "second pass masked {:?} in {:?}",
        twice.counts,
        once.value
    );
});
