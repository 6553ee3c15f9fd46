//! Task states with `arn:aws:states:::lambda:invoke`: request building and result shaping.

mod common;

use causeflow_runner::{ExecutionStatus, HistoryEventType, LambdaHandlers, TaskFailure};
use common::{echo_to, runner, CallLog, ALPHA};
use serde_json::{json, Value};

#[tokio::test]
async fn invoke_result_is_shaped_like_lambda_invoke() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!({"answer": 42})));
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}", "Payload.$": "$"}, "End": true}}});

    let outcome = runner(definition, handlers).start_execution("shape", json!({"q": 1})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let output = outcome.output.unwrap();
    assert_eq!(output["Payload"], json!({"answer": 42}));
    assert_eq!(output["StatusCode"], json!(200));
    assert_eq!(output["ExecutedVersion"], json!("$LATEST"));
    assert_eq!(output["SdkHttpMetadata"]["HttpStatusCode"], json!(200));
    assert!(output["SdkResponseMetadata"]["RequestId"].is_string());
    assert_eq!(log.calls(), vec![(ALPHA.to_owned(), json!({"q": 1}))]);
}

#[tokio::test]
async fn parameters_selector_result_and_output_paths_compose() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!({"sealed": "blob", "expires": 900})));
    let definition = json!({"StartAt": "Issue", "States": {"Issue": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "InputPath": "$.investigation",
        "Parameters": {
            "FunctionName": "${Alpha}",
            "Payload": {
                "investigation_id.$": "$.id",
                "agent": "log_analyst",
                "execution.$": "$$.Execution.Id",
                "execution_name.$": "$$.Execution.Name",
                "started.$": "$$.Execution.StartTime",
                "state.$": "$$.State.Name",
                "retry.$": "$$.State.RetryCount",
                "label.$": "States.Format('inv-{}', $.id)"
            }
        },
        "ResultSelector": {"credentials.$": "$.Payload.sealed", "status.$": "$.StatusCode"},
        "ResultPath": "$.investigation.credentials",
        "OutputPath": "$.investigation",
        "End": true}}});

    let execution = runner(definition, handlers)
        .start_execution("compose-1", json!({"investigation": {"id": "i-7"}, "other": true}))
        .unwrap();
    let arn = execution.execution_arn().to_owned();
    let outcome = execution.await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(
        outcome.output.unwrap(),
        json!({"id": "i-7", "credentials": {"credentials": "blob", "status": 200}})
    );
    let payload = &log.payloads_of(ALPHA)[0];
    assert_eq!(payload["investigation_id"], json!("i-7"));
    assert_eq!(payload["agent"], json!("log_analyst"));
    assert_eq!(payload["execution"], json!(arn));
    assert_eq!(payload["execution_name"], json!("compose-1"));
    assert_eq!(payload["state"], json!("Issue"));
    assert_eq!(payload["retry"], json!(0));
    assert_eq!(payload["label"], json!("inv-i-7"));
    assert!(payload["started"].as_str().unwrap().ends_with('Z'));
    assert!(arn.ends_with(":execution:local:compose-1"), "{arn}");
}

#[tokio::test]
async fn result_path_null_keeps_input() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!("ignored")));
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}"}, "ResultPath": null, "End": true}}});

    let outcome = runner(definition, handlers).start_execution("keep", json!({"a": 1})).unwrap().await;

    assert_eq!(outcome.output, Some(json!({"a": 1})));
    assert_eq!(log.payloads_of(ALPHA), vec![json!({})]);
}

#[tokio::test]
async fn missing_payload_path_raises_runtime_without_invoking() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!({})));
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}", "Payload": {"id.$": "$.detail.id"}},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Never"}],
        "End": true}, "Never": {"Type": "Succeed"}}});

    let outcome = runner(definition, handlers).start_execution("runtime", json!({"detail": {}})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome.cause.as_deref().unwrap().contains("'$.detail.id'"), "{:?}", outcome.cause);
    assert!(log.calls().is_empty());
}

#[tokio::test]
async fn missing_input_path_raises_runtime() {
    let handlers = LambdaHandlers::new();
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.nope", "End": true}}});

    let outcome = runner(definition, handlers).start_execution("input-path", json!({})).unwrap().await;

    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome.cause.unwrap().contains("$.nope"));
}

#[tokio::test]
async fn handler_error_fails_execution_with_error_type() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async {
        Err(TaskFailure::new("TenantNotFound", r#"{"errorMessage":"unknown account 111"}"#))
    });
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}"}, "End": true}}});

    let outcome = runner(definition, handlers).start_execution("fails", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("TenantNotFound"));
    assert_eq!(outcome.cause.as_deref(), Some(r#"{"errorMessage":"unknown account 111"}"#));
    let failed = outcome.history.iter().find(|event| event.event_type == HistoryEventType::TaskFailed).unwrap();
    assert_eq!(failed.error.as_deref(), Some("TenantNotFound"));
}

#[tokio::test]
async fn unregistered_function_fails_with_resource_not_found() {
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}"}, "End": true}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("missing-fn", json!({})).unwrap().await;

    assert_eq!(outcome.error.as_deref(), Some("Lambda.ResourceNotFoundException"));
    assert!(outcome.cause.unwrap().contains(ALPHA));
}

#[tokio::test]
async fn panicking_handler_becomes_task_error() {
    let handlers = LambdaHandlers::new().with(ALPHA, |_payload: Value| async {
        if true {
            panic!("boom in handler");
        }
        Ok(json!({}))
    });
    let definition = json!({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}"},
        "Catch": [{"ErrorEquals": ["Lambda.Unknown"], "ResultPath": "$.error", "Next": "Recovered"}],
        "End": true}, "Recovered": {"Type": "Succeed"}}});

    let outcome = runner(definition, handlers).start_execution("panics", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let output = outcome.output.unwrap();
    assert_eq!(output["error"]["Error"], json!("Lambda.Unknown"));
    assert!(output["error"]["Cause"].as_str().unwrap().contains("boom in handler"));
}

#[tokio::test]
async fn duplicate_execution_name_is_rejected() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let runner = runner(definition, LambdaHandlers::new());

    let first = runner.start_execution("same", json!({})).unwrap().await;
    let second = runner.start_execution("same", json!({}));

    assert_eq!(first.status, ExecutionStatus::Succeeded);
    assert_eq!(
        second.unwrap_err(),
        causeflow_runner::StartExecutionError::ExecutionAlreadyExists { name: "same".into() }
    );
    assert!(matches!(
        runner.start_execution("has space", json!({})),
        Err(causeflow_runner::StartExecutionError::InvalidName { .. })
    ));
}
