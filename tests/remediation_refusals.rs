//! The broker and `remediate` refuse every approval that does not authorise exactly this
//! change: none, another action, expired, used, or from another investigation or tenant.
//! Each refusal is a clear `ApprovalRequired` error and leaves the ECS service unchanged.

mod common;

use causeflow_cli::approval_driver::ApprovalMode;
use causeflow_cli::investigate::RunOutcome;
use causeflow_domain::action::ProposedAction;
use causeflow_domain::approval::{ApprovalId, ApprovalRequest, ApprovalStatus, Decision};
use causeflow_domain::audit::AuditEventType;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::{InvestigationId, TenantId};
use serde_json::{json, Value};

use common::{run_with, service_task_definition};

/// Builds an approved request for `action` in `investigation_id` of `tenant_id`, decided
/// `decided_minutes_ago` minutes ago.
fn approved_request(
    granted: &ApprovalRequest,
    tenant_id: &TenantId,
    investigation_id: &InvestigationId,
    action: ProposedAction,
    decided_minutes_ago: i64,
) -> ApprovalRequest {
    let decided_at = chrono::Utc::now() - chrono::Duration::minutes(decided_minutes_ago);
    ApprovalRequest {
        approval_id: ApprovalId::from_random(rand_bytes()),
        tenant_id: tenant_id.clone(),
        investigation_id: investigation_id.clone(),
        action_digest: action.digest(),
        action,
        status: ApprovalStatus::Approved,
        decision: Some(Decision { by: vec!["U0ONCALL01".into()], at: decided_at }),
        delivered: true,
        used: None,
        version: 1,
        ..granted.clone()
    }
}

fn rand_bytes() -> [u8; 16] {
    *uuid::Uuid::new_v4().as_bytes()
}

/// Stores `request` and, when `record_in` is given, an `approval.granted` for it in that trail.
async fn store_grant(outcome: &RunOutcome, request: &ApprovalRequest, record_in: Option<&Investigation>) {
    outcome.platform.approvals.create(request).await.expect("approval stored");
    if let Some(investigation) = record_in {
        outcome
            .platform
            .record(
                investigation,
                AuditEventType::ApprovalGranted,
                "slack:U0ONCALL01",
                json!({"approval_id": request.approval_id, "action_digest": request.action_digest, "approvers": ["U0ONCALL01"]}),
            )
            .await
            .expect("grant recorded");
    }
}

fn with_revision(action: &ProposedAction, revision: &str, service: Option<&str>) -> ProposedAction {
    match action.clone() {
        ProposedAction::RollbackService { cluster, service: original, from_task_definition, .. } => ProposedAction::RollbackService {
            cluster,
            service: service.map(str::to_string).unwrap_or(original),
            from_task_definition,
            to_task_definition: revision.to_string(),
        },
        other => panic!("expected a rollback, got {other:?}"),
    }
}

fn remediator_credentials_issued(audit: &[causeflow_domain::audit::AuditRecord]) -> usize {
    audit.iter().filter(|record| record.event_type == AuditEventType::CredentialsIssued && record.details["agent"] == "remediator").count()
}

/// Returns the payload a step returned, from the execution history.
fn step_output(outcome: &RunOutcome, state: &str) -> Value {
    outcome
        .execution
        .history
        .iter()
        .filter(|event| event.state_name.as_deref() == Some(state))
        .find_map(|event| event.output.as_ref().and_then(|output| output.get("Payload").cloned()))
        .unwrap_or_else(|| panic!("{state} has an output"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorised_remediations_are_refused() {
    let outcome = run_with("bad-deployment", |options| options.approval = ApprovalMode::Approve).await;
    let investigation = outcome.investigation.clone().expect("investigation opened");
    let tenant_id = investigation.tenant_id.clone();
    let (report, _) = outcome.report.clone().expect("report stored");
    let action = report.proposed_action.clone().expect("rollback proposed");
    let used_id = outcome.audit.iter().find(|record| record.event_type == AuditEventType::ApprovalGranted).expect("granted")
        .details["approval_id"].as_str().unwrap().to_string();
    let used = outcome.platform.approvals.get(&tenant_id, &ApprovalId::parse(&used_id).unwrap()).await.unwrap().unwrap();
    assert!(used.used.is_some(), "the approve path spent its approval");

    let other_revision = approved_request(&used, &tenant_id, &investigation.investigation_id, with_revision(&action, "checkout:0", None), 1);
    store_grant(&outcome, &other_revision, Some(&investigation)).await;
    let other_service = approved_request(&used, &tenant_id, &investigation.investigation_id, with_revision(&action, "checkout:1", Some("payments")), 1);
    store_grant(&outcome, &other_service, Some(&investigation)).await;
    let expired = approved_request(&used, &tenant_id, &investigation.investigation_id, action.clone(), 11);
    store_grant(&outcome, &expired, Some(&investigation)).await;
    let other_investigation_id = InvestigationId::parse("inv-00000000000000000000000000").unwrap();
    let other_investigation = Investigation { investigation_id: other_investigation_id.clone(), ..investigation.clone() };
    let elsewhere = approved_request(&used, &tenant_id, &other_investigation_id, action.clone(), 1);
    store_grant(&outcome, &elsewhere, Some(&other_investigation)).await;
    let globex = TenantId::parse("globex").unwrap();
    let other_tenant = approved_request(&used, &globex, &investigation.investigation_id, action.clone(), 1);
    store_grant(&outcome, &other_tenant, Some(&investigation)).await;
    let never_recorded = approved_request(&used, &tenant_id, &investigation.investigation_id, action.clone(), 1);
    store_grant(&outcome, &never_recorded, None).await;
    // A valid, unused grant for the right action, but in an investigation that has ended.
    let after_close = approved_request(&used, &tenant_id, &investigation.investigation_id, action.clone(), 1);
    store_grant(&outcome, &after_close, Some(&investigation)).await;

    let service_before = service_task_definition(&outcome).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no approval", Value::Null, "no `approval.approval_id`"),
        ("no approval.granted record", json!({"approval_id": never_recorded.approval_id}), "holds no approval.granted record"),
        ("other revision", json!({"approval_id": other_revision.approval_id}), "not the proposed action"),
        ("other service", json!({"approval_id": other_service.approval_id}), "not the proposed action"),
        ("expired", json!({"approval_id": expired.approval_id}), "expired"),
        ("used", json!({"approval_id": used_id}), "already used"),
        ("other investigation", json!({"approval_id": elsewhere.approval_id}), "holds no approval.granted record"),
        ("other tenant", json!({"approval_id": other_tenant.approval_id}), "does not exist"),
        ("closed investigation", json!({"approval_id": after_close.approval_id}), "is closed"),
    ];
    for (case, approval, message) in cases {
        let audit_before = outcome.platform.audit.read(&tenant_id, &investigation.investigation_id).await.unwrap();
        let input = json!({"investigation": investigation, "agent": "remediator", "approval": approval});
        let failure = issue_credentials::handle(&outcome.platform, input).await.expect_err(case);
        assert_eq!(failure.error_type, "ApprovalRequired", "{case}: {failure}");
        assert!(failure.message.contains(message), "{case}: `{}` should mention `{message}`", failure.message);

        let audit_after = outcome.platform.audit.read(&tenant_id, &investigation.investigation_id).await.unwrap();
        assert_eq!(remediator_credentials_issued(&audit_after), remediator_credentials_issued(&audit_before), "{case}: no credentials issued");
        assert_eq!(audit_after.last().map(|record| record.event_type), Some(AuditEventType::CredentialsRefused), "{case}: the refusal is recorded");
        assert_eq!(service_task_definition(&outcome).await, service_before, "{case}: service unchanged");
    }

    // `remediate` checks again, with the sessions the approve path used.
    let credentials = step_output(&outcome, "IssueRemediatorCredentials");
    let inspector = step_output(&outcome, "IssueInspectorCredentials");
    let remediate_cases: Vec<(&str, Value, &str)> = vec![
        ("already ran", json!({"approval_id": used_id}), "already used to run its change"),
        ("other revision", json!({"approval_id": other_revision.approval_id}), "not the proposed action"),
        ("not spent on this session", json!({"approval_id": never_recorded.approval_id}), "holds no approval.granted record"),
        ("other investigation", json!({"approval_id": elsewhere.approval_id}), "holds no approval.granted record"),
        ("missing approval", json!({}), "no `approval.approval_id`"),
    ];
    for (case, approval, message) in remediate_cases {
        let input = json!({"investigation": investigation, "approval": approval, "credentials": credentials, "inspector_credentials": inspector});
        let failure = remediate::handle(&outcome.platform, input).await.expect_err(case);
        assert_eq!(failure.error_type, "ApprovalRequired", "{case}: {failure}");
        assert!(failure.message.contains(message), "{case}: `{}` should mention `{message}`", failure.message);
        assert_eq!(service_task_definition(&outcome).await, service_before, "{case}: service unchanged");
    }
}
