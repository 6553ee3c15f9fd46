//! `causeflow audit verify --file`: exits 0 and prints the record count for an intact trail,
//! and exits 1 naming the record, the gap or the file for a broken one.
//!
//! The tests run the built `causeflow` binary at `target/debug/causeflow`. Cargo builds that
//! binary only for the CLI package's own tests, so when it is missing they call
//! `causeflow_cli::audit::verify_file` and print the output that `main` would print.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use causeflow_domain::audit::{AuditEvent, AuditEventType, AuditRecord};
use causeflow_domain::{InvestigationId, TenantId};
use chrono::{TimeZone, Utc};
use serde_json::json;

use common::temp_dir;

const TRAIL_LENGTH: usize = 4;

/// Exit code and output of one `audit verify` run.
struct VerifyRun {
    code: i32,
    stdout: String,
    stderr: String,
}

fn binary_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("debug").join("causeflow")
}

fn verify(file: &Path) -> VerifyRun {
    let binary = binary_path();
    if binary.exists() {
        let output = Command::new(&binary).args(["audit", "verify", "--file"]).arg(file).output().expect("causeflow binary starts");
        return VerifyRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
    }

    eprintln!("{} is missing: calling causeflow_cli::audit::verify_file instead", binary.display());
    // NOTE: these two lines copy the output format of `audit verify` in cli/src/main.rs, so
    // this path checks the verification but not the binary's printing.
    match causeflow_cli::audit::verify_file(file) {
        Ok((summary, warning)) => VerifyRun {
            code: 0,
            stdout: format!("audit trail verifies: {} records, head {}\n", summary.records, summary.head_hash),
            stderr: warning.map(|warning| format!("warning: {warning}\n")).unwrap_or_default(),
        },
        Err(error) => VerifyRun { code: 1, stdout: String::new(), stderr: format!("error: {error}\n") },
    }
}

fn trail() -> Vec<AuditRecord> {
    let tenant = TenantId::parse("acme").expect("valid tenant id");
    let investigation = InvestigationId::for_event(&tenant, "exported-trail");
    let event_types = [
        AuditEventType::InvestigationOpened,
        AuditEventType::CredentialsIssued,
        AuditEventType::CredentialsRevoked,
        AuditEventType::InvestigationClosed,
    ];
    let mut records: Vec<AuditRecord> = Vec::new();
    for (step, event_type) in event_types.into_iter().enumerate() {
        let event = AuditEvent {
            event_type,
            actor: format!("function-{step}"),
            at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, step as u32).single().expect("valid time"),
            details: json!({ "step": step }),
        };
        let record = AuditRecord::next(&tenant, &investigation, records.last(), event);
        records.push(record);
    }
    records
}

fn write_trail(label: &str, records: &[AuditRecord]) -> PathBuf {
    let path = temp_dir(label).join("audit-trail.json");
    let json = serde_json::to_vec_pretty(records).expect("records encode");
    std::fs::write(&path, json).expect("trail file is written");
    path
}

#[test]
fn intact_trail_exits_zero_with_count() {
    let records = trail();
    let path = write_trail("verify-intact", &records);

    let run = verify(&path);

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let head = &records[TRAIL_LENGTH - 1].hash;
    assert_eq!(run.stdout.trim(), format!("audit trail verifies: {TRAIL_LENGTH} records, head {head}"));
    assert_eq!(run.stderr, "");
}

#[test]
fn changed_actor_exits_one_naming_seq() {
    let mut records = trail();
    records[2].actor = "someone-else".to_string();
    let path = write_trail("verify-changed", &records);

    let run = verify(&path);

    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    assert!(run.stderr.contains("record 2 was changed after it was written"), "stderr: {}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn deleted_record_exits_one_naming_gap() {
    let mut records = trail();
    records.remove(1);
    let path = write_trail("verify-deleted", &records);

    let run = verify(&path);

    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    assert!(run.stderr.contains("record at position 1 has seq 2, expected 1"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("deleted"), "stderr: {}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn cut_tail_verifies_with_warning() {
    let mut records = trail();
    records.pop();
    let path = write_trail("verify-cut-tail", &records);

    let run = verify(&path);

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("3 records"), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("warning"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("credentials.revoked at seq 2, not investigation.closed"), "stderr: {}", run.stderr);
}

#[test]
fn reordered_records_exit_one_naming_position() {
    let mut records = trail();
    records.swap(1, 2);
    let path = write_trail("verify-reordered", &records);

    let run = verify(&path);

    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    assert!(run.stderr.contains("record at position 1 has seq 2, expected 1"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("reordered"), "stderr: {}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn non_json_file_exits_one_naming_file() {
    let path = temp_dir("verify-not-json").join("audit-trail.json");
    std::fs::write(&path, "seq,actor\n0,open_investigation\n").expect("file is written");

    let run = verify(&path);

    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    assert!(run.stderr.contains(&path.display().to_string()), "stderr `{}` names {}", run.stderr, path.display());
    assert!(run.stderr.contains("could not read audit trail file"), "stderr: {}", run.stderr);
    assert_eq!(run.stdout, "");
}
