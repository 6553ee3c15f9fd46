//! Parallel states: concurrent branches, output order, failure propagation.

mod common;

use causeflow_runner::{ExecutionStatus, HistoryEventType, LambdaHandlers, TaskFailure};
use common::{event_types, runner, ALPHA, BETA, GAMMA};
use serde_json::{json, Value};
use tokio::time::{Duration, Instant};

fn sleeper(seconds: u64, output: Value) -> impl Fn(Value) -> futures::future::BoxFuture<'static, Result<Value, TaskFailure>> + Send + Sync {
    use futures::FutureExt;
    move |_payload| {
        let output = output.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            Ok(output)
        }
        .boxed()
    }
}

fn three_branches() -> Value {
    let branch = |name: &str, function: &str| {
        json!({"StartAt": name, "States": {name: {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function, "Payload.$": "$"},
            "ResultSelector": {"evidence.$": "$.Payload"},
            "End": true}}})
    };
    json!({"StartAt": "Gather", "States": {
        "Gather": {"Type": "Parallel",
            "Parameters": {"investigation.$": "$.id"},
            "Branches": [branch("Logs", "${Alpha}"), branch("Metrics", "${Beta}"), branch("Infra", "${Gamma}")],
            "ResultSelector": {"logs.$": "$[0].evidence", "metrics.$": "$[1].evidence", "infra.$": "$[2].evidence"},
            "ResultPath": "$.evidence",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Revoke"}],
            "Next": "Done"},
        "Revoke": {"Type": "Pass", "End": true},
        "Done": {"Type": "Succeed"}}})
}

#[tokio::test(start_paused = true)]
async fn branches_run_concurrently_and_keep_order() {
    let handlers = LambdaHandlers::new()
        .with(common::ALPHA, sleeper(30, json!("logs")))
        .with(common::BETA, sleeper(10, json!("metrics")))
        .with(common::GAMMA, sleeper(20, json!("infra")));
    let started = Instant::now();

    let outcome = runner(three_branches(), handlers).start_execution("gather", json!({"id": "i-3"})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output.clone().unwrap(),
        json!({"id": "i-3", "evidence": {"logs": "logs", "metrics": "metrics", "infra": "infra"}})
    );
    // Sequential branches would take 60 s of tokio time; concurrent ones take the longest, 30 s.
    assert_eq!(started.elapsed().as_secs(), 30);
    let types = event_types(&outcome);
    assert_eq!(types[1], HistoryEventType::ParallelStateEntered);
    assert_eq!(types[2], HistoryEventType::ParallelStateStarted);
    assert!(types.contains(&HistoryEventType::ParallelStateSucceeded));
    assert!(types.contains(&HistoryEventType::ParallelStateExited));
}

#[tokio::test]
async fn branches_receive_parameters() {
    let log = common::CallLog::default();
    let handlers = LambdaHandlers::new()
        .with(ALPHA, common::echo_to(&log, ALPHA, json!(1)))
        .with(BETA, common::echo_to(&log, BETA, json!(2)))
        .with(GAMMA, common::echo_to(&log, GAMMA, json!(3)));

    runner(three_branches(), handlers).start_execution("params", json!({"id": "i-4", "x": 1})).unwrap().await;

    for function in [ALPHA, BETA, GAMMA] {
        assert_eq!(log.payloads_of(function), vec![json!({"investigation": "i-4"})], "{function}");
    }
}

#[tokio::test(start_paused = true)]
async fn failing_branch_fails_parallel_with_its_error() {
    let handlers = LambdaHandlers::new()
        .with(ALPHA, sleeper(300, json!("never")))
        .with(BETA, |_payload: Value| async { Err(TaskFailure::new("MetricsUnavailable", "no data")) })
        .with(GAMMA, sleeper(1, json!("infra")));
    let started = Instant::now();

    let outcome = runner(three_branches(), handlers).start_execution("branch-fails", json!({"id": "i-5"})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output.clone().unwrap(),
        json!({"id": "i-5", "error": {"Error": "MetricsUnavailable", "Cause": "no data"}})
    );
    // The slow branch is abandoned as soon as another fails.
    assert!(started.elapsed().as_secs() < 300);
    let failed = outcome.history.iter().find(|event| event.event_type == HistoryEventType::ParallelStateFailed).unwrap();
    assert_eq!(failed.error.as_deref(), Some("MetricsUnavailable"));
}

#[tokio::test]
async fn fail_state_in_branch_propagates_error_name() {
    let definition = json!({"StartAt": "Fan", "States": {
        "Fan": {"Type": "Parallel", "Branches": [
            {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": true}}},
            {"StartAt": "Stop", "States": {"Stop": {"Type": "Fail", "Error": "BranchStopped", "Cause": "by design"}}}
        ], "End": true}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("fail-branch", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("BranchStopped"));
    assert_eq!(outcome.cause.as_deref(), Some("by design"));
}
