//! Line-by-line masking of text and JSON Lines streams.

use std::io::Cursor;

use causeflow_masking::{mask_stream, MaskStreamError, Masker, StreamMode};

fn run(
    input: &str,
    mode: StreamMode,
) -> (
    Result<causeflow_masking::MaskCounts, MaskStreamError>,
    String,
) {
    let mut output = Vec::new();
    let result = mask_stream(
        &Masker::builtin(),
        Cursor::new(input.as_bytes()),
        &mut output,
        mode,
    );
    (
        result,
        String::from_utf8(output).expect("masked output is UTF-8"),
    )
}

#[test]
fn text_lines_masked_line_by_line() {
    let (result, output) = run(
        "mail ana@example.com\nno pii here\r\ncard 4111111111111111",
        StreamMode::TextLines,
    );
    let counts = result.expect("text stream masks");
    assert_eq!(output, "mail [EMAIL]\nno pii here\r\ncard [CREDIT_CARD]");
    assert_eq!(counts.get("EMAIL"), Some(&1));
    assert_eq!(counts.get("CREDIT_CARD"), Some(&1));
}

#[test]
fn json_lines_masked_and_compacted() {
    let input = "{\"email\": \"ana@example.com\"}\n\n[1, \"123.456.789-09\"]\n";
    let (result, output) = run(input, StreamMode::JsonLines);
    let counts = result.expect("JSON stream masks");
    assert_eq!(output, "{\"email\":\"[EMAIL]\"}\n\n[1,\"[CPF]\"]\n");
    assert_eq!(counts.get("EMAIL"), Some(&1));
    assert_eq!(counts.get("CPF"), Some(&1));
}

#[test]
fn invalid_json_line_named_and_not_written() {
    let input = "{\"a\": \"ana@example.com\"}\n{\"b\": \"bob@example.com\"\n{\"c\": 1}\n";
    let (result, output) = run(input, StreamMode::JsonLines);
    let error = result.expect_err("second line is not JSON");
    assert!(
        matches!(error, MaskStreamError::InvalidJson { line: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("line 2"), "{error}");
    assert_eq!(output, "{\"a\":\"[EMAIL]\"}\n");
}

#[test]
fn invalid_utf8_text_replaced_not_rejected() {
    let mut output = Vec::new();
    let input: &[u8] = b"caf\xE9 ana@example.com\n";
    let counts = mask_stream(
        &Masker::builtin(),
        input,
        &mut output,
        StreamMode::TextLines,
    )
    .expect("text mode accepts any bytes");
    assert_eq!(
        String::from_utf8(output).expect("output is UTF-8"),
        "caf\u{FFFD} [EMAIL]\n"
    );
    assert_eq!(counts.get("EMAIL"), Some(&1));
}

#[test]
fn empty_input_writes_nothing() {
    let (result, output) = run("", StreamMode::JsonLines);
    assert!(result.expect("empty input is fine").is_empty());
    assert_eq!(output, "");
}

#[test]
fn overlong_line_rejected_and_not_written() {
    let mut input = b"first ana@example.com\n".to_vec();
    input.extend(std::iter::repeat_n(
        b'x',
        causeflow_masking::MAX_LINE_BYTES + 1,
    ));
    input.extend_from_slice(b"\nlast\n");
    let mut output = Vec::new();
    let error = mask_stream(
        &Masker::builtin(),
        input.as_slice(),
        &mut output,
        StreamMode::TextLines,
    )
    .expect_err("second line is too long");
    assert!(
        matches!(error, MaskStreamError::LineTooLong { line: 2, .. }),
        "{error:?}"
    );
    assert_eq!(output, b"first [EMAIL]\n");
}
