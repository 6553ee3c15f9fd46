//! Output of `causeflow investigate` after the run, and the file its logs go to.

use std::path::Path;
use std::process::ExitCode;

use causeflow_domain::audit::AuditEventType;
use causeflow_runner::ExecutionStatus;

use crate::investigate::RunOutcome;

/// Sends the functions' JSON logs to `logs.jsonl` in the output folder, so the terminal shows
/// the steps and the logs stay searchable.
pub fn init_log_file(out_dir: &Path) {
    if std::fs::create_dir_all(out_dir).is_err() {
        return;
    }
    let Ok(file) = std::fs::File::create(out_dir.join("logs.jsonl")) else { return };
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")))
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

/// Prints how the approval ended and what the remediation did, from the audit trail.
fn print_approval_and_remediation(outcome: &RunOutcome) {
    let decisions = [
        AuditEventType::ApprovalGranted,
        AuditEventType::ApprovalRejected,
        AuditEventType::ApprovalExpired,
        AuditEventType::ApprovalUnavailable,
        AuditEventType::RemediationSucceeded,
        AuditEventType::RemediationFailed,
    ];
    let lines: Vec<String> = outcome
        .audit
        .iter()
        .filter(|record| decisions.contains(&record.event_type))
        .map(|record| format!("{:<22} by {:<18} {}", record.event_type.as_str(), record.actor, record.details))
        .collect();
    if lines.is_empty() {
        return;
    }
    println!("== approval and remediation ==");
    for line in lines {
        println!("{line}");
    }
    let updates = outcome.slack.requests().iter().filter(|request| request.method == "chat.update").count();
    println!("Slack message updated {updates} time(s)\n");
}

/// Prints the report, the audit trail and its verification; fails when the chain does not
/// verify or the execution did not end cleanly.
pub fn print_outcome(outcome: &RunOutcome) -> ExitCode {
    println!();
    println!("== scenario: {} ==", outcome.scenario.name);
    println!("{}", outcome.scenario.description);
    println!("expected: top cause {}, action {}", outcome.scenario.expected.top_cause, outcome.scenario.expected.action.as_deref().unwrap_or("none"));
    if let Some(conclusion) = &outcome.scenario.conclusion {
        println!("a good investigator concludes: {conclusion}");
    }

    // With an approval, the report was printed before the Slack message, as a person reads
    // it before deciding.
    if outcome.approval.is_none() {
        println!();
        match &outcome.report {
            Some((_, markdown)) => println!("{markdown}"),
            None => println!("(no report: the investigation ended before analysis)"),
        }
    }
    print_approval_and_remediation(outcome);

    println!("== audit trail ==");
    for record in &outcome.audit {
        println!("{:>3}  {}  {:<22} {:<18} {}", record.seq, record.at, record.event_type.as_str(), record.actor, &record.hash[..16]);
    }
    let verified = match &outcome.verification {
        Ok(summary) => {
            println!("audit trail verifies: {} records, head {}", summary.records, summary.head_hash);
            if let Some(warning) = crate::audit::tail_warning(&outcome.audit) {
                println!("warning: {warning}");
            }
            true
        }
        Err(error) => {
            println!("audit trail does NOT verify: {error}");
            false
        }
    };

    if let Some(investigation) = &outcome.investigation {
        let revoked = outcome.revocation_policy.contains(investigation.investigation_id.as_str());
        println!(
            "revocation policy {} {} investigation {}",
            outcome.loaded.tenant.revocation_policy_arn,
            if revoked { "denies every session of" } else { "does NOT list" },
            investigation.investigation_id
        );
    }

    println!();
    println!("execution: {:?}{}", outcome.execution.status, outcome.execution.error.as_ref().map(|error| format!(" ({error})")).unwrap_or_default());
    let written: Vec<&str> = crate::investigate::OUTPUT_FILES
        .iter()
        .copied()
        .chain(std::iter::once("logs.jsonl"))
        .filter(|name| outcome.out_dir.join(name).exists())
        .collect();
    println!("files written to {}/: {}", outcome.out_dir.display(), written.join(", "));
    println!(
        "verify again with: cargo run -q -p causeflow-cli --bin causeflow -- audit verify --file {}/audit-trail.json",
        outcome.out_dir.display()
    );

    let clean = matches!(outcome.execution.status, ExecutionStatus::Succeeded);
    if verified && clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
