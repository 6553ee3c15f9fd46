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
    let options = RunOptions {
        scenario: name.to_string(),
        out_dir,
        fail_function: fail_function.map(str::to_string),
        print_progress: false,
    };
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
}

pub async fn harness(scenario: &str) -> Harness {
    let stack = LocalStack::start().await.expect("local stack starts");
    let scenario = Scenario::load(scenario).expect("scenario loads");
    let loaded = scenario.install(&stack.sdk, &stack.resources.tenants_table).await.expect("scenario installs");
    let platform = Platform::new(stack.sdk.clone(), stack.resources.clone());
    Harness { stack, platform, loaded }
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
