//! `causeflow mask` as a shell pipeline uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mask(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_causeflow"))
        .arg("mask")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("causeflow starts");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn text_lines_are_masked_with_counts() {
    let output = mask(&["--counts"], "mail ana@example.com card 4111 1111 1111 1111\nnothing here 42\n");
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "mail [EMAIL] card [CREDIT_CARD]\nnothing here 42\n");
    let counts: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(counts["EMAIL"], 1);
    assert_eq!(counts["CREDIT_CARD"], 1);
}

#[test]
fn json_lines_stay_valid_json() {
    let output = mask(&["--json"], "{\"user\":\"bob@corp.local\",\"card\":4111111111111111,\"n\":3}\n");
    assert!(output.status.success());
    let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(line, serde_json::json!({"user": "[EMAIL]", "card": "[CREDIT_CARD]", "n": 3}));
}

#[test]
fn invalid_json_line_is_named_and_fails() {
    let output = mask(&["--json"], "{\"ok\":1}\n{bad\n{\"never\":\"a@b.io\"}\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "{\"ok\":1}\n", "nothing after the bad line is written");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn bad_configuration_is_rejected_before_reading() {
    let dir = std::env::temp_dir().join(format!("causeflow-mask-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("masking.json");
    std::fs::write(&path, r#"{"custom_patterns":[{"label":"ORDER","pattern":"ord-[0-9"}]}"#).unwrap();

    let output = mask(&["--config", path.to_str().unwrap()], "ord-123\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("masking.json"), "{stderr}");
}
