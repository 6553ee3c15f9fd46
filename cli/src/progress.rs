//! Prints each step of an execution as it happens, for a person watching the terminal. Only
//! the history is printed, and it contains no usable secret because credentials appear there
//! sealed. The sealed blob itself is never printed.

use causeflow_runner::{HistoryEvent, HistoryEventType};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

/// The error `request_approval` ends its task with while no approval channel exists. It is an
/// expected outcome, not a failure, so it is printed as such.
const APPROVAL_UNAVAILABLE: &str = "ApprovalUnavailable";
/// The error a rejection ends the approval task with; also an expected outcome.
const APPROVAL_REJECTED: &str = "ApprovalRejected";

#[derive(Debug, Default)]
pub struct Progress;

impl Progress {
    pub fn new() -> Progress {
        Progress
    }

    /// Prints events until the feed closes.
    pub async fn follow(self, feed: Option<UnboundedReceiver<HistoryEvent>>) {
        let Some(mut feed) = feed else { return };
        while let Some(event) = feed.recv().await {
            if let Some(line) = describe(&event) {
                println!("{line}");
            }
        }
    }
}

/// Describes an event a person cares about in one line, and returns None for the rest.
pub fn describe(event: &HistoryEvent) -> Option<String> {
    let state = event.state_name.as_deref().unwrap_or("");
    let time = event.timestamp.format("%H:%M:%S%.3f");
    match event.event_type {
        HistoryEventType::ExecutionStarted => Some(format!("{time}  execution started")),
        HistoryEventType::TaskSucceeded => {
            // A `.waitForTaskToken` task's output is the callback's output, not a Lambda payload.
            let payload = event.output.as_ref().map(|output| output.get("Payload").unwrap_or(output)).unwrap_or(&Value::Null);
            Some(format!("{time}  {state:<28} {}", summarize(state, payload)))
        }
        HistoryEventType::TaskFailed if event.error.as_deref() == Some(APPROVAL_UNAVAILABLE) => Some(format!(
            "{time}  {state:<28} approval not requested: {}",
            event.cause.as_deref().unwrap_or("")
        )),
        HistoryEventType::TaskFailed if event.error.as_deref() == Some(APPROVAL_REJECTED) => {
            Some(format!("{time}  {state:<28} rejected: {}", event.cause.as_deref().unwrap_or("")))
        }
        HistoryEventType::TaskTimedOut if state == "RequestApproval" => {
            Some(format!("{time}  {state:<28} no decision before the request expired"))
        }
        HistoryEventType::TaskFailed | HistoryEventType::TaskTimedOut => Some(format!(
            "{time}  {state:<28} FAILED {}: {}",
            event.error.as_deref().unwrap_or("?"),
            event.cause.as_deref().unwrap_or("")
        )),
        HistoryEventType::ExecutionSucceeded => Some(format!("{time}  execution succeeded")),
        HistoryEventType::ExecutionFailed => Some(format!("{time}  execution failed: {}", event.error.as_deref().unwrap_or("?"))),
        HistoryEventType::ExecutionTimedOut => Some(format!("{time}  execution timed out")),
        _ => None,
    }
}

fn summarize(state: &str, payload: &Value) -> String {
    let text = |pointer: &str| payload.pointer(pointer).and_then(Value::as_str).unwrap_or("?").to_string();
    if payload.get("sealed_blob").is_some() {
        let actions: Vec<&str> = payload.get("allowed_actions").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        return format!(
            "credentials for {}: session {} expires {} allows [{}] (sealed with KMS)",
            text("/agent"),
            text("/session_name"),
            text("/expires_at"),
            actions.join(", ")
        );
    }
    if let Some(ids) = payload.get("evidence_ids").and_then(Value::as_array) {
        return format!("{} stored {} findings, masked {}", text("/agent"), ids.len(), payload.get("masked").map(Value::to_string).unwrap_or_default());
    }
    if payload.get("investigation").is_some() {
        return format!("{} investigation {} for alarm {}", text("/status"), text("/investigation/investigation_id"), text("/investigation/alarm/alarm_name"));
    }
    if payload.get("top_cause").is_some() {
        let action = payload.get("proposed_action").filter(|action| !action.is_null()).map(|action| action.get("type").and_then(Value::as_str).unwrap_or("?").to_string());
        return format!("top cause {} ({}), proposed action: {}", text("/top_cause"), text("/top_title"), action.unwrap_or_else(|| "none".into()));
    }
    if payload.get("approved_by").is_some() {
        let approvers: Vec<&str> = payload.get("approved_by").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        return format!("approved by {} (approval {}, action digest {})", approvers.join(" and "), text("/approval_id"), text("/action_digest"));
    }
    if payload.get("deployment_id").is_some() {
        let memory = payload.get("memory_mib").and_then(Value::as_u64).map(|mib| format!(" (container memory {mib} MiB)")).unwrap_or_default();
        let target = match (payload.get("task_definition").and_then(Value::as_str), payload.get("desired_count").and_then(Value::as_u64)) {
            (Some(task_definition), _) => format!("task definition {task_definition}{memory}"),
            (None, Some(count)) => format!("{count} tasks"),
            (None, None) => "?".to_string(),
        };
        return format!("changed the service to {target}; deployment {}", text("/deployment_id"));
    }
    if state == "ExpireApproval" {
        return match payload.get("expired").and_then(Value::as_bool) {
            Some(true) => format!("approval {} expired without a decision", text("/approval_id")),
            _ => format!("nothing to expire ({})", payload.get("status").or_else(|| payload.get("reason")).map(Value::to_string).unwrap_or_default()),
        };
    }
    if state == "Revoke" {
        return format!("sessions revoked, investigation closed ({})", text("/outcome"));
    }
    payload.to_string()
}
