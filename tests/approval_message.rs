//! What `request_approval` posts: the exact change, masked evidence, the expiry, buttons that
//! carry only the approval id, in the tenant's language; and what it stores.

mod common;

use causeflow_domain::action::ProposedAction;
use causeflow_domain::approval::{ApprovalId, ApprovalStatus};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::report::{CauseKind, Hypothesis, Report, TimelineEntry};
use serde_json::{json, Value};

use common::{harness, store_slack_secrets, Harness};

async fn request_for_report(harness: &Harness, locale: &str) -> (Investigation, Value) {
    let mut tenant = harness.loaded.tenant.clone();
    if let Some(approval) = tenant.approval.as_mut() {
        approval.locale = locale.to_string();
    }
    harness.platform.tenants.register(&tenant).await.expect("tenant updated");
    let opened = open_investigation::handle(&harness.platform, json!({"event": harness.loaded.alarm_event})).await.expect("opens");
    let investigation: Investigation = serde_json::from_value(opened["investigation"].clone()).unwrap();

    let action = ProposedAction::RollbackService {
        cluster: "prod".into(),
        service: "checkout".into(),
        from_task_definition: "checkout:2".into(),
        to_task_definition: "checkout:1".into(),
    };
    let report = Report {
        tenant_id: investigation.tenant_id.clone(),
        investigation_id: investigation.investigation_id.clone(),
        alarm_name: investigation.alarm.alarm_name.clone(),
        service: "checkout".into(),
        onset: investigation.onset(),
        generated_at: chrono::Utc::now(),
        hypotheses: vec![Hypothesis {
            rank: 1,
            cause: CauseKind::BadDeployment,
            title: "Deployment of checkout:2 broke checkout".into(),
            confidence: 0.9,
            explanation: "the errors start with the deployment".into(),
            evidence_ids: vec!["logs-1".into()],
        }],
        proposed_action: Some(action.clone()),
        timeline: vec![TimelineEntry {
            at: investigation.onset(),
            evidence_id: Some("logs-1".into()),
            // Evidence is masked when stored; this line stands for one that was not, to show
            // the message masks again before the text leaves for Slack.
            text: "checkout failed for ana.silva@example.com".into(),
        }],
    };
    harness.platform.investigations.put_report(&report, "# report").await.expect("report stored");

    store_slack_secrets(harness).await;

    let input = json!({"investigation": investigation, "report": {"action_digest": action.digest()}, "task_token": "token-1"});
    let output = request_approval::handle(&harness.platform, input).await.expect("approval requested");
    (investigation, output)
}

fn posted(harness: &Harness) -> Value {
    let requests = harness.slack.requests();
    assert_eq!(requests.len(), 1, "one message posted");
    requests[0].body.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_shows_exact_change() {
    let harness = harness("bad-deployment").await;
    let (investigation, output) = request_for_report(&harness, "en").await;
    let message = posted(&harness);
    let text = message.to_string();

    let approval_id = output["approval_id"].as_str().unwrap().to_string();
    let buttons: Vec<&Value> = message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["type"] == "actions")
        .flat_map(|block| block["elements"].as_array().unwrap())
        .collect();
    assert_eq!(buttons.len(), 2);
    for button in &buttons {
        assert_eq!(button["value"], approval_id.as_str(), "a button carries the approval id alone");
    }
    assert_eq!(buttons[0]["action_id"], "approve");
    assert_eq!(buttons[1]["action_id"], "reject");

    for expected in ["prod", "checkout:2", "checkout:1", "checkout-5xx", "Deployment of checkout:2 broke checkout", "UTC"] {
        assert!(text.contains(expected), "message names `{expected}`: {text}");
    }
    assert!(!text.contains("ana.silva@example.com"), "evidence is masked before it leaves");
    assert!(!text.contains("token-1"), "the task token never leaves");

    let request = harness
        .platform
        .approvals
        .get(&investigation.tenant_id, &ApprovalId::parse(&approval_id).unwrap())
        .await
        .unwrap()
        .expect("request stored");
    assert_eq!(request.status, ApprovalStatus::Pending);
    assert_eq!(request.approvers, vec!["U0ONCALL01".to_string(), "U0ONCALL02".to_string()]);
    assert_eq!(request.expires_at - request.requested_at, chrono::Duration::hours(1));
    assert!(!request.sealed_task_token.contains("token-1"), "the task token is stored sealed");
    assert_eq!(request.slack_message.as_ref().map(|posted| posted.channel.as_str()), Some("C0INCIDENTS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_uses_tenant_locale() {
    let harness = harness("bad-deployment").await;
    request_for_report(&harness, "pt-BR").await;
    let text = posted(&harness).to_string();

    assert!(text.contains("Aprovar"), "{text}");
    assert!(text.contains("Rejeitar"), "{text}");
    assert!(text.contains("ECS"), "AWS names stay in English: {text}");
    assert!(!text.contains("\"Approve\""), "{text}");
}
