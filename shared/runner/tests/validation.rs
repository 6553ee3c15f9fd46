//! Definitions the runner cannot execute exactly: each is rejected up front with the state
//! and field at fault, and no handler runs.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use causeflow_runner::{AslError, LambdaHandlers, Runner};
use common::{substitutions, CallLog, ALPHA};
use serde_json::{json, Value};

fn task(extra: Value) -> Value {
    let mut state = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${Alpha}", "Payload.$": "$"}, "End": true});
    for (key, value) in extra.as_object().unwrap() {
        if value.is_null() && key != "ResultPath" {
            state.as_object_mut().unwrap().remove(key);
        } else {
            state[key] = value.clone();
        }
    }
    state
}

fn machine(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

/// Builds a runner and asserts it fails with `expected` and that no handler was invoked.
fn assert_rejected(definition: &str, subs: &HashMap<String, String>, expected: AslError) {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, common::echo_to(&log, ALPHA, json!({})));

    let error = Runner::new(definition, subs, Arc::new(handlers)).unwrap_err();

    assert_eq!(error, expected, "message: {error}");
    assert!(log.calls().is_empty());
}

fn reject(definition: Value, expected: AslError) {
    assert_rejected(&definition.to_string(), &substitutions(), expected);
}

fn strings(state: &str, field: &str) -> (String, String) {
    (state.to_owned(), field.to_owned())
}

#[test]
fn unresolved_substitution_names_placeholder() {
    let definition = machine(task(json!({"Parameters": {"FunctionName": "${Missing}"}}))).to_string();

    assert_rejected(&definition, &substitutions(), AslError::UnresolvedSubstitution { name: "Missing".into() });
}

#[test]
fn unknown_state_type_names_state() {
    reject(
        machine(json!({"Type": "Sleep", "End": true})),
        AslError::UnknownStateType { state: "S".into(), state_type: "Sleep".into() },
    );
}

#[test]
fn map_state_is_unsupported() {
    reject(
        machine(json!({"Type": "Map", "ItemProcessor": {}, "End": true})),
        AslError::UnsupportedStateType { state: "S".into(), state_type: "Map".into() },
    );
}

#[test]
fn unknown_field_names_state_and_field() {
    let (state, field) = strings("S", "TimeoutSecond");
    reject(machine(task(json!({"TimeoutSecond": 5}))), AslError::UnknownField { state, field });
}

#[test]
fn field_of_other_state_type_is_unknown() {
    let (state, field) = strings("S", "Retry");
    reject(
        machine(json!({"Type": "Pass", "Retry": [], "End": true})),
        AslError::UnknownField { state, field },
    );
}

#[test]
fn unsupported_fields_are_named() {
    for field in ["Credentials", "Assign", "Arguments", "Output"] {
        reject(
            machine(task(json!({field: {}}))),
            AslError::UnsupportedField { state: "S".into(), field: field.into() },
        );
    }
}

#[test]
fn unsupported_lambda_parameter_is_named() {
    reject(
        machine(task(json!({"Parameters": {"FunctionName": "${Alpha}", "Qualifier": "live"}}))),
        AslError::UnsupportedField { state: "S".into(), field: "Parameters.Qualifier".into() },
    );
}

#[test]
fn missing_function_name_is_named() {
    reject(
        machine(task(json!({"Parameters": {"Payload": {}}}))),
        AslError::MissingField { state: "S".into(), field: "Parameters.FunctionName".into() },
    );
}

#[test]
fn unsupported_resource_is_named() {
    for resource in ["arn:aws:states:::dynamodb:putItem", "arn:aws:lambda:us-east-1:123456789012:function:alpha", "arn:aws:states:::lambda:invoke.sync"] {
        reject(
            machine(task(json!({"Resource": resource}))),
            AslError::UnsupportedResource { state: "S".into(), resource: resource.into() },
        );
    }
}

#[test]
fn missing_transition_is_named() {
    reject(machine(task(json!({"End": null}))), AslError::MissingTransition { state: "S".into() });
}

#[test]
fn next_and_end_together_are_rejected() {
    let definition = json!({"StartAt": "S", "States": {"S": task(json!({"Next": "T"})), "T": {"Type": "Succeed"}}});
    reject(definition, AslError::ConflictingTransition { state: "S".into() });
}

#[test]
fn dangling_next_is_named() {
    reject(
        machine(task(json!({"End": null, "Next": "Nowhere"}))),
        AslError::DanglingTransition { state: "S".into(), field: "Next".into(), target: "Nowhere".into() },
    );
}

#[test]
fn dangling_catch_and_choice_targets_are_named() {
    reject(
        machine(task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]}))),
        AslError::DanglingTransition { state: "S".into(), field: "Catch[0].Next".into(), target: "Gone".into() },
    );
    reject(
        machine(json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Gone"}]})),
        AslError::DanglingTransition { state: "S".into(), field: "Choices[0].Next".into(), target: "Gone".into() },
    );
}

#[test]
fn dangling_start_at_is_named() {
    reject(
        json!({"StartAt": "Nope", "States": {"S": {"Type": "Succeed"}}}),
        AslError::DanglingTransition { state: "<state machine>".into(), field: "StartAt".into(), target: "Nope".into() },
    );
}

#[test]
fn next_into_other_branch_is_dangling() {
    let definition = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
    ]}}});
    reject(definition, AslError::DanglingTransition { state: "A".into(), field: "Next".into(), target: "B".into() });
}

#[test]
fn unreachable_state_is_named() {
    let definition = json!({"StartAt": "S", "States": {"S": {"Type": "Succeed"}, "Orphan": {"Type": "Succeed"}}});
    reject(definition, AslError::UnreachableState { state: "Orphan".into() });
}

#[test]
fn duplicate_name_across_branches_is_named() {
    let definition = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Same", "States": {"Same": {"Type": "Pass", "End": true}}},
        {"StartAt": "Same", "States": {"Same": {"Type": "Pass", "End": true}}}
    ]}}});
    reject(definition, AslError::DuplicateStateName { state: "Same".into() });
}

#[test]
fn unknown_intrinsic_is_named() {
    reject(
        machine(task(json!({"Parameters": {"FunctionName": "${Alpha}", "Payload": {"h.$": "States.Hash($.a, 'SHA-256')"}}}))),
        AslError::UnknownIntrinsic { state: "S".into(), field: "Parameters.Payload.h.$".into(), function: "States.Hash".into() },
    );
}

#[test]
fn unsupported_jsonpath_is_named() {
    let error = Runner::new(
        &machine(task(json!({"Parameters": {"FunctionName": "${Alpha}", "Payload": {"ids.$": "$.items[*].id"}}}))).to_string(),
        &substitutions(),
        Arc::new(LambdaHandlers::new()),
    )
    .unwrap_err();

    assert!(
        matches!(&error, AslError::InvalidField { state, field, reason } if state == "S" && field == "Parameters.Payload.ids.$" && reason.contains("[*]")),
        "{error}"
    );
}

#[test]
fn invalid_retry_fields_are_named() {
    let cases = [
        (json!([{"ErrorEquals": ["States.ALL", "X"]}]), "Retry[0].ErrorEquals"),
        (json!([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]), "Retry[0].ErrorEquals"),
        (json!([{"ErrorEquals": ["X"], "BackoffRate": 0.5}]), "Retry[0].BackoffRate"),
        (json!([{"ErrorEquals": ["X"], "IntervalSeconds": 0}]), "Retry[0].IntervalSeconds"),
        (json!([{"ErrorEquals": []}]), "Retry[0].ErrorEquals"),
    ];
    for (retry, field) in cases {
        let error = Runner::new(&machine(task(json!({"Retry": retry}))).to_string(), &substitutions(), Arc::new(LambdaHandlers::new()))
            .unwrap_err();

        assert!(matches!(&error, AslError::InvalidField { state, field: f, .. } if state == "S" && f == field), "{field}: {error}");
    }
}

#[test]
fn unknown_retry_field_is_named() {
    reject(
        machine(task(json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempt": 2}]}))),
        AslError::UnknownField { state: "S".into(), field: "Retry[0].MaxAttempt".into() },
    );
}

#[test]
fn missing_catch_next_is_named() {
    reject(
        machine(task(json!({"Catch": [{"ErrorEquals": ["X"]}]}))),
        AslError::MissingField { state: "S".into(), field: "Catch[0].Next".into() },
    );
}

#[test]
fn heartbeat_not_below_timeout_is_rejected() {
    let error = Runner::new(
        &machine(task(json!({"TimeoutSeconds": 60, "HeartbeatSeconds": 60}))).to_string(),
        &substitutions(),
        Arc::new(LambdaHandlers::new()),
    )
    .unwrap_err();

    assert!(matches!(&error, AslError::InvalidField { field, .. } if field == "HeartbeatSeconds"), "{error}");
}

#[test]
fn choice_operator_missing_is_named() {
    let error = Runner::new(
        &json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "D"}]}, "D": {"Type": "Succeed"}}}).to_string(),
        &substitutions(),
        Arc::new(LambdaHandlers::new()),
    )
    .unwrap_err();

    assert!(matches!(&error, AslError::MissingField { state, field } if state == "C" && field.starts_with("Choices[0].")), "{error}");
}

#[test]
fn jsonata_is_unsupported() {
    let error = Runner::new(
        &json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}).to_string(),
        &substitutions(),
        Arc::new(LambdaHandlers::new()),
    )
    .unwrap_err();

    assert!(matches!(&error, AslError::UnsupportedField { field, .. } if field.starts_with("QueryLanguage")), "{error}");
}

#[test]
fn invalid_json_is_reported() {
    let error = Runner::new("{\"StartAt\": ", &substitutions(), Arc::new(LambdaHandlers::new())).unwrap_err();

    assert!(matches!(error, AslError::InvalidJson { .. }), "{error}");
}

#[test]
fn error_messages_name_state_and_field() {
    let error = Runner::new(&machine(task(json!({"Credentials": {}}))).to_string(), &substitutions(), Arc::new(LambdaHandlers::new()))
        .unwrap_err();

    assert_eq!(error.to_string(), "state `S`: field `Credentials` is not supported by the local runner");
}
