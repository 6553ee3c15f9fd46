//! Pass, Choice, Wait, Succeed and Fail states, and the execution-level timeout.

mod common;

use causeflow_runner::{ExecutionStatus, LambdaHandlers};
use common::{entered_states, runner};
use serde_json::json;

#[tokio::test]
async fn pass_result_and_parameters() {
    let definition = json!({"StartAt": "Fixed", "States": {
        "Fixed": {"Type": "Pass", "Result": {"approved": false}, "ResultPath": "$.approval", "Next": "Shaped"},
        "Shaped": {"Type": "Pass", "Parameters": {
            "approved.$": "$.approval.approved",
            "tags.$": "States.Array('a', $.id)",
            "merged.$": "States.JsonMerge($.approval, States.StringToJson('{\"by\":\"x\"}'), false)",
            "sum.$": "States.MathAdd($.n, 2)",
            "second.$": "States.ArrayGetItem($.list, 1)",
            "text.$": "States.JsonToString($.approval)",
            "uuid.$": "States.UUID()"
        }, "End": true}}});

    let outcome = runner(definition, LambdaHandlers::new())
        .start_execution("pass", json!({"id": "i-1", "n": 40, "list": ["x", "y"]}))
        .unwrap()
        .await;

    let output = outcome.output.unwrap();
    assert_eq!(output["approved"], json!(false));
    assert_eq!(output["tags"], json!(["a", "i-1"]));
    assert_eq!(output["merged"], json!({"approved": false, "by": "x"}));
    assert_eq!(output["sum"], json!(42));
    assert_eq!(output["second"], json!("y"));
    assert_eq!(output["text"], json!(r#"{"approved":false}"#));
    assert_eq!(output["uuid"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn output_path_null_gives_empty_object() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": null, "End": true}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("null-out", json!({"a": 1})).unwrap().await;

    assert_eq!(outcome.output, Some(json!({})));
}

fn routing_definition() -> serde_json::Value {
    json!({"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [
            {"Variable": "$.approval", "IsPresent": false, "Next": "NoApproval"},
            {"And": [
                {"Variable": "$.approval.action", "IsNull": false},
                {"Variable": "$.approval.decision", "StringEquals": "approved"}
            ], "Next": "Remediate"},
            {"Variable": "$.approval.score", "NumericGreaterThanEquals": 0.5, "Next": "Review"},
            {"Not": {"Variable": "$.approval.region", "StringMatches": "us-*"}, "Next": "Foreign"}
        ], "Default": "Close"},
        "NoApproval": {"Type": "Pass", "End": true},
        "Remediate": {"Type": "Pass", "End": true},
        "Review": {"Type": "Pass", "End": true},
        "Foreign": {"Type": "Pass", "End": true},
        "Close": {"Type": "Succeed"}}})
}

#[tokio::test]
async fn choice_routes_by_first_matching_rule() {
    let cases = [
        (json!({}), "NoApproval"),
        (json!({"approval": {"action": {"kind": "rollback"}, "decision": "approved"}}), "Remediate"),
        (json!({"approval": {"action": null, "decision": "approved", "score": 0.9}}), "Review"),
        (json!({"approval": {"action": null, "decision": "rejected", "score": 0.1, "region": "eu-west-1"}}), "Foreign"),
        (json!({"approval": {"action": null, "decision": "rejected", "score": 0.1, "region": "us-east-1"}}), "Close"),
    ];
    let runner = runner(routing_definition(), LambdaHandlers::new());

    for (index, (input, expected)) in cases.into_iter().enumerate() {
        let outcome = runner.start_execution(&format!("route-{index}"), input).unwrap().await;

        assert_eq!(outcome.status, ExecutionStatus::Succeeded, "case {index}");
        assert_eq!(entered_states(&outcome), vec!["Route".to_owned(), expected.to_owned()], "case {index}");
    }
}

#[tokio::test]
async fn choice_without_match_or_default_fails() {
    let definition = json!({"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.a", "BooleanEquals": true, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("no-match", json!({"a": false})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.NoChoiceMatched"));
}

#[tokio::test]
async fn choice_on_missing_variable_raises_runtime() {
    let definition = json!({"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEquals": "x", "Next": "Done"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("missing-var", json!({})).unwrap().await;

    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome.cause.unwrap().contains("$.a"));
}

#[tokio::test]
async fn fail_state_sets_error_and_cause() {
    let definition = json!({"StartAt": "Stop", "States": {
        "Stop": {"Type": "Fail", "Error": "InvestigationAborted", "Cause": "operator stopped it"}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("fail", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("InvestigationAborted"));
    assert_eq!(outcome.cause.as_deref(), Some("operator stopped it"));
    assert_eq!(outcome.output, None);
}

#[tokio::test]
async fn fail_state_reads_error_path() {
    let definition = json!({"StartAt": "Stop", "States": {
        "Stop": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}}});

    let outcome = runner(definition, LambdaHandlers::new())
        .start_execution("fail-path", json!({"e": "Custom", "c": "why"}))
        .unwrap()
        .await;

    assert_eq!(outcome.error.as_deref(), Some("Custom"));
    assert_eq!(outcome.cause.as_deref(), Some("why"));
}

#[tokio::test]
async fn succeed_applies_input_and_output_paths() {
    let definition = json!({"StartAt": "Done", "States": {
        "Done": {"Type": "Succeed", "InputPath": "$.report", "OutputPath": "$.summary"}}});

    let outcome = runner(definition, LambdaHandlers::new())
        .start_execution("succeed", json!({"report": {"summary": "rollback"}}))
        .unwrap()
        .await;

    assert_eq!(outcome.output, Some(json!("rollback")));
}

#[tokio::test(start_paused = true)]
async fn wait_state_sleeps_on_tokio_clock() {
    let definition = json!({"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let started = tokio::time::Instant::now();

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("wait", json!({"delay": 30})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(started.elapsed().as_secs(), 30);
}

#[tokio::test(start_paused = true)]
async fn execution_timeout_ends_as_timed_out() {
    let definition = json!({"TimeoutSeconds": 5, "StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 60, "End": true}}});

    let outcome = runner(definition, LambdaHandlers::new()).start_execution("slow", json!({})).unwrap().await;

    assert_eq!(outcome.status, ExecutionStatus::TimedOut);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(
        outcome.history.last().map(|event| event.event_type),
        Some(causeflow_runner::HistoryEventType::ExecutionTimedOut)
    );
}
