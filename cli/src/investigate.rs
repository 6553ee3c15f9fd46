//! `causeflow investigate`: runs one whole investigation locally, from a scenario's alarm
//! event to the report and the verified audit trail.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use causeflow_domain::audit::{verify_chain, AuditRecord, ChainError, ChainSummary};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::report::Report;
use causeflow_lambda::Platform;
use causeflow_local::scenario::{LoadedScenario, Scenario, ScenarioError};
use causeflow_local::stack::StackError;
use causeflow_local::LocalStack;
use causeflow_runner::{render_history, CallbackServer, ExecutionOutcome, HistoryEvent, LambdaHandlers, LambdaInvoker, Runner, TaskFailure};
use tokio::task::JoinHandle;
use serde_json::Value;

use causeflow_local::scenario::{SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, TENANT_ID};
use causeflow_slack::stand_in::SlackStandIn;
use tokio::sync::watch;

use crate::approval_driver::{self, ApprovalMode, ApprovalSeen};
use crate::functions::{function_arn, handlers, substitutions};
use crate::slack_endpoint::SlackEndpoint;
use crate::progress::Progress;

/// The one state machine definition, shared with the SAM template.
pub const DEFINITION: &str = include_str!("../../statemachines/investigation.asl.json");

#[derive(Debug, thiserror::Error)]
pub enum InvestigateError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error("the state machine definition is not runnable: {0}")]
    Definition(#[from] causeflow_runner::AslError),
    #[error("could not start the execution: {0}")]
    Start(#[from] causeflow_runner::StartExecutionError),
    #[error("could not start the task-callback endpoint: {0}")]
    Callbacks(#[from] causeflow_runner::CallbackServerError),
    #[error("reading results from the local stack failed: {0}")]
    Read(#[from] causeflow_aws::AwsError),
    #[error("could not write {path}: {error}")]
    Write { path: String, error: std::io::Error },
    #[error("`--fail-step {0}` names no function that can be made to fail; use one of {1} (revoke always runs)")]
    UnknownStep(String, String),
    #[error("could not start the local Slack: {0}")]
    Slack(#[from] causeflow_slack::stand_in::StandInError),
    #[error("could not set up the local approval path: {0}")]
    ApprovalSetup(String),
}

/// Options of one local run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub scenario: String,
    pub out_dir: PathBuf,
    /// Makes this function fail every call, to show that the investigation still ends in
    /// `revoke`. `revoke` itself cannot be chosen.
    pub fail_function: Option<String>,
    /// Print each step as it happens.
    pub print_progress: bool,
    /// The local approver's behaviour when an action is proposed.
    pub approval: ApprovalMode,
    /// Overrides the scenario tenant's approval expiry, in seconds.
    pub approval_expiry_seconds: Option<u32>,
    /// Overrides how many distinct approvers the scenario tenant requires (1 or 2).
    pub required_approvals: Option<u8>,
    /// Makes the local Slack fail the first `chat.postMessage` with this error code.
    pub slack_post_error: Option<String>,
}

impl RunOptions {
    /// Options for `scenario` with everything else at its default: approve, no fault.
    pub fn new(scenario: &str, out_dir: PathBuf) -> RunOptions {
        RunOptions {
            scenario: scenario.to_string(),
            out_dir,
            fail_function: None,
            print_progress: false,
            approval: ApprovalMode::Approve,
            approval_expiry_seconds: None,
            required_approvals: None,
            slack_post_error: None,
        }
    }
}

/// Everything a run produced. The local stack stays up until this is dropped.
pub struct RunOutcome {
    pub stack: LocalStack,
    pub platform: Platform,
    pub scenario: Scenario,
    pub loaded: LoadedScenario,
    pub execution: ExecutionOutcome,
    pub investigation: Option<Investigation>,
    pub report: Option<(Report, String)>,
    pub audit: Vec<AuditRecord>,
    pub verification: Result<ChainSummary, ChainError>,
    pub revocation_policy: String,
    pub out_dir: PathBuf,
    /// The local Slack, with every request it received.
    pub slack: Arc<SlackStandIn>,
    /// The approval message and the click sent, when an action was proposed.
    pub approval: Option<ApprovalSeen>,
    /// The interactivity URL of the scenario tenant; it stops with this outcome.
    pub interactions_url: String,
    pub slack_endpoint: SlackEndpoint,
}

/// Runs one investigation to its end.
pub async fn run_investigation(options: &RunOptions) -> Result<RunOutcome, InvestigateError> {
    start_investigation(options).await?.finish().await
}

/// An investigation running in the local runner, with the local Slack and the interactivity
/// endpoint up, so a caller can click while it waits for approval.
pub struct RunningInvestigation {
    pub stack: LocalStack,
    pub platform: Platform,
    pub scenario: Scenario,
    pub loaded: LoadedScenario,
    pub slack: Arc<SlackStandIn>,
    pub slack_endpoint: SlackEndpoint,
    /// The scenario tenant's interactivity URL on the local endpoint.
    pub interactions_url: String,
    out_dir: PathBuf,
    execution: JoinHandle<ExecutionOutcome>,
    driver: JoinHandle<Option<ApprovalSeen>>,
    printer: Option<JoinHandle<()>>,
    callbacks: CallbackServer,
}

/// Starts the local stack, loads the scenario and starts the execution.
pub async fn start_investigation(options: &RunOptions) -> Result<RunningInvestigation, InvestigateError> {
    let scenario = Scenario::load(&options.scenario)?;
    let invoker_fault = match &options.fail_function {
        Some(name) => Some(validate_fault(name)?),
        None => None,
    };

    // The callback endpoint's port must be in the environment before the SDK configuration is
    // loaded, because the approval functions reach it as the Step Functions endpoint.
    let callback_port = free_port().map_err(|error| InvestigateError::Write { path: "127.0.0.1:0".into(), error })?;
    std::env::set_var("AWS_ENDPOINT_URL_SFN", format!("http://127.0.0.1:{callback_port}"));
    let slack = Arc::new(SlackStandIn::start(SLACK_BOT_TOKEN).await?);
    if let Some(error_code) = &options.slack_post_error {
        slack.fail_next("chat.postMessage", error_code);
    }
    let stack = LocalStack::start(slack.base_url()).await?;
    let mut loaded = scenario.install(&stack.sdk, &stack.resources.tenants_table).await?;
    let platform = Platform::new(stack.sdk.clone(), stack.resources.clone()).map_err(|failure| InvestigateError::ApprovalSetup(failure.to_string()))?;
    prepare_approvals(&platform, &mut loaded, options).await?;
    let slack_endpoint = SlackEndpoint::start(platform.clone(), 0).await.map_err(|error| InvestigateError::ApprovalSetup(error.to_string()))?;
    let interactions_url = slack_endpoint.interactions_url(TENANT_ID);

    let handlers = handlers(&platform);
    let invoker: Arc<dyn LambdaInvoker> = match invoker_fault {
        Some(arn) => Arc::new(FailingInvoker { inner: handlers, fail_arn: arn }),
        None => Arc::new(handlers),
    };
    let runner = Runner::new(DEFINITION, &substitutions(), invoker)?.with_state_machine_name("causeflow-investigation");
    let callbacks = runner.serve_task_callbacks(([127, 0, 0, 1], callback_port).into()).await?;

    let mut execution = runner.start_execution(&format!("{}-{}", scenario.name, uuid_suffix()), loaded.alarm_event.clone())?;
    let feed = execution.take_event_feed();
    let printer = options.print_progress.then(|| tokio::spawn(Progress::new().follow(feed)));
    let (finished, finished_signal) = watch::channel(false);
    let driver = tokio::spawn(approval_driver::drive(
        slack.clone(),
        interactions_url.clone(),
        options.approval,
        options.print_progress,
        finished_signal,
        platform.clone(),
    ));
    let execution = tokio::spawn(async move {
        let outcome = execution.outcome().await;
        let _ = finished.send(true);
        outcome
    });

    Ok(RunningInvestigation {
        stack,
        platform,
        scenario,
        loaded,
        slack,
        slack_endpoint,
        interactions_url,
        out_dir: options.out_dir.clone(),
        execution,
        driver,
        printer,
        callbacks,
    })
}

impl RunningInvestigation {
    /// Waits until the approval message was posted and returns its approval id, or None when
    /// the execution ended without one.
    pub async fn posted_approval_id(&self) -> Option<String> {
        loop {
            let posted = self.slack.requests().into_iter().find(|request| request.method == "chat.postMessage");
            if let Some(request) = posted {
                return approval_driver::approval_id(&request.body);
            }
            if self.execution.is_finished() {
                return None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Waits for the execution to end, reads what it left and writes the output files.
    pub async fn finish(self) -> Result<RunOutcome, InvestigateError> {
        let RunningInvestigation { stack, platform, scenario, loaded, slack, slack_endpoint, interactions_url, out_dir, execution, driver, printer, callbacks } =
            self;
        let execution = execution.await.map_err(|error| InvestigateError::ApprovalSetup(format!("the execution task stopped: {error}")))?;
        let approval = driver.await.ok().flatten();
        if let Some(printer) = printer {
            let _ = printer.await;
        }
        callbacks.shutdown().await;

        let investigation = opened_investigation(&execution.history);
        let (report, audit) = match &investigation {
            Some(investigation) => (
                platform.investigations.report(&investigation.tenant_id, &investigation.investigation_id).await?,
                platform.audit.read(&investigation.tenant_id, &investigation.investigation_id).await?,
            ),
            None => (None, Vec::new()),
        };
        let verification = verify_chain(&audit);
        let revocation_policy = read_revocation_policy(&stack, &loaded).await;

        let outcome = RunOutcome {
            stack,
            platform,
            scenario,
            loaded,
            execution,
            investigation,
            report,
            audit,
            verification,
            revocation_policy,
            out_dir,
            slack,
            approval,
            interactions_url,
            slack_endpoint,
        };
        write_files(&outcome)?;
        Ok(outcome)
    }
}

/// Stores the scenario tenant's Slack bot token and signing secret in the secret store, as an
/// operator would with `causeflow secrets put`, and applies the options' overrides of the
/// tenant's approval settings.
async fn prepare_approvals(platform: &Platform, loaded: &mut LoadedScenario, options: &RunOptions) -> Result<(), InvestigateError> {
    let setup = |error: &dyn std::fmt::Display| InvestigateError::ApprovalSetup(error.to_string());
    if let Some(approval) = loaded.tenant.approval.as_mut() {
        if options.approval_expiry_seconds.is_some() || options.required_approvals.is_some() {
            approval.expires_after_seconds = options.approval_expiry_seconds.unwrap_or(approval.expires_after_seconds);
            approval.required_approvals = options.required_approvals.unwrap_or(approval.required_approvals);
            approval.validate().map_err(|error| setup(&error))?;
            platform.tenants.register(&loaded.tenant).await.map_err(|error| setup(&error))?;
        }
    }
    store_local_slack_app(platform).await
}

/// Stores the scenario tenant's local Slack bot token and signing secret in the secret store.
pub async fn store_local_slack_app(platform: &Platform) -> Result<(), InvestigateError> {
    let setup = |error: &dyn std::fmt::Display| InvestigateError::ApprovalSetup(error.to_string());
    let tenant = causeflow_secrets::TenantId::parse(TENANT_ID).map_err(|error| setup(&error))?;
    let (bot_token_slot, signing_secret_slot) = causeflow_secrets::slack::slack_slots();
    for (slot, value) in [(bot_token_slot, SLACK_BOT_TOKEN), (signing_secret_slot, SLACK_SIGNING_SECRET)] {
        let value = causeflow_secrets::SecretValue::from_slice(value.as_bytes());
        platform.secrets.put(&tenant, &slot, &value, None).await.map_err(|error| setup(&error))?;
    }
    Ok(())
}

/// Finds the investigation as `open_investigation` returned it, in the execution history.
fn opened_investigation(history: &[HistoryEvent]) -> Option<Investigation> {
    history
        .iter()
        .filter(|event| event.state_name.as_deref() == Some("OpenInvestigation"))
        .filter_map(|event| event.output.as_ref())
        .find_map(|output| {
            let candidate = output.pointer("/Payload/investigation").or_else(|| output.get("investigation"))?;
            serde_json::from_value(candidate.clone()).ok()
        })
}

/// Reads the customer's current revocation policy from IAM with the scenario's setup
/// credentials.
async fn read_revocation_policy(stack: &LocalStack, loaded: &LoadedScenario) -> String {
    match causeflow_local::scenario::customer_iam(&stack.sdk).await {
        Ok(iam) => iam.default_policy_document(&loaded.tenant.revocation_policy_arn).await.unwrap_or_else(|error| format!("(unreadable: {error})")),
        Err(error) => format!("(unreadable: {error})"),
    }
}

/// Files a run writes. A run removes them first, so a folder never mixes two runs.
pub const OUTPUT_FILES: [&str; 5] = ["report.json", "report.md", "audit-trail.json", "execution-history.txt", "revocation-policy.json"];

fn write_files(outcome: &RunOutcome) -> Result<(), InvestigateError> {
    let dir = &outcome.out_dir;
    std::fs::create_dir_all(dir).map_err(|error| InvestigateError::Write { path: dir.display().to_string(), error })?;
    for name in OUTPUT_FILES {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(InvestigateError::Write { path: path.display().to_string(), error }),
        }
    }
    if let Some((report, markdown)) = &outcome.report {
        write(dir, "report.json", &serde_json::to_string_pretty(report).unwrap_or_default())?;
        write(dir, "report.md", markdown)?;
    }
    write(dir, "audit-trail.json", &serde_json::to_string_pretty(&outcome.audit).unwrap_or_default())?;
    write(dir, "execution-history.txt", &render_history(&outcome.execution.history))?;
    write(dir, "revocation-policy.json", &outcome.revocation_policy)?;
    Ok(())
}

fn write(dir: &Path, name: &str, contents: &str) -> Result<(), InvestigateError> {
    let path = dir.join(name);
    std::fs::write(&path, contents).map_err(|error| InvestigateError::Write { path: path.display().to_string(), error })
}

fn validate_fault(name: &str) -> Result<String, InvestigateError> {
    let names: Vec<&str> = crate::functions::FUNCTIONS.iter().map(|(_, function)| *function).collect();
    if names.contains(&name) {
        Ok(function_arn(name))
    } else {
        Err(InvestigateError::UnknownStep(name.to_string(), names.join(", ")))
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn uuid_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// Fails every call of one function, to exercise the state machine's Catch paths.
struct FailingInvoker {
    inner: LambdaHandlers,
    fail_arn: String,
}

/// Error name of an injected failure; no Retry of the definition matches it.
pub const INJECTED_FAULT: &str = "InjectedFault";

#[async_trait]
impl LambdaInvoker for FailingInvoker {
    async fn invoke(&self, function_name: &str, payload: Value) -> Result<Value, TaskFailure> {
        if function_name == self.fail_arn {
            return Err(TaskFailure { error: INJECTED_FAULT.into(), cause: format!("{function_name} was made to fail by --fail-step") });
        }
        self.inner.invoke(function_name, payload).await
    }
}
