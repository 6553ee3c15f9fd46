//! Bad input to each entry point gets its named error and writes nothing.

mod common;

use causeflow_domain::credentials::SealedCredentials;
use serde_json::{json, Value};

use common::{harness, store_slack_secrets, written_items, Harness};

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

/// Opens the scenario's investigation and stores a report proposing a rollback, as `analyze`
/// would. Returns the investigation and the action's digest.
async fn investigation_with_proposal(harness: &Harness) -> (Value, String) {
    let opened = open(harness, alarm_event(harness)).await.expect("investigation opens");
    let investigation: causeflow_domain::investigation::Investigation = serde_json::from_value(opened["investigation"].clone()).unwrap();
    let action = causeflow_domain::action::ProposedAction::RollbackService {
        cluster: "prod".into(),
        service: "checkout".into(),
        from_task_definition: "checkout:2".into(),
        to_task_definition: "checkout:1".into(),
    };
    let digest = action.digest().as_str().to_string();
    let report = causeflow_domain::report::Report {
        tenant_id: investigation.tenant_id.clone(),
        investigation_id: investigation.investigation_id.clone(),
        alarm_name: investigation.alarm.alarm_name.clone(),
        service: "checkout".into(),
        onset: investigation.onset(),
        generated_at: chrono::Utc::now(),
        hypotheses: Vec::new(),
        proposed_action: Some(action),
        timeline: Vec::new(),
    };
    harness.platform.investigations.put_report(&report, "# report").await.expect("report stored");
    (opened["investigation"].clone(), digest)
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_functions_reject_malformed_input() {
    let harness = harness("bad-deployment").await;
    let (investigation, digest) = investigation_with_proposal(&harness).await;
    store_slack_secrets(&harness).await;
    let before = written_items(&harness.platform).await;

    let report = json!({"action_digest": digest});
    let cases: Vec<(&str, Result<Value, causeflow_lambda::Failure>, &str)> = vec![
        ("request without token", request_approval::handle(&harness.platform, json!({"investigation": investigation, "report": report})).await, "task_token"),
        ("request with empty token", request_approval::handle(&harness.platform, json!({"investigation": investigation, "report": report, "task_token": ""})).await, "task_token"),
        (
            "request for another action",
            request_approval::handle(&harness.platform, json!({"investigation": investigation, "report": {"action_digest": "0".repeat(64)}, "task_token": "token"})).await,
            "digest",
        ),
        ("expiry without investigation", expire_approval::handle(&harness.platform, json!({})).await, "investigation"),
        ("callback that is no function URL event", slack_callback::handle(&harness.platform, json!("hello")).await, "slack_callback input"),
        (
            "remediation without inspector session",
            remediate::handle(&harness.platform, json!({"investigation": investigation, "approval": {}, "credentials": {}})).await,
            "remediate input",
        ),
    ];
    for (case, result, message) in cases {
        let failure = result.expect_err(case);
        assert_eq!(failure.error_type, "InvalidInput", "{case}: {failure}");
        assert!(failure.message.contains(message), "{case}: `{}` should mention `{message}`", failure.message);
    }
    assert_eq!(written_items(&harness.platform).await, before, "nothing written");
    assert!(harness.slack.requests().is_empty(), "nothing posted to Slack");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_reads_slack_app_from_secret_store() {
    let harness = harness("bad-deployment").await;
    let (investigation, digest) = investigation_with_proposal(&harness).await;
    let input = json!({"investigation": investigation, "report": {"action_digest": digest}, "task_token": "token-1"});

    // Without the tenant's Slack secrets nothing can be posted: the refusal is recorded, and
    // no approval request exists that anyone could decide.
    let failure = request_approval::handle(&harness.platform, input.clone()).await.expect_err("no Slack app stored");
    assert_eq!(failure.error_type, "SlackNotConfigured");
    assert!(failure.message.contains("causeflow secrets put"), "{}", failure.message);
    let items = written_items(&harness.platform).await;
    assert!(!items.iter().any(|item| item.contains("#APPROVAL#")), "no approval request stored");
    assert!(items.iter().any(|item| item.contains("approval.unavailable")), "the refusal is in the audit trail");
    assert!(harness.slack.requests().is_empty());

    // With them stored, the message is posted with the stored bot token.
    store_slack_secrets(&harness).await;
    let output = request_approval::handle(&harness.platform, input).await.expect("approval requested");
    assert_eq!(output["requested"], true);
    let requests = harness.slack.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "chat.postMessage");
    assert!(requests[0].token_matched, "the bot token from the secret store authorised the post");
    assert_eq!(requests[0].body["channel"], causeflow_local::scenario::SLACK_CHANNEL_ID);
}
