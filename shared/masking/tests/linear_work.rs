//! The scanners' work grows linearly with the input on adversarial inputs. Work is counted
//! (bytes examined, validator calls), never timed.

use causeflow_masking::{Masker, MaskingConfig, ScanWork};

/// Input sizes compared: work on the larger one may be at most `MAX_GROWTH` times the work
/// on the smaller one. Linear work gives a factor near `LARGE / SMALL` = 4; quadratic 16.
const SMALL: usize = 20_000;
const LARGE: usize = 80_000;
const MAX_GROWTH: f64 = 4.5;
/// Upper bound on bytes examined per input byte, across all scanners together.
const MAX_BYTES_EXAMINED_PER_BYTE: u64 = 64;

/// Repeats `unit` until the text is at least `length` bytes long.
fn repeat_to(unit: &str, length: usize) -> String {
    unit.repeat(length.div_ceil(unit.len()))
}

fn adversarial_units() -> Vec<&'static str> {
    vec![
        ".",
        "1",
        "@",
        "a@",
        "@a",
        "a.",
        "a@b.",
        "a.b@",
        "a.a.a.a.a.a@",
        "-",
        "1.",
        "1-",
        "1 ",
        "4111 ",
        "4111-",
        "(11) ",
        "+1 ",
        "+",
        "(",
        "9",
        "99999-",
        "eyJ",
        "eyJ.",
        "eyJhbGciOiJub25lIn0.",
        "bearer ",
        "Bearer Bearer1",
        "bearerbearer",
        "＠",
        "１",
        "ａ＠ｂ．",
        "\\n1",
        "x@1.2.3.",
    ]
}

fn work_for(masker: &Masker, text: &str) -> ScanWork {
    masker.mask_text_with_work(text).1
}

fn assert_linear(masker: &Masker, unit: &str) {
    let small_text = repeat_to(unit, SMALL);
    let large_text = repeat_to(unit, LARGE);
    let small = work_for(masker, &small_text);
    let large = work_for(masker, &large_text);
    let size_ratio = large_text.len() as f64 / small_text.len() as f64;

    let byte_growth = large.bytes_examined as f64 / small.bytes_examined.max(1) as f64;
    assert!(
        byte_growth <= MAX_GROWTH * size_ratio / 4.0,
        "unit {unit:?}: bytes examined grew {byte_growth:.2}x for {size_ratio:.2}x input ({small:?} -> {large:?})"
    );
    let validator_growth = large.validator_calls as f64 / small.validator_calls.max(1) as f64;
    assert!(
        validator_growth <= MAX_GROWTH * size_ratio / 4.0,
        "unit {unit:?}: validator calls grew {validator_growth:.2}x for {size_ratio:.2}x input"
    );
    assert!(
        large.bytes_examined <= MAX_BYTES_EXAMINED_PER_BYTE * large_text.len() as u64,
        "unit {unit:?}: {} bytes examined for {} input bytes",
        large.bytes_examined,
        large_text.len()
    );
    assert!(
        large.validator_calls <= large_text.len() as u64,
        "unit {unit:?}: {} validator calls for {} input bytes",
        large.validator_calls,
        large_text.len()
    );
}

#[test]
fn builtin_work_linear_on_adversarial_inputs() {
    let masker = Masker::builtin();
    for unit in adversarial_units() {
        assert_linear(&masker, unit);
    }
}

#[test]
fn custom_pattern_work_linear_on_adversarial_inputs() {
    let config = MaskingConfig::from_json(
        r#"{"custom_patterns": [{"label": "ACCOUNT", "pattern": "[0-9][0-9 .-]{6,30}[0-9]", "validator": "luhn"}]}"#,
    )
    .expect("valid configuration");
    let masker = Masker::from_config(&config).expect("valid pattern");
    for unit in adversarial_units() {
        assert_linear(&masker, unit);
    }
}

#[test]
fn work_counters_see_every_scan() {
    let text = repeat_to("a@b.c 1 ", SMALL);
    let work = work_for(&Masker::builtin(), &text);
    assert!(work.bytes_examined >= text.len() as u64, "{work:?}");
    assert!(work.validator_calls == 0, "{work:?}");
}
