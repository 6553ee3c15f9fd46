//! The execution history: event order, the live feed, and the text rendering.

mod common;

use causeflow_runner::{render_history, HistoryEventType as E, LambdaHandlers};
use common::{echo_to, runner, CallLog, ALPHA};
use serde_json::json;

fn definition() -> serde_json::Value {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Alpha}", "Payload.$": "$"},
            "ResultSelector": {"r.$": "$.Payload"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.r", "IsPresent": true, "Next": "Done"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}})
}

#[tokio::test]
async fn history_lists_events_in_step_functions_order() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!(7)));

    let outcome = runner(definition(), handlers).start_execution("order", json!({})).unwrap().await;

    let types: Vec<E> = outcome.history.iter().map(|event| event.event_type).collect();
    assert_eq!(
        types,
        vec![
            E::ExecutionStarted,
            E::TaskStateEntered,
            E::TaskScheduled,
            E::TaskStarted,
            E::TaskSucceeded,
            E::TaskStateExited,
            E::ChoiceStateEntered,
            E::ChoiceStateExited,
            E::SucceedStateEntered,
            E::SucceedStateExited,
            E::ExecutionSucceeded,
        ]
    );
    let ids: Vec<u64> = outcome.history.iter().map(|event| event.id).collect();
    assert_eq!(ids, (1..=11).collect::<Vec<u64>>());
    assert_eq!(outcome.history[5].output, Some(json!({"r": 7})));
    assert_eq!(outcome.history[2].resource.as_deref(), Some("arn:aws:states:::lambda:invoke"));
}

#[tokio::test]
async fn live_feed_yields_every_event() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!(7)));
    let mut execution = runner(definition(), handlers).start_execution("feed", json!({})).unwrap();
    let mut feed = execution.take_event_feed().unwrap();

    let outcome = execution.await;
    let mut streamed = Vec::new();
    while let Some(event) = feed.recv().await {
        streamed.push(event);
    }

    assert_eq!(streamed, outcome.history);
}

#[tokio::test]
async fn rendering_has_one_line_per_event() {
    let log = CallLog::default();
    let handlers = LambdaHandlers::new().with(ALPHA, echo_to(&log, ALPHA, json!("x".repeat(1000))));

    let outcome = runner(definition(), handlers).start_execution("render", json!({})).unwrap().await;
    let text = render_history(&outcome.history);

    assert_eq!(text.lines().count(), outcome.history.len());
    let first = text.lines().next().unwrap();
    assert!(first.trim_start().starts_with("1  "), "{first}");
    assert!(first.contains("ExecutionStarted"), "{first}");
    assert!(text.contains("more characters)"), "{text}");
    let serialized = serde_json::to_value(&outcome.history[1]).unwrap();
    assert_eq!(serialized["type"], json!("TaskStateEntered"));
    assert_eq!(serialized["stateName"], json!("Call"));
}
