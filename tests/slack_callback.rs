//! The Slack interactivity endpoint, driven over HTTP while a real investigation waits for
//! approval: every rejected request gets its HTTP status and changes nothing, and of several
//! clicks exactly one decision is stored, recorded and delivered.

mod common;

use causeflow_cli::approval_driver::ApprovalMode;
use causeflow_cli::click::{click_body, send_raw, send_signed, Click, ClickAnswer};
use causeflow_cli::investigate::{start_investigation, RunOptions, RunningInvestigation};
use causeflow_domain::approval::{ApprovalId, ApprovalRequest};
use causeflow_domain::audit::{AuditEventType, AuditRecord};
use causeflow_domain::TenantId;
use causeflow_local::scenario::{SLACK_APPROVERS, SLACK_SIGNING_SECRET, SLACK_TEAM_ID, TENANT_ID};
use causeflow_runner::ExecutionStatus;
use causeflow_slack::interaction::ApprovalChoice;
use causeflow_slack::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};

use common::{current_task_definition, temp_dir};

const SECRET: &[u8] = SLACK_SIGNING_SECRET.as_bytes();

/// What a refused request must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    approval: ApprovalRequest,
    trail: Vec<AuditRecord>,
    slack_requests: usize,
    task_definition: String,
}

struct Waiting {
    running: RunningInvestigation,
    approval_id: ApprovalId,
}

async fn waiting_for_approval(label: &str, required_approvals: u8) -> Waiting {
    let mut options = RunOptions::new("bad-deployment", temp_dir(label));
    options.approval = ApprovalMode::Manual;
    options.approval_expiry_seconds = Some(600);
    options.required_approvals = Some(required_approvals);
    let running = start_investigation(&options).await.expect("investigation starts");
    let approval_id = running.posted_approval_id().await.expect("approval message posted");
    Waiting { running, approval_id: ApprovalId::parse(&approval_id).expect("button carries an approval id") }
}

impl Waiting {
    fn tenant(&self) -> TenantId {
        TenantId::parse(TENANT_ID).unwrap()
    }

    async fn approval(&self) -> ApprovalRequest {
        self.running.platform.approvals.get(&self.tenant(), &self.approval_id).await.unwrap().expect("approval stored")
    }

    async fn snapshot(&self) -> Snapshot {
        let approval = self.approval().await;
        let trail = self.running.platform.audit.read(&approval.tenant_id, &approval.investigation_id).await.unwrap();
        let service = &self.running.scenario.service;
        Snapshot {
            approval,
            trail,
            slack_requests: self.running.slack.requests().len(),
            task_definition: current_task_definition(&self.running.stack.sdk, &service.cluster, &service.service).await,
        }
    }

    fn click(&self, user: &str, choice: ApprovalChoice) -> Click {
        Click { team_id: SLACK_TEAM_ID.into(), user_id: user.into(), approval_id: self.approval_id.to_string(), choice }
    }

    async fn send(&self, click: &Click) -> ClickAnswer {
        send_signed(&self.running.interactions_url, SECRET, now(), &click_body(click)).await.expect("endpoint answers")
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn signed_headers(timestamp: i64, body: &str) -> Vec<(&'static str, String)> {
    vec![(TIMESTAMP_HEADER, timestamp.to_string()), (SIGNATURE_HEADER, causeflow_slack::signature::sign(SECRET, timestamp, body.as_bytes()))]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_change_nothing() {
    let waiting = waiting_for_approval("callback-refusals", 1).await;
    let url = waiting.running.interactions_url.clone();
    let approve = click_body(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve));
    let before = waiting.snapshot().await;

    let other_team = Click { team_id: "T0OTHERCO1".into(), ..waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve) };
    let stranger = waiting.click("U0STRANGER", ApprovalChoice::Approve);
    let unknown_approval = Click { approval_id: ApprovalId::from_random([9; 16]).to_string(), ..waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve) };
    let view_submission = form_payload(&serde_json::json!({"type": "view_submission", "team": {"id": SLACK_TEAM_ID}, "user": {"id": SLACK_APPROVERS[0]}}));
    let not_an_id = Click { approval_id: "approve-it-please".into(), ..waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve) };
    let other_tenant_url = url.replace("/slack/interactions/acme", "/slack/interactions/globex");

    let t = now();
    let mut changed_body = approve.clone();
    changed_body.push_str("%20");
    let cases: Vec<RefusalCase> = vec![
        RefusalCase::new("wrong secret", url.clone(), vec![(TIMESTAMP_HEADER, t.to_string()), (SIGNATURE_HEADER, causeflow_slack::signature::sign(b"not-the-secret", t, approve.as_bytes()))], approve.clone(), 401, "signature"),
        RefusalCase::new("missing signature", url.clone(), vec![(TIMESTAMP_HEADER, t.to_string())], approve.clone(), 401, "signature"),
        RefusalCase::new("missing timestamp", url.clone(), vec![(SIGNATURE_HEADER, causeflow_slack::signature::sign(SECRET, t, approve.as_bytes()))], approve.clone(), 401, "timestamp"),
        RefusalCase::new("no headers", url.clone(), vec![], approve.clone(), 401, "timestamp"),
        // Well past the 300-second window, so a second passing during the test cannot bring
        // them back into it.
        RefusalCase::new("stale timestamp", url.clone(), signed_headers(t - 400, &approve), approve.clone(), 401, "old"),
        RefusalCase::new("future timestamp", url.clone(), signed_headers(t + 400, &approve), approve.clone(), 401, "future"),
        RefusalCase::new("body changed after signing", url.clone(), signed_headers(t, &approve), changed_body, 401, "signature"),
        RefusalCase::new("other tenant's path", other_tenant_url, signed_headers(t, &approve), approve.clone(), 401, "signing secret"),
        RefusalCase::new("not block_actions", url.clone(), signed_headers(t, &view_submission), view_submission.clone(), 400, "view_submission"),
        RefusalCase::new("value not an approval id", url.clone(), signed_headers(t, &click_body(&not_an_id)), click_body(&not_an_id), 400, "approval id"),
        RefusalCase::new("other workspace", url.clone(), signed_headers(t, &click_body(&other_team)), click_body(&other_team), 403, "T0OTHERCO1"),
        RefusalCase::new("not an approver", url.clone(), signed_headers(t, &click_body(&stranger)), click_body(&stranger), 403, "U0STRANGER"),
        RefusalCase::new("unknown approval", url.clone(), signed_headers(t, &click_body(&unknown_approval)), click_body(&unknown_approval), 404, "does not exist"),
    ];
    for RefusalCase { case, target, headers, body, status, message } in cases {
        let answer = send_raw(&target, &headers, &body).await.expect("endpoint answers");
        assert_eq!(answer.status, status, "{case}: {}", answer.body);
        let error = answer.body["error"].as_str().unwrap_or_default().to_lowercase();
        assert!(error.contains(&message.to_lowercase()), "{case}: error `{error}` should mention `{message}`");
        assert_eq!(waiting.snapshot().await, before, "{case}: nothing may change");
    }

    // Finally approve, so the investigation ends now instead of at expiry.
    let answer = waiting.send(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve)).await;
    assert_eq!(answer.status, 200);
    let outcome = waiting.running.finish().await.expect("investigation ends");
    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded);
}

/// A request the endpoint must reject, with the expected status and error text.
struct RefusalCase {
    case: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: String,
    status: u16,
    message: &'static str,
}

impl RefusalCase {
    fn new(case: &'static str, target: String, headers: Vec<(&'static str, String)>, body: String, status: u16, message: &'static str) -> RefusalCase {
        RefusalCase { case, target, headers, body, status, message }
    }
}

fn form_payload(payload: &serde_json::Value) -> String {
    form_urlencoded::Serializer::new(String::new()).append_pair("payload", &payload.to_string()).finish()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_and_repeated_clicks_answer_as_the_first() {
    let waiting = waiting_for_approval("callback-replay", 1).await;
    let approve = click_body(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve));
    let headers = signed_headers(now(), &approve);

    let first = send_raw(&waiting.running.interactions_url, &headers, &approve).await.unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["status"], "approved");
    let after_first = waiting.snapshot().await;

    let replay = send_raw(&waiting.running.interactions_url, &headers, &approve).await.unwrap();
    let double_click = waiting.send(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve)).await;
    let late_reject = waiting.send(&waiting.click(SLACK_APPROVERS[1], ApprovalChoice::Reject)).await;
    for (case, answer) in [("replay", &replay), ("double click", &double_click), ("reject after approval", &late_reject)] {
        assert_eq!(answer.status, first.status, "{case}");
        assert_eq!(answer.body, first.body, "{case} answers as the first click did");
    }

    let outcome = waiting.running.finish().await.expect("investigation ends");
    let granted = outcome.audit.iter().filter(|record| record.event_type == AuditEventType::ApprovalGranted).count();
    assert_eq!(granted, 1, "one decision is recorded");
    assert_eq!(after_first.approval.decision, outcome.platform.approvals.get(&TenantId::parse(TENANT_ID).unwrap(), &after_first.approval.approval_id).await.unwrap().unwrap().decision);
    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_approve_and_reject_store_one_decision() {
    let waiting = waiting_for_approval("callback-race", 1).await;
    let approve = waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve);
    let reject = waiting.click(SLACK_APPROVERS[1], ApprovalChoice::Reject);

    // Four clicks of each at once, so the conditional writes race.
    let clicks: Vec<&Click> = [&approve, &reject].into_iter().cycle().take(8).collect();
    let answers = futures::future::join_all(clicks.iter().map(|click| waiting.send(click))).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, answers[0].body, "every click answers with the one stored decision");
    }
    let status = answers[0].body["status"].as_str().unwrap().to_string();
    assert!(status == "approved" || status == "rejected", "{status}");

    let outcome = waiting.running.finish().await.expect("investigation ends");
    let decisions: Vec<AuditEventType> = outcome
        .audit
        .iter()
        .map(|record| record.event_type)
        .filter(|event| matches!(event, AuditEventType::ApprovalGranted | AuditEventType::ApprovalRejected))
        .collect();
    assert_eq!(decisions.len(), 1, "exactly one decision is recorded: {decisions:?}");
    let remediated = outcome.audit.iter().any(|record| record.event_type == AuditEventType::RemediationSucceeded);
    assert_eq!(remediated, status == "approved");
    assert!(outcome.verification.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_approver_twice_does_not_make_two() {
    let waiting = waiting_for_approval("callback-two-approvers", 2).await;

    let first = waiting.send(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["status"], "pending");
    assert_eq!(first.body["approvals_missing"], 1);
    let after_first = waiting.snapshot().await;

    let again = waiting.send(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve)).await;
    assert_eq!(again.body, first.body, "the same approver again changes nothing");
    assert_eq!(waiting.snapshot().await, after_first);

    let second = waiting.send(&waiting.click(SLACK_APPROVERS[1], ApprovalChoice::Approve)).await;
    assert_eq!(second.body["status"], "approved");
    assert_eq!(second.body["decided_by"], serde_json::json!(SLACK_APPROVERS));

    let outcome = waiting.running.finish().await.expect("investigation ends");
    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded);
    let granted: Vec<_> = outcome.audit.iter().filter(|record| record.event_type == AuditEventType::ApprovalGranted).collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].details["approvers"], serde_json::json!(SLACK_APPROVERS));
    assert!(outcome.audit.iter().any(|record| record.event_type == AuditEventType::RemediationSucceeded));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_signing_secret_applies_at_once() {
    let waiting = waiting_for_approval("callback-rotated-secret", 1).await;
    let tenant = causeflow_secrets::TenantId::parse(TENANT_ID).unwrap();
    let (_, signing_secret_slot) = causeflow_secrets::slack::slack_slots();
    let new_secret = b"rotated-signing-secret-9876543210";
    waiting
        .running
        .platform
        .secrets
        .replace(&tenant, &signing_secret_slot, &causeflow_secrets::SecretValue::from_slice(new_secret), None)
        .await
        .expect("signing secret replaced");
    let before = waiting.snapshot().await;

    let body = click_body(&waiting.click(SLACK_APPROVERS[0], ApprovalChoice::Approve));
    let with_old = send_signed(&waiting.running.interactions_url, SECRET, now(), &body).await.unwrap();
    assert_eq!(with_old.status, 401, "{}", with_old.body);
    assert_eq!(waiting.snapshot().await, before);

    let with_new = send_signed(&waiting.running.interactions_url, new_secret, now(), &body).await.unwrap();
    assert_eq!(with_new.status, 200, "{}", with_new.body);
    assert_eq!(with_new.body["status"], "approved");
    let outcome = waiting.running.finish().await.expect("investigation ends");
    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded);
}
