//! `causeflow approval approve|reject`: sends the click a Slack button would send, signed with
//! the Slack app's signing secret, so a person can decide a waiting request from a terminal.

use std::io::Read;
use std::process::ExitCode;

use causeflow_slack::interaction::ApprovalChoice;
use clap::{Args, Subcommand};

use crate::click::{click, Click};

#[derive(Subcommand)]
pub enum ApprovalCommand {
    /// Click Approve.
    Approve(ClickArgs),
    /// Click Reject.
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
            if answer.status == 200 {
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
