//! The approval path end to end through the local runner: a proposed rollback is posted to
//! Slack, decided by a signed click on the local interactivity endpoint, and run only when
//! approved. Every path ends with revoked sessions and a verifying audit trail.

mod common;

use causeflow_cli::approval_driver::ApprovalMode;
use causeflow_domain::action::ProposedAction;
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::AgentKind;
use causeflow_runner::ExecutionStatus;

use common::{event_types, family_revision, records_of, run_with, service_task_definition};

/// Returns the from and to revisions (family:revision) of the rollback the scenario proposes.
fn rollback_revisions(outcome: &causeflow_cli::investigate::RunOutcome) -> (String, String) {
    let (report, _) = outcome.report.clone().expect("report stored");
    match report.proposed_action.expect("an action is proposed") {
        ProposedAction::RollbackService { from_task_definition, to_task_definition, .. } => {
            (family_revision(&from_task_definition), family_revision(&to_task_definition))
        }
        other => panic!("expected a rollback, got {other:?}"),
    }
}

fn assert_revoked_and_verified(outcome: &causeflow_cli::investigate::RunOutcome) {
    let investigation = outcome.investigation.as_ref().expect("investigation opened");
    assert!(outcome.revocation_policy.contains(investigation.investigation_id.as_str()), "revocation policy lists the investigation");
    assert!(outcome.verification.is_ok(), "audit trail verifies: {:?}", outcome.verification);
    assert_eq!(event_types(outcome).last(), Some(&AuditEventType::InvestigationClosed));
}

fn issued_agents(outcome: &causeflow_cli::investigate::RunOutcome) -> Vec<String> {
    records_of(outcome, AuditEventType::CredentialsIssued).iter().map(|record| record.details["agent"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_rollback_runs_once() {
    let outcome = run_with("bad-deployment", |options| options.approval = ApprovalMode::Approve).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded, "{:?} {:?}", outcome.execution.error, outcome.execution.cause);
    let (from, to) = rollback_revisions(&outcome);
    assert_ne!(from, to);
    assert_eq!(service_task_definition(&outcome).await, to, "the service runs the approved task definition");

    let types = event_types(&outcome);
    let position = |event: AuditEventType| types.iter().position(|seen| *seen == event).unwrap_or_else(|| panic!("{event:?} missing from {types:?}"));
    assert!(position(AuditEventType::ReportCreated) < position(AuditEventType::ApprovalRequested));
    assert!(position(AuditEventType::ApprovalRequested) < position(AuditEventType::ApprovalGranted));
    assert!(position(AuditEventType::ApprovalGranted) < position(AuditEventType::RemediationSucceeded));
    assert!(position(AuditEventType::RemediationSucceeded) < position(AuditEventType::CredentialsRevoked));

    let granted = records_of(&outcome, AuditEventType::ApprovalGranted);
    assert_eq!(granted.len(), 1);
    let requested = records_of(&outcome, AuditEventType::ApprovalRequested);
    assert_eq!(granted[0].details["approval_id"], requested[0].details["approval_id"]);
    assert_eq!(granted[0].details["action_digest"], requested[0].details["action_digest"]);
    assert_eq!(granted[0].details["approvers"], serde_json::json!(["U0ONCALL01"]));
    assert_eq!(granted[0].actor, "slack:U0ONCALL01");

    let succeeded = records_of(&outcome, AuditEventType::RemediationSucceeded);
    assert_eq!(succeeded.len(), 1);
    assert_eq!(succeeded[0].details["approval_id"], granted[0].details["approval_id"]);
    assert!(!succeeded[0].details["deployment_id"].as_str().unwrap_or_default().is_empty(), "the deployment started is recorded");

    assert_eq!(issued_agents(&outcome).iter().filter(|agent| *agent == AgentKind::Remediator.as_str()).count(), 1);
    let remediator = records_of(&outcome, AuditEventType::CredentialsIssued)
        .into_iter()
        .find(|record| record.details["agent"] == "remediator")
        .expect("remediator credentials issued");
    assert_eq!(remediator.details["approval_id"], granted[0].details["approval_id"]);
    assert_eq!(remediator.details["allowed_actions"], serde_json::json!(["ecs:UpdateService"]));

    let click = outcome.approval.as_ref().and_then(|seen| seen.click.clone()).expect("a click was sent");
    assert_eq!(click.status, 200);
    assert_eq!(click.body["status"], "approved");
    let methods: Vec<String> = outcome.slack.requests().into_iter().map(|request| request.method).collect();
    assert_eq!(methods.first().map(String::as_str), Some("chat.postMessage"));
    assert!(methods.iter().any(|method| method == "chat.update"), "the message shows the decision: {methods:?}");
    assert_revoked_and_verified(&outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_rollback_changes_nothing() {
    let outcome = run_with("bad-deployment", |options| options.approval = ApprovalMode::Reject).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded, "{:?} {:?}", outcome.execution.error, outcome.execution.cause);
    let (from, _) = rollback_revisions(&outcome);
    assert_eq!(service_task_definition(&outcome).await, from, "the service still runs the deployed task definition");

    let rejected = records_of(&outcome, AuditEventType::ApprovalRejected);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].details["approvers"], serde_json::json!(["U0ONCALL01"]));
    let types = event_types(&outcome);
    assert!(!types.contains(&AuditEventType::ApprovalGranted));
    assert!(!types.contains(&AuditEventType::RemediationSucceeded));
    assert!(!issued_agents(&outcome).iter().any(|agent| agent == "remediator"), "no remediator session exists");
    let click = outcome.approval.as_ref().and_then(|seen| seen.click.clone()).expect("a click was sent");
    assert_eq!(click.body["status"], "rejected");
    assert_revoked_and_verified(&outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_request_expires() {
    let outcome = run_with("bad-deployment", |options| {
        options.approval = ApprovalMode::Ignore;
        options.approval_expiry_seconds = Some(60);
    })
    .await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded, "{:?} {:?}", outcome.execution.error, outcome.execution.cause);
    let (from, _) = rollback_revisions(&outcome);
    assert_eq!(service_task_definition(&outcome).await, from);

    let expired = records_of(&outcome, AuditEventType::ApprovalExpired);
    assert_eq!(expired.len(), 1);
    let requested = records_of(&outcome, AuditEventType::ApprovalRequested);
    assert_eq!(expired[0].details["approval_id"], requested[0].details["approval_id"]);
    let types = event_types(&outcome);
    assert!(!types.contains(&AuditEventType::ApprovalGranted));
    assert!(!issued_agents(&outcome).iter().any(|agent| agent == "remediator"));
    let updates: Vec<_> = outcome.slack.requests().into_iter().filter(|request| request.method == "chat.update").collect();
    assert_eq!(updates.len(), 1, "the message is redrawn once, as expired");
    assert!(updates[0].body.to_string().to_lowercase().contains("expired"), "{}", updates[0].body);
    assert_revoked_and_verified(&outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpostable_message_ends_in_revoke() {
    let outcome = run_with("bad-deployment", |options| options.slack_post_error = Some("channel_not_found".into())).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Failed);
    let (from, _) = rollback_revisions(&outcome);
    assert_eq!(service_task_definition(&outcome).await, from);
    let unavailable = records_of(&outcome, AuditEventType::ApprovalUnavailable);
    assert_eq!(unavailable.len(), 1);
    assert!(unavailable[0].details["reason"].as_str().unwrap().contains("channel_not_found"), "{}", unavailable[0].details);
    assert!(!event_types(&outcome).contains(&AuditEventType::ApprovalGranted));
    assert!(outcome.approval.is_none(), "no message reached Slack");
    assert_revoked_and_verified(&outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_approvers_are_required_when_configured() {
    let outcome = run_with("bad-deployment", |options| {
        options.approval = ApprovalMode::Approve;
        options.required_approvals = Some(2);
        options.approval_expiry_seconds = Some(60);
    })
    .await;

    // The local approver clicks once, so one approval of two is counted and the request expires.
    let counted = records_of(&outcome, AuditEventType::ApprovalCounted);
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].details["approvals_missing"], 1);
    assert!(!event_types(&outcome).contains(&AuditEventType::ApprovalGranted));
    assert_eq!(records_of(&outcome, AuditEventType::ApprovalExpired).len(), 1);
    let (from, _) = rollback_revisions(&outcome);
    assert_eq!(service_task_definition(&outcome).await, from);
    let click = outcome.approval.as_ref().and_then(|seen| seen.click.clone()).expect("a click was sent");
    assert_eq!(click.body["status"], "pending");
    assert_eq!(click.body["approvals_missing"], 1);
    assert_revoked_and_verified(&outcome);
}
