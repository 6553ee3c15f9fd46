use std::path::PathBuf;
use std::process::ExitCode;

use causeflow_cli::approval_driver::ApprovalMode;
use causeflow_cli::investigate::{run_investigation, RunOptions};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "causeflow", version, about = "CauseFlow: incident investigation with short-lived, scoped AWS credentials")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a whole investigation locally against moto: alarm, agents, report, revocation.
    Investigate {
        /// Scenario under scenarios/ to load.
        #[arg(long, default_value = "bad-deployment")]
        scenario: String,
        /// Folder the report, audit trail and execution history are written to.
        #[arg(long, default_value = "investigation-reports")]
        out: PathBuf,
        /// Make one function fail every call, to watch the investigation still end in revoke.
        #[arg(long, value_name = "FUNCTION")]
        fail_step: Option<String>,
        /// List the scenarios and exit.
        #[arg(long)]
        list: bool,
        /// The local approver's behaviour when an action is proposed. `approve` and `reject` click
        /// at once. `wait` prints how to decide from another terminal with `causeflow approval`,
        /// and waits for that decision or the request's expiry.
        #[arg(long, value_enum, default_value = "approve")]
        approval: ApprovalArg,
        /// Seconds an approval request stays open (60 to 86400); the scenario tenant's default
        /// is 3600.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(60..=86400))]
        approval_expiry: Option<u32>,
    },
    /// Approve or reject a waiting approval request, as a Slack button click would: a signed
    /// `block_actions` request sent to the interactivity URL. The signing secret is read from
    /// standard input.
    Approval {
        #[command(subcommand)]
        command: causeflow_cli::approval::ApprovalCommand,
    },
    /// Mask PII (emails, card numbers, phones, CPFs, bearer tokens) in standard input.
    Mask {
        /// Read JSON Lines and keep each document valid; the default is plain text lines.
        #[arg(long)]
        json: bool,
        /// A tenant's masking configuration (JSON: disabled kinds and custom patterns).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print the counts of masked values per kind to standard error when done.
        #[arg(long)]
        counts: bool,
    },
    /// Integration secrets under KMS envelope encryption. Secrets are read from standard input.
    Secrets {
        #[command(subcommand)]
        command: causeflow_cli::secrets::SecretsCommand,
    },
    /// Audit trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ApprovalArg {
    /// Click Approve as the scenario tenant's first approver.
    Approve,
    /// Click Reject as the scenario tenant's first approver.
    Reject,
    /// Print how to approve or reject from another terminal, and wait for that decision or the
    /// request's expiry.
    Wait,
}

impl From<ApprovalArg> for ApprovalMode {
    fn from(arg: ApprovalArg) -> ApprovalMode {
        match arg {
            ApprovalArg::Approve => ApprovalMode::Approve,
            ApprovalArg::Reject => ApprovalMode::Reject,
            ApprovalArg::Wait => ApprovalMode::Manual,
        }
    }
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify an audit trail's hash chain and print where it breaks, if it does.
    Verify {
        /// An exported trail (the audit-trail.json `investigate` writes).
        #[arg(long, conflicts_with_all = ["tenant", "investigation"])]
        file: Option<PathBuf>,
        /// Tenant id, to read the trail from the audit table (CAUSEFLOW_AUDIT_TABLE).
        #[arg(long, requires = "investigation")]
        tenant: Option<String>,
        /// Investigation id, to read the trail from the audit table.
        #[arg(long, requires = "tenant")]
        investigation: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Approval { command } => causeflow_cli::approval::run(command, std::io::stdin()).await,
        Command::Investigate { scenario, out, fail_step, list, approval, approval_expiry } => {
            if list {
                for name in causeflow_local::scenario::available() {
                    println!("{name}");
                }
                return ExitCode::SUCCESS;
            }
            let available = causeflow_local::scenario::available();
            if !available.contains(&scenario) {
                eprintln!("error: scenario `{scenario}` not found; available: {}", available.join(", "));
                return ExitCode::from(2);
            }
            let out = out.join(&scenario);
            causeflow_cli::report::init_log_file(&out);
            let options = RunOptions {
                fail_function: fail_step,
                print_progress: true,
                approval: approval.into(),
                approval_expiry_seconds: approval_expiry,
                ..RunOptions::new(&scenario, out)
            };
            match run_investigation(&options).await {
                Ok(outcome) => causeflow_cli::report::print_outcome(&outcome),
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Mask { json, config, counts } => {
            let masker = match causeflow_cli::mask::masker(config.as_deref()) {
                Ok(masker) => masker,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            };
            let stdout = std::io::stdout();
            match causeflow_cli::mask::run(&masker, json, std::io::stdin().lock(), std::io::BufWriter::new(stdout.lock())) {
                Ok(masked) => {
                    if counts {
                        eprintln!("{}", serde_json::to_string(&masked).unwrap_or_default());
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Secrets { command } => match causeflow_cli::secrets::run(command, std::io::stdin(), std::io::stdout()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        Command::Audit { command: AuditCommand::Verify { file, tenant, investigation } } => {
            let result = match (file, tenant, investigation) {
                (Some(file), _, _) => causeflow_cli::audit::verify_file(&file),
                (None, Some(tenant), Some(investigation)) => causeflow_cli::audit::verify_stored(&tenant, &investigation).await,
                _ => {
                    eprintln!("error: give --file, or --tenant and --investigation");
                    return ExitCode::from(2);
                }
            };
            match result {
                Ok((summary, warning)) => {
                    println!("audit trail verifies: {} records, head {}", summary.records, summary.head_hash);
                    if let Some(warning) = warning {
                        eprintln!("warning: {warning}");
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
