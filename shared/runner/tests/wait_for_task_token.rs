//! `lambda:invoke.waitForTaskToken` tasks driven through the in-process callback API.

mod common;

use std::sync::{Arc, Mutex};

use causeflow_runner::{CallbackError, ExecutionStatus, HistoryEventType, LambdaHandlers, Runner, TaskFailure};
use common::{entered_states, event_types, runner, ALPHA};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::time::Duration;

/// A handler that hands the task token it receives to the test.
fn token_catcher() -> (LambdaHandlers, oneshot::Receiver<String>) {
    let (sender, receiver) = oneshot::channel();
    let sender = Arc::new(Mutex::new(Some(sender)));
    let handlers = LambdaHandlers::new().with(ALPHA, move |payload: Value| {
        let sender = sender.clone();
        async move {
            let token = payload["token"].as_str().unwrap_or_default().to_owned();
            if let Some(sender) = sender.lock().unwrap().take() {
                let _ = sender.send(token);
            }
            Ok(json!({"posted": true}))
        }
    });
    (handlers, receiver)
}

fn approval_definition(timing: Value) -> Value {
    let mut task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "${Alpha}", "Payload": {"token.$": "$$.Task.Token", "investigation.$": "$.id"}},
        "ResultPath": "$.approval",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Revoke"}],
        "Next": "Decide"});
    for (key, value) in timing.as_object().unwrap() {
        task[key] = value.clone();
    }
    json!({"StartAt": "RequestApproval", "States": {
        "RequestApproval": task,
        "Decide": {"Type": "Choice", "Choices": [
            {"Variable": "$.approval.decision", "StringEquals": "approved", "Next": "Remediate"}
        ], "Default": "Revoke"},
        "Remediate": {"Type": "Pass", "Next": "Revoke"},
        "Revoke": {"Type": "Succeed"}}})
}

fn start(definition: Value, handlers: LambdaHandlers, name: &str) -> (Runner, causeflow_runner::Execution) {
    let runner = runner(definition, handlers);
    let execution = runner.start_execution(name, json!({"id": "i-1"})).unwrap();
    (runner, execution)
}

#[tokio::test]
async fn success_output_becomes_task_result() {
    let (handlers, token) = token_catcher();
    let (runner, execution) = start(approval_definition(json!({"TimeoutSeconds": 3600})), handlers, "approve");
    let token = token.await.unwrap();

    runner.task_callbacks().send_task_success(&token, r#"{"decision": "approved"}"#).unwrap();
    let outcome = execution.await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(outcome.output.clone().unwrap()["approval"], json!({"decision": "approved"}));
    assert_eq!(
        entered_states(&outcome),
        vec!["RequestApproval".to_owned(), "Decide".to_owned(), "Remediate".to_owned(), "Revoke".to_owned()]
    );
    let types = event_types(&outcome);
    assert!(types.contains(&HistoryEventType::TaskSubmitted));
    let succeeded = outcome.history.iter().find(|event| event.event_type == HistoryEventType::TaskSucceeded).unwrap();
    assert_eq!(succeeded.output, Some(json!({"decision": "approved"})));
    assert_eq!(token.len(), 64);
}

#[tokio::test]
async fn replayed_callback_changes_nothing() {
    let (handlers, token) = token_catcher();
    let (runner, execution) = start(approval_definition(json!({})), handlers, "replay");
    let token = token.await.unwrap();
    let callbacks = runner.task_callbacks();

    callbacks.send_task_success(&token, r#"{"decision": "rejected"}"#).unwrap();
    let outcome = execution.await;
    let replay = callbacks.send_task_success(&token, r#"{"decision": "approved"}"#);

    assert_eq!(replay, Err(CallbackError::TaskTimedOut));
    assert_eq!(outcome.output.unwrap()["approval"], json!({"decision": "rejected"}));
}

#[tokio::test]
async fn failure_callback_is_caught() {
    let (handlers, token) = token_catcher();
    let (runner, execution) = start(approval_definition(json!({})), handlers, "rejected");
    let token = token.await.unwrap();

    runner.task_callbacks().send_task_failure(&token, Some("ApprovalRejected"), Some("declined in Slack")).unwrap();
    let outcome = execution.await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output.clone().unwrap()["error"],
        json!({"Error": "ApprovalRejected", "Cause": "declined in Slack"})
    );
    assert_eq!(entered_states(&outcome), vec!["RequestApproval".to_owned(), "Revoke".to_owned()]);
}

#[tokio::test]
async fn invalid_output_leaves_task_waiting() {
    let (handlers, token) = token_catcher();
    let (runner, execution) = start(approval_definition(json!({})), handlers, "invalid-output");
    let token = token.await.unwrap();
    let callbacks = runner.task_callbacks();

    let error = callbacks.send_task_success(&token, "not json").unwrap_err();
    assert!(matches!(error, CallbackError::InvalidOutput { .. }), "{error}");
    assert_eq!(error.aws_error_code(), "InvalidOutput");
    assert!(!execution.history().iter().any(|event| event.event_type == HistoryEventType::TaskSucceeded));

    callbacks.send_task_success(&token, r#"{"decision": "approved"}"#).unwrap();
    assert_eq!(execution.await.status, ExecutionStatus::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn timeout_seconds_raises_states_timeout() {
    let (handlers, token) = token_catcher();
    let (runner, execution) = start(approval_definition(json!({"TimeoutSeconds": 900})), handlers, "times-out");
    let token = token.await.unwrap();
    let started = tokio::time::Instant::now();

    let outcome = execution.await;

    assert_eq!(started.elapsed().as_secs(), 900);
    assert_eq!(outcome.output.clone().unwrap()["error"]["Error"], json!("States.Timeout"));
    assert_eq!(entered_states(&outcome), vec!["RequestApproval".to_owned(), "Revoke".to_owned()]);
    let timed_out = outcome.history.iter().find(|event| event.event_type == HistoryEventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.error.as_deref(), Some("States.Timeout"));
    assert_eq!(runner.task_callbacks().send_task_success(&token, "{}"), Err(CallbackError::TaskTimedOut));
}

#[tokio::test(start_paused = true)]
async fn heartbeats_keep_task_alive_until_they_stop() {
    let (handlers, token) = token_catcher();
    let (runner, execution) =
        start(approval_definition(json!({"TimeoutSeconds": 3600, "HeartbeatSeconds": 60})), handlers, "heartbeat");
    let token = token.await.unwrap();
    let callbacks = runner.task_callbacks();
    let started = tokio::time::Instant::now();

    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(50)).await;
        callbacks.send_task_heartbeat(&token).unwrap();
    }
    let outcome = execution.await;

    // Three heartbeats 50 s apart, then the 60 s heartbeat window runs out.
    assert_eq!(started.elapsed().as_secs(), 210);
    assert_eq!(outcome.output.unwrap()["error"]["Error"], json!("States.HeartbeatTimeout"));
}

#[tokio::test]
async fn failing_invoke_fails_callback_task() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async { Err(TaskFailure::new("SlackDown", "503")) });
    let (_runner, execution) = start(approval_definition(json!({})), handlers, "invoke-fails");

    let outcome = execution.await;

    assert_eq!(outcome.output.unwrap()["error"], json!({"Error": "SlackDown", "Cause": "503"}));
}

#[tokio::test]
async fn callback_during_invoke_is_accepted() {
    let runner_slot: Arc<Mutex<Option<causeflow_runner::TaskCallbacks>>> = Arc::new(Mutex::new(None));
    let slot = runner_slot.clone();
    let handlers = LambdaHandlers::new().with(ALPHA, move |payload: Value| {
        let callbacks = slot.lock().unwrap().clone();
        async move {
            let token = payload["token"].as_str().unwrap_or_default().to_owned();
            let sent = callbacks.map(|callbacks| callbacks.send_task_success(&token, r#"{"decision": "approved"}"#));
            Ok(json!({"sent": format!("{sent:?}")}))
        }
    });
    let runner = runner(approval_definition(json!({})), handlers);
    *runner_slot.lock().unwrap() = Some(runner.task_callbacks());

    let outcome = runner.start_execution("inline", json!({"id": "i-2"})).unwrap().await;

    assert_eq!(outcome.output.unwrap()["approval"], json!({"decision": "approved"}));
}
