//! Helpers shared by the end-to-end tests.

#![allow(dead_code)]

use std::path::PathBuf;

use aws_sdk_dynamodb::types::AttributeValue;
use causeflow_cli::investigate::{run_investigation, RunOptions, RunOutcome};
use causeflow_domain::audit::AuditEventType;
use causeflow_lambda::Platform;
use causeflow_local::scenario::{LoadedScenario, Scenario};
use causeflow_local::LocalStack;

/// Runs a scenario through the local runner into a fresh temporary folder.
pub async fn run_scenario(name: &str, fail_function: Option<&str>) -> RunOutcome {
    let out_dir = temp_dir(name);
    let options = RunOptions { fail_function: fail_function.map(str::to_string), ..RunOptions::new(name, out_dir) };
    match run_investigation(&options).await {
        Ok(outcome) => outcome,
        Err(error) => panic!("scenario {name} did not run: {error}"),
    }
}

pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("causeflow-test-{label}-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

fn uuid_like() -> String {
    format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}

/// A local stack with a scenario's customer loaded, for calling handlers directly.
pub struct Harness {
    pub stack: LocalStack,
    pub platform: Platform,
    pub loaded: LoadedScenario,
    /// The local Slack the functions reach; nothing here reaches Slack itself.
    pub slack: causeflow_slack::stand_in::SlackStandIn,
}

pub async fn harness(scenario: &str) -> Harness {
    let slack = causeflow_slack::stand_in::SlackStandIn::start(causeflow_local::scenario::SLACK_BOT_TOKEN).await.expect("local Slack starts");
    let stack = LocalStack::start(slack.base_url()).await.expect("local stack starts");
    let scenario = Scenario::load(scenario).expect("scenario loads");
    let loaded = scenario.install(&stack.sdk, &stack.resources.tenants_table).await.expect("scenario installs");
    let platform = Platform::new(stack.sdk.clone(), stack.resources.clone()).expect("platform builds");
    Harness { stack, platform, loaded, slack }
}

/// Reads every item of a table, each rendered as text, for counting and searching.
pub async fn scan_items(platform: &Platform, table: &str) -> Vec<String> {
    let client = aws_sdk_dynamodb::Client::new(&platform.sdk);
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let output = client.scan().table_name(table).set_exclusive_start_key(start.take()).send().await.expect("scan succeeds");
        for item in output.items() {
            let mut keys: Vec<_> = item.keys().collect();
            keys.sort();
            let text: Vec<String> = keys.iter().map(|key| format!("{key}={}", render(&item[*key]))).collect();
            items.push(text.join(" "));
        }
        match output.last_evaluated_key() {
            Some(key) if !key.is_empty() => start = Some(key.clone()),
            _ => break,
        }
    }
    items
}

fn render(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(text) => text.clone(),
        AttributeValue::N(number) => number.clone(),
        other => format!("{other:?}"),
    }
}

/// Items in CauseFlow's investigations and audit tables together.
pub async fn written_items(platform: &Platform) -> Vec<String> {
    let mut items = scan_items(platform, &platform.resources.investigations_table).await;
    items.extend(scan_items(platform, &platform.resources.audit_table).await);
    items.sort();
    items
}

pub fn event_types(outcome: &RunOutcome) -> Vec<AuditEventType> {
    outcome.audit.iter().map(|record| record.event_type).collect()
}

/// Runs a scenario with `options` adjusted from the defaults.
pub async fn run_with(name: &str, adjust: impl FnOnce(&mut RunOptions)) -> RunOutcome {
    let mut options = RunOptions::new(name, temp_dir(name));
    adjust(&mut options);
    match run_investigation(&options).await {
        Ok(outcome) => outcome,
        Err(error) => panic!("scenario {name} did not run: {error}"),
    }
}

/// Returns the task definition (family:revision) the scenario's ECS service runs now.
pub async fn service_task_definition(outcome: &RunOutcome) -> String {
    current_task_definition(&outcome.stack.sdk, &outcome.scenario.service.cluster, &outcome.scenario.service.service).await
}

pub async fn current_task_definition(sdk: &aws_config::SdkConfig, cluster: &str, service: &str) -> String {
    let ecs = causeflow_local::scenario::customer_ecs(sdk).await.expect("customer ECS client");
    let snapshot = ecs.describe_service(cluster, service).await.expect("service described");
    family_revision(&snapshot.task_definition_arn)
}

pub use causeflow_domain::infra::family_revision;

/// Returns the records of one event type.
pub fn records_of(outcome: &RunOutcome, event_type: AuditEventType) -> Vec<causeflow_domain::audit::AuditRecord> {
    outcome.audit.iter().filter(|record| record.event_type == event_type).cloned().collect()
}

/// Stores the scenario tenant's Slack bot token and signing secret, as an operator would with
/// `causeflow secrets put`.
pub async fn store_slack_secrets(harness: &Harness) {
    causeflow_cli::investigate::store_local_slack_app(&harness.platform).await.expect("Slack secrets stored");
}
