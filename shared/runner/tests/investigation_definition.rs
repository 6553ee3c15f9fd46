//! The project's own definition, `statemachines/investigation.asl.json`, run with stand-in
//! functions: every path ends in `revoke` except the ones where no session was ever issued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use causeflow_runner::{ExecutionStatus, LambdaHandlers, Runner, TaskCallbacks, TaskFailure};
use serde_json::{json, Value};

const DEFINITION: &str = include_str!("../../../statemachines/investigation.asl.json");

const FUNCTIONS: [&str; 10] = [
    "OpenInvestigation",
    "IssueCredentials",
    "LogAnalyst",
    "MetricAnalyst",
    "InfraInspector",
    "Analyze",
    "RequestApproval",
    "ExpireApproval",
    "Remediate",
    "Revoke",
];

fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

/// How the stand-in functions behave in one test.
#[derive(Clone, Default)]
struct Script {
    already_open: bool,
    failing_function: Option<&'static str>,
    proposed_action: Option<Value>,
    /// Error the approval task fails with; None approves.
    approval_error: Option<&'static str>,
    /// No callback arrives for the approval, so its task times out.
    approval_unanswered: bool,
}

/// Approval task timeout `OpenInvestigation` returns; 1 second lets the timeout path run fast.
const APPROVAL_TIMEOUT_SECONDS: u64 = 1;

#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<(String, Value)>>>);

impl Calls {
    fn of(&self, function: &str) -> Vec<Value> {
        self.0.lock().unwrap().iter().filter(|(name, _)| name == function).map(|(_, payload)| payload.clone()).collect()
    }
}

fn respond(function: &str, payload: &Value, script: &Script, callbacks: &Arc<OnceLock<TaskCallbacks>>) -> Result<Value, TaskFailure> {
    if script.failing_function == Some(function) {
        return Err(TaskFailure::new("Boom", format!("{function} failed")));
    }
    match function {
        "OpenInvestigation" => Ok(json!({
            "status": if script.already_open { "already_open" } else { "opened" },
            "investigation": {"investigation_id": "inv-1"},
            "approval_timeout_seconds": APPROVAL_TIMEOUT_SECONDS
        })),
        "IssueCredentials" => Ok(json!({"agent": payload["agent"], "sealed_blob": "c2VhbGVk"})),
        "LogAnalyst" | "MetricAnalyst" | "InfraInspector" => Ok(json!({"agent": function, "evidence_ids": ["e-1"]})),
        "Analyze" => Ok(json!({"top_cause": "bad_deployment", "proposed_action": script.proposed_action})),
        "RequestApproval" => {
            let token = payload["task_token"].as_str().expect("the task token is passed").to_string();
            let callbacks = callbacks.get().expect("callbacks are set before the execution starts").clone();
            let error = script.approval_error;
            if script.approval_unanswered {
                return Ok(json!({}));
            }
            tokio::spawn(async move {
                match error {
                    Some(error) => callbacks.send_task_failure(&token, Some(error), Some("decided")).unwrap(),
                    None => callbacks.send_task_success(&token, r#"{"approval_id":"ap-1"}"#).unwrap(),
                }
            });
            Ok(json!({}))
        }
        "ExpireApproval" => Ok(json!({"expired": true, "approval_id": "ap-1"})),
        "Remediate" => Ok(json!({"deployment": "d-1"})),
        "Revoke" => Ok(json!({"revoked": true, "outcome": "done"})),
        other => panic!("unexpected function {other}"),
    }
}

async fn run(script: Script) -> (causeflow_runner::ExecutionOutcome, Calls) {
    let calls = Calls::default();
    let callbacks: Arc<OnceLock<TaskCallbacks>> = Arc::new(OnceLock::new());
    let mut handlers = LambdaHandlers::new();
    for function in FUNCTIONS {
        let (calls, script, callbacks) = (calls.clone(), script.clone(), callbacks.clone());
        handlers = handlers.with(arn(function), move |payload: Value| {
            calls.0.lock().unwrap().push((function.to_string(), payload.clone()));
            let result = respond(function, &payload, &script, &callbacks);
            async move { result }
        });
    }
    let substitutions: HashMap<String, String> = FUNCTIONS.iter().map(|function| (format!("{function}FunctionArn"), arn(function))).collect();
    let runner = Runner::new(DEFINITION, &substitutions, Arc::new(handlers)).expect("the project's definition is valid");
    let _ = callbacks.set(runner.task_callbacks());

    let execution = runner.start_execution("test", json!({"detail-type": "CloudWatch Alarm State Change"})).unwrap();
    (execution.outcome().await, calls)
}

#[tokio::test]
async fn report_without_action_ends_in_revoke() {
    let (outcome, calls) = run(Script::default()).await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(calls.of("IssueCredentials").len(), 3);
    let revoke = calls.of("Revoke");
    assert_eq!(revoke.len(), 1);
    assert_eq!(revoke[0]["investigation"]["investigation_id"], "inv-1");
    assert_eq!(revoke[0]["evidence"].as_array().unwrap().len(), 3);
    assert!(revoke[0].get("failure").is_none());
    assert!(calls.of("RequestApproval").is_empty());
}

#[tokio::test]
async fn failing_agent_still_ends_in_revoke() {
    let (outcome, calls) = run(Script { failing_function: Some("MetricAnalyst"), ..Script::default() }).await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("InvestigationFailed"));
    let revoke = calls.of("Revoke");
    assert_eq!(revoke.len(), 1);
    assert_eq!(revoke[0]["failure"]["Error"], "Boom");
    assert!(calls.of("Analyze").is_empty());
}

#[tokio::test]
async fn failing_analysis_still_ends_in_revoke() {
    let (outcome, calls) = run(Script { failing_function: Some("Analyze"), ..Script::default() }).await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(calls.of("Revoke").len(), 1);
    assert_eq!(calls.of("Revoke")[0]["failure"]["Error"], "Boom");
}

#[tokio::test]
async fn rejected_approval_ends_in_revoke_without_remediation() {
    let script = Script { proposed_action: Some(json!({"type": "rollback_service"})), approval_error: Some("ApprovalRejected"), ..Script::default() };
    let (outcome, calls) = run(script).await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(calls.of("RequestApproval").len(), 1);
    assert!(calls.of("Remediate").is_empty());
    let revoke = calls.of("Revoke");
    assert_eq!(revoke[0]["approval_outcome"]["Error"], "ApprovalRejected");
    assert!(revoke[0].get("failure").is_none());
}

#[tokio::test]
async fn granted_approval_runs_remediator_then_revoke() {
    let script = Script { proposed_action: Some(json!({"type": "rollback_service"})), ..Script::default() };
    let (outcome, calls) = run(script).await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let issued: Vec<Value> = calls.of("IssueCredentials").iter().map(|payload| payload["agent"].clone()).collect();
    assert_eq!(issued.len(), 5, "three gathering agents, then the remediator and a read-only inspector: {issued:?}");
    assert_eq!(issued[3..], [json!("remediator"), json!("infra_inspector")]);
    let remediator = calls.of("IssueCredentials").into_iter().find(|payload| payload["agent"] == "remediator").expect("remediator credentials requested");
    assert_eq!(remediator["approval"]["approval_id"], "ap-1");
    let remediate = calls.of("Remediate");
    assert_eq!(remediate.len(), 1);
    assert_eq!(remediate[0]["approval"]["approval_id"], "ap-1");
    assert_eq!(remediate[0]["credentials"]["agent"], "remediator");
    assert_eq!(remediate[0]["inspector_credentials"]["agent"], "infra_inspector");
    assert_eq!(calls.of("Revoke").len(), 1);
    assert!(calls.of("ExpireApproval").is_empty());
}

#[tokio::test]
async fn unanswered_approval_expires_then_revokes() {
    let script = Script { proposed_action: Some(json!({"type": "rollback_service"})), approval_unanswered: true, ..Script::default() };
    let (outcome, calls) = run(script).await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(calls.of("ExpireApproval").len(), 1);
    assert_eq!(calls.of("ExpireApproval")[0]["investigation"]["investigation_id"], "inv-1");
    assert!(calls.of("Remediate").is_empty());
    let revoke = calls.of("Revoke");
    assert_eq!(revoke.len(), 1);
    assert_eq!(revoke[0]["approval_outcome"]["Error"], "States.Timeout");
    assert_eq!(revoke[0]["expiry"]["outcome"]["expired"], true);
    assert!(revoke[0].get("failure").is_none());
}

#[tokio::test]
async fn failing_remediation_still_ends_in_revoke() {
    let script = Script { proposed_action: Some(json!({"type": "rollback_service"})), failing_function: Some("Remediate"), ..Script::default() };
    let (outcome, calls) = run(script).await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(calls.of("Revoke")[0]["failure"]["Error"], "Boom");
}

#[tokio::test]
async fn duplicate_event_issues_no_credentials() {
    let (outcome, calls) = run(Script { already_open: true, ..Script::default() }).await;

    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert!(calls.of("IssueCredentials").is_empty());
    assert!(calls.of("Revoke").is_empty(), "nothing was issued, so nothing to revoke");
}

#[tokio::test]
async fn rejected_alarm_event_ends_before_any_session() {
    let (outcome, calls) = run(Script { failing_function: Some("OpenInvestigation"), ..Script::default() }).await;

    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("InvestigationNotOpened"));
    assert!(calls.of("IssueCredentials").is_empty());
}
