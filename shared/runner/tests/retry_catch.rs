//! Retry counting and backoff on tokio's paused clock, and Catch routing with ResultPath.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use causeflow_runner::{ExecutionStatus, HistoryEventType, LambdaHandlers, TaskFailure};
use common::{entered_states, event_types, runner, ALPHA, BETA};
use serde_json::{json, Value};
use tokio::time::{Duration, Instant};

/// A handler that fails with `error` for its first `failures` calls, then succeeds, logging
/// the tokio time and `retry` payload field of every call.
fn flaky(failures: u64, error: &'static str, log: Arc<Mutex<Vec<(Duration, Value)>>>) -> impl Fn(Value) -> futures::future::Ready<Result<Value, TaskFailure>> + Send + Sync + 'static {
    let calls = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    move |payload: Value| {
        log.lock().unwrap().push((started.elapsed(), payload["retry"].clone()));
        let call = calls.fetch_add(1, Ordering::SeqCst);
        futures::future::ready(if call < failures {
            Err(TaskFailure::new(error, format!("attempt {call} failed")))
        } else {
            Ok(json!({"ok": true}))
        })
    }
}

fn retrying_definition(retry: Value) -> Value {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}", "Payload": {"retry.$": "$$.State.RetryCount"}},
            "Retry": retry,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Revoke"}],
            "Next": "Done"},
        "Revoke": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"}}})
}

#[tokio::test(start_paused = true)]
async fn retries_back_off_and_count() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handlers = LambdaHandlers::new().with(ALPHA, flaky(3, "Throttled", log.clone()));
    let definition = retrying_definition(json!([
        {"ErrorEquals": ["Throttled"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 3.0}
    ]));

    let outcome = runner(definition, handlers).start_execution("backoff", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(entered_states(&outcome), vec!["Call".to_owned(), "Done".to_owned()]);
    let calls = log.lock().unwrap().clone();
    let times: Vec<u64> = calls.iter().map(|(time, _)| time.as_secs()).collect();
    let retry_counts: Vec<Value> = calls.iter().map(|(_, retry)| retry.clone()).collect();
    // Waits of 2, 6 and 18 seconds.
    assert_eq!(times, vec![0, 2, 8, 26]);
    assert_eq!(retry_counts, vec![json!(0), json!(1), json!(2), json!(3)]);
    let scheduled = event_types(&outcome).iter().filter(|kind| **kind == HistoryEventType::TaskScheduled).count();
    assert_eq!(scheduled, 4);
}

#[tokio::test(start_paused = true)]
async fn max_delay_caps_backoff() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handlers = LambdaHandlers::new().with(ALPHA, flaky(3, "Throttled", log.clone()));
    let definition = retrying_definition(json!([
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 4, "MaxAttempts": 5, "BackoffRate": 10, "MaxDelaySeconds": 7}
    ]));

    let outcome = runner(definition, handlers).start_execution("capped", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let times: Vec<u64> = log.lock().unwrap().iter().map(|(time, _)| time.as_secs()).collect();
    assert_eq!(times, vec![0, 4, 11, 18]);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_fall_to_catch() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handlers = LambdaHandlers::new().with(ALPHA, flaky(10, "Throttled", log.clone()));
    let definition = retrying_definition(json!([
        {"ErrorEquals": ["Throttled"], "IntervalSeconds": 1, "MaxAttempts": 2},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}
    ]));

    let outcome = runner(definition, handlers).start_execution("exhausted", json!({"id": "i-1"})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    // The first matching retrier decides alone: 1 call + 2 retries, the States.ALL entry is not used.
    assert_eq!(log.lock().unwrap().len(), 3);
    assert_eq!(entered_states(&outcome), vec!["Call".to_owned(), "Revoke".to_owned(), "Done".to_owned()]);
    assert_eq!(
        outcome.output.unwrap(),
        json!({"id": "i-1", "failure": {"Error": "Throttled", "Cause": "attempt 2 failed"}})
    );
}

#[tokio::test(start_paused = true)]
async fn max_attempts_zero_never_retries() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handlers = LambdaHandlers::new().with(ALPHA, flaky(1, "Throttled", log.clone()));
    let definition = retrying_definition(json!([{"ErrorEquals": ["Throttled"], "MaxAttempts": 0}]));

    let outcome = runner(definition, handlers).start_execution("no-retry", json!({})).unwrap().await;

    assert_eq!(log.lock().unwrap().len(), 1);
    assert_eq!(entered_states(&outcome), vec!["Call".to_owned(), "Revoke".to_owned(), "Done".to_owned()]);
}

#[tokio::test]
async fn catch_routes_failure_to_named_state() {
    let handlers = LambdaHandlers::new()
        .with(ALPHA, |_payload: Value| async { Err(TaskFailure::new("AccessDenied", "sts:AssumeRole denied")) })
        .with(BETA, |payload: Value| async move { Ok(json!({"revoked": payload["investigation"]})) });
    let definition = json!({"StartAt": "IssueCredentials", "States": {
        "IssueCredentials": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}"},
            "Catch": [
                {"ErrorEquals": ["Throttled"], "Next": "Unused"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Revoke"}
            ],
            "Next": "Unused"},
        "Unused": {"Type": "Succeed"},
        "Revoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Beta}", "Payload": {"investigation.$": "$.id", "error.$": "$.error"}},
            "ResultSelector": {"revoked.$": "$.Payload.revoked"},
            "ResultPath": "$.revocation",
            "End": true}}});

    let outcome = runner(definition, handlers).start_execution("caught", json!({"id": "i-9"})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output.clone().unwrap(),
        json!({
            "id": "i-9",
            "error": {"Error": "AccessDenied", "Cause": "sts:AssumeRole denied"},
            "revocation": {"revoked": "i-9"}
        })
    );
    assert_eq!(entered_states(&outcome), vec!["IssueCredentials".to_owned(), "Revoke".to_owned()]);
    let failed = outcome.history.iter().find(|event| event.event_type == HistoryEventType::TaskFailed).unwrap();
    assert_eq!(failed.state_name.as_deref(), Some("IssueCredentials"));
    assert_eq!(failed.error.as_deref(), Some("AccessDenied"));
    let rendered = causeflow_runner::render_history(&outcome.history);
    assert!(rendered.contains("TaskFailed"), "{rendered}");
    assert!(rendered.contains("error=AccessDenied"), "{rendered}");
    let revoke_line = rendered.lines().find(|line| line.contains("TaskStateEntered") && line.contains("Revoke"));
    assert!(revoke_line.is_some(), "{rendered}");
}

#[tokio::test]
async fn catch_without_result_path_replaces_input() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async { Err(TaskFailure::new("Boom", "c")) });
    let definition = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}"},
            "Catch": [{"ErrorEquals": ["Boom"], "Next": "After"}], "End": true},
        "After": {"Type": "Pass", "End": true}}});

    let outcome = runner(definition, handlers).start_execution("replace", json!({"a": 1})).unwrap().await;

    assert_eq!(outcome.output, Some(json!({"Error": "Boom", "Cause": "c"})));
}

#[tokio::test]
async fn unmatched_error_fails_execution() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async { Err(TaskFailure::new("Other", "c")) });
    let definition = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}"},
            "Retry": [{"ErrorEquals": ["Throttled"]}],
            "Catch": [{"ErrorEquals": ["Boom"], "Next": "After"}], "End": true},
        "After": {"Type": "Pass", "End": true}}});

    let outcome = runner(definition, handlers).start_execution("unmatched", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Other"));
    assert_eq!(entered_states(&outcome), vec!["Call".to_owned()]);
}

#[tokio::test(start_paused = true)]
async fn task_failed_wildcard_skips_timeouts() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async {
        tokio::time::sleep(Duration::from_secs(100)).await;
        Ok(json!({}))
    });
    let definition = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}"}, "TimeoutSeconds": 10,
            "Catch": [
                {"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"},
                {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "TimedOut"}
            ], "End": true},
        "Failed": {"Type": "Succeed"},
        "TimedOut": {"Type": "Succeed"}}});

    let outcome = runner(definition, handlers).start_execution("timeout", json!({})).unwrap().await;

    assert_eq!(entered_states(&outcome), vec!["Call".to_owned(), "TimedOut".to_owned()]);
    assert_eq!(outcome.output.clone().unwrap()["timeout"]["Error"], json!("States.Timeout"));
    assert!(event_types(&outcome).contains(&HistoryEventType::TaskTimedOut));
}
