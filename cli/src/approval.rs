//! `causeflow approval approve|reject`: sends the click a Slack button would send, signed with
//! the Slack app's signing secret, so a person can decide a waiting request from a terminal.

use std::io::Read;
use std::process::ExitCode;

use causeflow_slack::interaction::ApprovalChoice;
use clap::{Args, Subcommand};

use crate::click::{click, Click, ClickAnswer};

#[derive(Subcommand)]
pub enum ApprovalCommand {
    /// Click Approve. Reads the signing secret from standard input. Exits 0 when the request
    /// is approved by (or counts the approval of) this user, 1 when the click changed nothing
    /// or was not accepted, 2 on a usage error.
    Approve(ClickArgs),
    /// Click Reject. Reads the signing secret from standard input. Exits 0 when the request is
    /// rejected by this user, 1 when the click changed nothing or was not accepted, 2 on a
    /// usage error.
    Reject(ClickArgs),
}

#[derive(Args)]
pub struct ClickArgs {
    /// The tenant's interactivity URL, as `causeflow investigate --approval wait` prints it.
    #[arg(long)]
    url: String,
    /// The approval id the message's buttons carry (`apr-` and 32 hex digits).
    #[arg(long)]
    approval: String,
    /// Slack user id of the person deciding, such as `U0ONCALL01`.
    #[arg(long)]
    user: String,
    /// Slack workspace id the click comes from, such as `T0ACME0001`.
    #[arg(long)]
    team: String,
}

/// Reads the signing secret from `input`, sends the click and prints the response. Exits 0 on
/// HTTP 200, 1 otherwise.
pub async fn run(command: ApprovalCommand, mut input: impl Read) -> ExitCode {
    let (args, choice) = match command {
        ApprovalCommand::Approve(args) => (args, ApprovalChoice::Approve),
        ApprovalCommand::Reject(args) => (args, ApprovalChoice::Reject),
    };
    let mut secret = String::new();
    if input.read_to_string(&mut secret).is_err() || secret.trim().is_empty() {
        eprintln!("error: pipe the Slack signing secret into standard input; it is never taken from an argument");
        return ExitCode::from(2);
    }
    let request = Click { team_id: args.team, user_id: args.user, approval_id: args.approval, choice };
    match click(&args.url, secret.trim().as_bytes(), &request).await {
        Ok(answer) => {
            println!("HTTP {} {}", answer.status, answer.body);
            let (took_effect, summary) = describe(&answer, &request);
            println!("{summary}");
            if took_effect {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Says in one line what the click did, and whether the stored state is this user's choice:
/// decided or counted as chosen. A repeat of one's own click looks the same, because the
/// endpoint returns the stored state. A request decided otherwise, or expired, was not changed.
fn describe(answer: &ClickAnswer, click: &Click) -> (bool, String) {
    if answer.status != 200 {
        let error = answer.body.get("error").and_then(|error| error.as_str()).unwrap_or("no error message");
        return (false, format!("click not accepted (HTTP {}): {error}", answer.status));
    }
    let status = answer.body.get("status").and_then(|status| status.as_str()).unwrap_or("unknown");
    let decided_by = answer.body.get("decided_by").and_then(|by| by.as_array()).map(|by| {
        by.iter().filter_map(|user| user.as_str()).collect::<Vec<_>>().join(" and ")
    });
    let decided_at = answer.body.get("decided_at").and_then(|at| at.as_str()).unwrap_or("?");
    let counted = answer
        .body
        .get("approved_by")
        .and_then(|by| by.as_array())
        .is_some_and(|by| by.iter().any(|user| user.as_str() == Some(click.user_id.as_str())));
    match (click.choice, status) {
        (ApprovalChoice::Approve, "approved") if counted => (true, format!("approved by {} at {decided_at}", decided_by.unwrap_or_default())),
        (ApprovalChoice::Reject, "rejected") if decided_by.as_deref() == Some(click.user_id.as_str()) => {
            (true, format!("rejected by {} at {decided_at}", click.user_id))
        }
        (ApprovalChoice::Approve, "pending") if counted => {
            let missing = answer.body.get("approvals_missing").and_then(|missing| missing.as_u64()).unwrap_or(0);
            (true, format!("approval by {} counted; {missing} more approver(s) needed", click.user_id))
        }
        (_, "expired") => (false, "the request expired; this click changed nothing".to_string()),
        (_, other) => (
            false,
            format!(
                "this click changed nothing: the request is already {other}{}",
                decided_by.map(|by| format!(" by {by} at {decided_at}")).unwrap_or_default()
            ),
        ),
    }
}
