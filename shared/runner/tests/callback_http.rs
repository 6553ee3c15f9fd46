//! The task-callback API driven through a real `aws-sdk-sfn` client on 127.0.0.1.

mod common;

use std::sync::{Arc, Mutex};

use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::error::ProvideErrorMetadata;
use causeflow_runner::{CallbackServerError, ExecutionStatus, LambdaHandlers};
use common::{entered_states, runner, ALPHA};
use serde_json::{json, Value};
use tokio::sync::mpsc;

fn client(endpoint: &str) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDLOCALTEST", "local-test-secret", None, None, "test"))
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

/// A handler that sends every task token it receives to the test.
fn token_forwarder() -> (LambdaHandlers, mpsc::UnboundedReceiver<String>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let sender = Arc::new(Mutex::new(sender));
    let handlers = LambdaHandlers::new().with(ALPHA, move |payload: Value| {
        let sender = sender.clone();
        async move {
            let _ = sender.lock().unwrap().send(payload["token"].as_str().unwrap_or_default().to_owned());
            Ok(json!({}))
        }
    });
    (handlers, receiver)
}

fn definition() -> Value {
    json!({"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "${Alpha}", "Payload": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 300, "HeartbeatSeconds": 120,
            "ResultPath": "$.approval",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Revoke"}],
            "Next": "Revoke"},
        "Revoke": {"Type": "Succeed"}}})
}

#[tokio::test]
async fn sdk_success_heartbeat_and_replay() {
    let (handlers, mut tokens) = token_forwarder();
    let runner = runner(definition(), handlers);
    let server = runner.serve_task_callbacks("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let sfn = client(&server.endpoint_url());
    let execution = runner.start_execution("sdk-success", json!({"id": "i-1"})).unwrap();
    let token = tokens.recv().await.unwrap();

    sfn.send_task_heartbeat().task_token(&token).send().await.unwrap();
    sfn.send_task_success().task_token(&token).output(r#"{"decision":"approved"}"#).send().await.unwrap();
    let outcome = execution.await;
    let replay = sfn.send_task_success().task_token(&token).output("{}").send().await.unwrap_err();

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(outcome.output.unwrap(), json!({"id": "i-1", "approval": {"decision": "approved"}}));
    assert!(replay.as_service_error().is_some_and(|error| error.is_task_timed_out()), "{replay:?}");
    assert!(server.local_addr().ip().is_loopback());
    server.shutdown().await;
}

#[tokio::test]
async fn sdk_failure_routes_to_catch() {
    let (handlers, mut tokens) = token_forwarder();
    let runner = runner(definition(), handlers);
    let server = runner.serve_task_callbacks("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let sfn = client(&server.endpoint_url());
    let execution = runner.start_execution("sdk-failure", json!({"id": "i-2"})).unwrap();
    let token = tokens.recv().await.unwrap();

    sfn.send_task_failure().task_token(&token).error("ApprovalRejected").cause("rejected by on-call").send().await.unwrap();
    let outcome = execution.await;

    assert_eq!(
        outcome.output.clone().unwrap()["error"],
        json!({"Error": "ApprovalRejected", "Cause": "rejected by on-call"})
    );
    assert_eq!(entered_states(&outcome), vec!["Approve".to_owned(), "Revoke".to_owned()]);
}

#[tokio::test]
async fn sdk_errors_match_step_functions_codes() {
    let (handlers, mut tokens) = token_forwarder();
    let runner = runner(definition(), handlers);
    let server = runner.serve_task_callbacks("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let sfn = client(&server.endpoint_url());
    let execution = runner.start_execution("sdk-errors", json!({"id": "i-3"})).unwrap();
    let token = tokens.recv().await.unwrap();

    let malformed = sfn.send_task_success().task_token("not-a-token").output("{}").send().await.unwrap_err();
    let unknown = sfn.send_task_heartbeat().task_token("0".repeat(64)).send().await.unwrap_err();
    let invalid_output = sfn.send_task_success().task_token(&token).output("{broken").send().await.unwrap_err();

    assert!(malformed.as_service_error().is_some_and(|error| error.is_invalid_token()), "{malformed:?}");
    assert!(unknown.as_service_error().is_some_and(|error| error.is_task_does_not_exist()), "{unknown:?}");
    assert!(invalid_output.as_service_error().is_some_and(|error| error.is_invalid_output()), "{invalid_output:?}");
    assert_eq!(invalid_output.code(), Some("InvalidOutput"));
    // None of the rejected calls touched the waiting task.
    assert!(!execution.history().iter().any(|event| event.event_type.as_str() == "TaskSucceeded"));

    sfn.send_task_success().task_token(&token).output(r#"{"decision":"late"}"#).send().await.unwrap();
    assert_eq!(execution.await.output.unwrap()["approval"], json!({"decision": "late"}));
}

#[tokio::test]
async fn non_loopback_address_is_rejected() {
    let runner = runner(definition(), LambdaHandlers::new());

    let error = runner.serve_task_callbacks("0.0.0.0:0".parse().unwrap()).await.unwrap_err();

    assert!(matches!(error, CallbackServerError::NotLoopback { .. }), "{error}");
}
