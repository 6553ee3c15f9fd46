//! Bad input to each entry point gets its named error and writes nothing.

mod common;

use causeflow_domain::credentials::SealedCredentials;
use serde_json::{json, Value};

use common::{harness, written_items, Harness};

fn alarm_event(harness: &Harness) -> Value {
    harness.loaded.alarm_event.clone()
}

async fn open(harness: &Harness, event: Value) -> Result<Value, causeflow_lambda::Failure> {
    open_investigation::handle(&harness.platform, json!({ "event": event })).await
}

async fn assert_rejected(harness: &Harness, event: Value, error_type: &str, message_part: &str) {
    let before = written_items(&harness.platform).await;
    let failure = open(harness, event).await.expect_err("event is rejected");
    assert_eq!(failure.error_type, error_type, "{}", failure.message);
    assert!(failure.message.contains(message_part), "message `{}` names `{message_part}`", failure.message);
    assert_eq!(written_items(&harness.platform).await, before, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_alarm_events_write_nothing() {
    let harness = harness("bad-deployment").await;

    let mut missing_state = alarm_event(&harness);
    missing_state["detail"].as_object_mut().unwrap().remove("state");
    assert_rejected(&harness, missing_state, "InvalidAlarmEvent", "detail.state.value").await;

    let mut wrong_type = alarm_event(&harness);
    wrong_type["detail"]["alarmName"] = json!(42);
    assert_rejected(&harness, wrong_type, "InvalidAlarmEvent", "detail.alarmName").await;

    assert_rejected(&harness, json!("not an object"), "InvalidAlarmEvent", "JSON object").await;

    let mut oversized = alarm_event(&harness);
    oversized["detail"]["state"]["reason"] = json!("x".repeat(300 * 1024));
    assert_rejected(&harness, oversized, "InvalidAlarmEvent", "limit").await;

    let mut recovered = alarm_event(&harness);
    recovered["detail"]["state"]["value"] = json!("OK");
    assert_rejected(&harness, recovered, "NotIntoAlarm", "OK").await;

    let mut other_source = alarm_event(&harness);
    other_source["detail-type"] = json!("EC2 Instance State-change Notification");
    assert_rejected(&harness, other_source, "NotAnAlarmStateChange", "EC2 Instance").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_handler_input_writes_nothing() {
    let harness = harness("bad-deployment").await;
    let before = written_items(&harness.platform).await;

    let failure = open_investigation::handle(&harness.platform, json!({"evnt": {}})).await.expect_err("rejected");
    assert_eq!(failure.error_type, "InvalidInput");
    assert!(failure.message.contains("event"), "{}", failure.message);

    let raw = serde_json::to_vec(&alarm_event(&harness)).unwrap();
    let truncated = causeflow_domain::alarm::AlarmEvent::parse_bytes(&raw[..raw.len() / 2]).expect_err("truncated JSON is rejected");
    assert!(matches!(truncated, causeflow_domain::alarm::AlarmEventError::NotJson(_)));
    assert_eq!(written_items(&harness.platform).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_account_writes_nothing() {
    let harness = harness("bad-deployment").await;
    let mut event = alarm_event(&harness);
    event["account"] = json!("999988887777");
    assert_rejected(&harness, event, "UnknownAccount", "999988887777").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_event_opens_one_investigation() {
    let harness = harness("bad-deployment").await;
    let first = open(&harness, alarm_event(&harness)).await.expect("first delivery opens");
    assert_eq!(first["status"], "opened");
    let after_first = written_items(&harness.platform).await;

    let second = open(&harness, alarm_event(&harness)).await.expect("second delivery is answered");
    assert_eq!(second["status"], "already_open");
    assert_eq!(second["investigation"]["investigation_id"], first["investigation"]["investigation_id"]);
    assert_eq!(written_items(&harness.platform).await, after_first, "second delivery wrote nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_blob_for_another_agent_is_rejected() {
    let harness = harness("bad-deployment").await;
    let opened = open(&harness, alarm_event(&harness)).await.unwrap();
    let investigation = opened["investigation"].clone();
    let sealed = issue_credentials::handle(&harness.platform, json!({"investigation": investigation, "agent": "log_analyst"}))
        .await
        .expect("log_analyst credentials issued");
    let before = written_items(&harness.platform).await;

    // Handed unchanged to another agent: the labels name log_analyst.
    let failure = metric_analyst::handle(&harness.platform, json!({"investigation": investigation, "credentials": sealed}))
        .await
        .expect_err("metric_analyst refuses log_analyst's credentials");
    assert_eq!(failure.error_type, "CredentialsRejected");
    assert!(failure.message.contains("log_analyst"), "{}", failure.message);

    // Relabelled for the other agent: KMS refuses the encryption context.
    let mut relabelled: SealedCredentials = serde_json::from_value(sealed.clone()).unwrap();
    relabelled.agent = causeflow_domain::AgentKind::MetricAnalyst;
    let failure = metric_analyst::handle(&harness.platform, json!({"investigation": investigation, "credentials": relabelled}))
        .await
        .expect_err("KMS refuses a relabelled blob");
    assert_eq!(failure.error_type, "CredentialsRejected");
    assert!(failure.message.contains("encryption context"), "{}", failure.message);

    assert_eq!(written_items(&harness.platform).await, before, "no evidence and no audit record written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_credentials_rejects_unknown_agent() {
    let harness = harness("bad-deployment").await;
    let opened = open(&harness, alarm_event(&harness)).await.unwrap();
    let before = written_items(&harness.platform).await;

    let failure = issue_credentials::handle(&harness.platform, json!({"investigation": opened["investigation"], "agent": "janitor"}))
        .await
        .expect_err("unknown agent rejected");
    assert_eq!(failure.error_type, "InvalidInput");
    assert!(failure.message.contains("janitor"), "{}", failure.message);
    assert_eq!(written_items(&harness.platform).await, before);
}
