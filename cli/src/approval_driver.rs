//! Plays the approvers during a local run. Waits for the approval message the local Slack
//! received and shows it. Then clicks Approve or Reject as one of the scenario tenant's
//! approvers, or prints how a person can do that from another terminal.

use std::sync::Arc;
use std::time::Duration;

use causeflow_local::scenario::{SLACK_APPROVERS, SLACK_SIGNING_SECRET, SLACK_TEAM_ID, TENANT_ID};
use causeflow_slack::interaction::ApprovalChoice;
use causeflow_slack::stand_in::SlackStandIn;
use serde_json::Value;
use causeflow_domain::approval::{ApprovalId, ApprovalStatus};
use causeflow_domain::TenantId;
use causeflow_lambda::Platform;
use tokio::sync::watch;

use crate::click::{click, Click, ClickAnswer};

/// How often the local Slack's record is checked for the approval message.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The local approver's behaviour when the approval message arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalMode {
    /// Click Approve as the tenant's first approver.
    Approve,
    /// Click Reject as the tenant's first approver.
    Reject,
    /// Print how to approve or reject from another terminal, and wait.
    Manual,
    /// Click nothing, so the request expires.
    Ignore,
}

/// The approval message as the local Slack received it, and the click sent, if any.
#[derive(Debug, Clone)]
pub struct ApprovalSeen {
    pub approval_id: String,
    pub message: Value,
    pub click: Option<ClickAnswer>,
}

/// Waits until the approval message arrives or `finished` turns true, then acts per `mode`.
pub async fn drive(
    slack: Arc<SlackStandIn>,
    interactions_url: String,
    mode: ApprovalMode,
    print: bool,
    mut finished: watch::Receiver<bool>,
    platform: Platform,
) -> Option<ApprovalSeen> {
    let message = loop {
        if let Some(message) = posted_approval(&slack) {
            break message;
        }
        if *finished.borrow() {
            return None;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = finished.changed() => {}
        }
    };
    let approval_id = approval_id(&message)?;
    if !is_posted(&platform, &approval_id, &mut finished).await {
        return None;
    }

    if print {
        print_report(&platform, &approval_id).await;
        println!("== Slack message posted to {} ==", message.get("channel").and_then(Value::as_str).unwrap_or("?"));
        println!("{}", render_blocks(&message));
    }

    let choice = match mode {
        ApprovalMode::Approve => ApprovalChoice::Approve,
        ApprovalMode::Reject => ApprovalChoice::Reject,
        ApprovalMode::Manual => {
            if print {
                print_manual_instructions(&platform, &interactions_url, &approval_id).await;
            }
            return Some(ApprovalSeen { approval_id, message, click: None });
        }
        ApprovalMode::Ignore => return Some(ApprovalSeen { approval_id, message, click: None }),
    };
    let request = Click { team_id: SLACK_TEAM_ID.into(), user_id: SLACK_APPROVERS[0].into(), approval_id: approval_id.clone(), choice };
    if print {
        println!("clicking {choice} as {} in workspace {}, signed as Slack signs it\n", request.user_id, request.team_id);
    }
    let answer = click(&interactions_url, SLACK_SIGNING_SECRET.as_bytes(), &request).await;
    if print {
        match &answer {
            Ok(answer) => println!("the callback endpoint answered the click: HTTP {} {}\n", answer.status, answer.body),
            Err(error) => println!("the click could not be sent: {error}\n"),
        }
    }
    Some(ApprovalSeen { approval_id, message, click: answer.ok() })
}

/// Waits until `request_approval` stored the message's reference, which it does only after
/// Slack accepted the message. Returns false when the request was withdrawn instead or the
/// execution ended.
async fn is_posted(platform: &Platform, approval_id: &str, finished: &mut watch::Receiver<bool>) -> bool {
    let (Ok(tenant_id), Ok(approval_id)) = (TenantId::parse(TENANT_ID), ApprovalId::parse(approval_id)) else { return false };
    loop {
        if let Ok(Some(request)) = platform.approvals.get(&tenant_id, &approval_id).await {
            if request.slack_message.is_some() {
                return true;
            }
            if request.status != ApprovalStatus::Pending {
                return false;
            }
        }
        if *finished.borrow() {
            return false;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Prints the report the approval is for, so it is on screen before the decision.
async fn print_report(platform: &Platform, approval_id: &str) {
    let (Ok(tenant_id), Ok(approval_id)) = (TenantId::parse(TENANT_ID), ApprovalId::parse(approval_id)) else { return };
    let Ok(Some(request)) = platform.approvals.get(&tenant_id, &approval_id).await else { return };
    if let Ok(Some((_, markdown))) = platform.investigations.report(&tenant_id, &request.investigation_id).await {
        println!("\n{markdown}");
    }
}

fn posted_approval(slack: &SlackStandIn) -> Option<Value> {
    slack.requests().into_iter().find(|request| request.method == "chat.postMessage" && request.token_matched).map(|request| request.body)
}

/// Finds the approval id: the value of the message's Approve button.
pub fn approval_id(message: &Value) -> Option<String> {
    message
        .get("blocks")?
        .as_array()?
        .iter()
        .filter(|block| block.get("type").and_then(Value::as_str) == Some("actions"))
        .flat_map(|block| block.get("elements").and_then(Value::as_array).cloned().unwrap_or_default())
        .find_map(|element| element.get("value").and_then(Value::as_str).map(str::to_string))
}

/// Renders Block Kit blocks as plain lines for a terminal.
pub fn render_blocks(message: &Value) -> String {
    let mut lines = Vec::new();
    for block in message.get("blocks").and_then(Value::as_array).into_iter().flatten() {
        let text = |value: Option<&Value>| value.and_then(|text| text.get("text")).and_then(Value::as_str).map(str::to_string);
        match block.get("type").and_then(Value::as_str) {
            Some("header") | Some("section") => {
                lines.extend(text(block.get("text")));
                for field in block.get("fields").and_then(Value::as_array).into_iter().flatten() {
                    lines.extend(field.get("text").and_then(Value::as_str).map(|line| format!("  {line}")));
                }
            }
            Some("context") => {
                for element in block.get("elements").and_then(Value::as_array).into_iter().flatten() {
                    lines.extend(element.get("text").and_then(Value::as_str).map(|line| format!("  {line}")));
                }
            }
            Some("actions") => {
                let buttons: Vec<String> = block
                    .get("elements")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|element| text(element.get("text")).map(|label| format!("[{label}]")))
                    .collect();
                lines.push(buttons.join(" "));
            }
            Some("divider") => lines.push("---".to_string()),
            _ => {}
        }
    }
    lines.join("\n")
}

async fn print_manual_instructions(platform: &Platform, interactions_url: &str, approval_id: &str) {
    let expires_at = match (TenantId::parse(TENANT_ID), ApprovalId::parse(approval_id)) {
        (Ok(tenant_id), Ok(id)) => platform.approvals.get(&tenant_id, &id).await.ok().flatten().map(|request| request.expires_at),
        _ => None,
    };
    let until = expires_at.map(|at| format!(" until {}", at.format("%H:%M:%S UTC"))).unwrap_or_default();
    println!("The investigation waits for a decision{until}. From another terminal, approve with:");
    println!(
        "  printf '%s' '{SLACK_SIGNING_SECRET}' | cargo run -q -p causeflow-cli --bin causeflow -- approval approve --url {interactions_url} --approval {approval_id} --user {} --team {SLACK_TEAM_ID}",
        SLACK_APPROVERS[0]
    );
    println!("or reject with the same command and `approval reject`. The signing secret is the local scenario's, read from standard input.");
    println!("Tenant {TENANT_ID}'s approvers are {}; anyone else is refused.\n", SLACK_APPROVERS.join(", "));
}
