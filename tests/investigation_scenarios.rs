//! Each scenario end to end: the local runner executes the state machine definition against
//! moto, every agent on its own sealed session, and the investigation ends revoked.

mod common;

use causeflow_domain::audit::AuditEventType;
use causeflow_domain::AgentKind;
use causeflow_runner::ExecutionStatus;
use serde_json::Value;

use common::{event_types, run_scenario};

fn action_type(action: &Option<causeflow_domain::action::ProposedAction>) -> Option<String> {
    action.as_ref().map(|action| serde_json::to_value(action).unwrap()["type"].as_str().unwrap().to_string())
}

async fn assert_scenario(name: &str) {
    let outcome = run_scenario(name, None).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded, "{name}: {:?} {:?}", outcome.execution.error, outcome.execution.cause);
    let (report, markdown) = outcome.report.clone().expect("report stored");
    let top = report.top_hypothesis().expect("at least one hypothesis");
    let top_cause = serde_json::to_value(top.cause).unwrap();
    assert_eq!(top_cause, Value::String(outcome.scenario.expected.top_cause.clone()), "{name}: top cause");
    assert_eq!(action_type(&report.proposed_action), outcome.scenario.expected.action, "{name}: proposed action");
    assert!(!top.evidence_ids.is_empty() || outcome.scenario.expected.top_cause == "no_anomaly", "{name}: top hypothesis cites evidence");
    assert!(markdown.contains(&outcome.scenario.service.name) || markdown.contains(&report.alarm_name), "{name}: markdown names the service or alarm");

    let issued: Vec<String> = outcome
        .audit
        .iter()
        .filter(|record| record.event_type == AuditEventType::CredentialsIssued)
        .map(|record| record.details["agent"].as_str().unwrap().to_string())
        .collect();
    let collected: Vec<String> = outcome
        .audit
        .iter()
        .filter(|record| record.event_type == AuditEventType::EvidenceCollected)
        .map(|record| record.details["agent"].as_str().unwrap().to_string())
        .collect();
    for agent in AgentKind::READ_ONLY {
        assert!(issued.contains(&agent.to_string()), "{name}: {agent} got credentials");
        assert!(collected.contains(&agent.to_string()), "{name}: {agent} collected evidence");
    }

    for record in outcome.audit.iter().filter(|record| record.event_type == AuditEventType::CredentialsIssued) {
        let issued_at = chrono::DateTime::parse_from_rfc3339(&record.at).unwrap();
        let expires_at = chrono::DateTime::parse_from_rfc3339(record.details["expires_at"].as_str().unwrap()).unwrap();
        let lifetime = expires_at - issued_at;
        assert!(lifetime <= chrono::Duration::seconds(900), "{name}: session lives {lifetime}, more than 15 minutes");
        assert!(lifetime > chrono::Duration::seconds(800), "{name}: session lives {lifetime}, expected about 15 minutes");
        let session_name = record.details["session_name"].as_str().unwrap();
        assert!(session_name.len() <= 64, "{name}: session name {session_name} fits STS's 64 characters");
        assert!(session_name.contains(outcome.investigation.as_ref().unwrap().investigation_id.as_str()), "{name}: session name names the investigation");
    }

    let types = event_types(&outcome);
    assert_eq!(types.first(), Some(&AuditEventType::InvestigationOpened));
    assert_eq!(types.last(), Some(&AuditEventType::InvestigationClosed));
    assert!(types.contains(&AuditEventType::CredentialsRevoked), "{name}: revocation recorded");
    assert!(outcome.verification.is_ok(), "{name}: chain verifies: {:?}", outcome.verification);

    let investigation = outcome.investigation.as_ref().unwrap();
    assert!(outcome.revocation_policy.contains(investigation.investigation_id.as_str()), "{name}: revocation policy lists the investigation");
    let (_, status) = outcome.platform.investigations.get(&investigation.tenant_id, &investigation.investigation_id).await.unwrap().unwrap();
    assert_eq!(status, causeflow_aws::dynamodb::InvestigationStatus::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_deployment_proposes_rollback() {
    assert_scenario("bad-deployment").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oom_killed_proposes_memory_raise() {
    assert_scenario("oom-killed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependency_failure_proposes_nothing() {
    assert_scenario("dependency-failure").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_anomaly_proposes_nothing() {
    assert_scenario("no-anomaly").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_surge_proposes_scale_out() {
    assert_scenario("traffic-surge").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_agent_still_ends_in_revoke() {
    let outcome = run_scenario("bad-deployment", Some("log_analyst")).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Failed);
    assert_eq!(outcome.execution.error.as_deref(), Some("InvestigationFailed"));
    let types = event_types(&outcome);
    assert!(types.contains(&AuditEventType::StepFailed));
    assert!(types.contains(&AuditEventType::CredentialsRevoked));
    assert_eq!(types.last(), Some(&AuditEventType::InvestigationClosed));
    let failed = outcome.audit.iter().find(|record| record.event_type == AuditEventType::StepFailed).unwrap();
    assert_eq!(failed.details["error"], "InjectedFault");
    assert!(outcome.verification.is_ok());
    let investigation = outcome.investigation.as_ref().unwrap();
    assert!(outcome.revocation_policy.contains(investigation.investigation_id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_analysis_still_ends_in_revoke() {
    let outcome = run_scenario("oom-killed", Some("analyze")).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Failed);
    assert!(outcome.report.is_none());
    let types = event_types(&outcome);
    assert!(types.contains(&AuditEventType::CredentialsRevoked));
    assert_eq!(types.last(), Some(&AuditEventType::InvestigationClosed));
    assert!(outcome.verification.is_ok());
}
