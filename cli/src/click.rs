//! Plays Slack's side of a button click: a `block_actions` payload, signed with the Slack
//! app's signing secret as Slack signs it, posted to the interactivity URL.

use causeflow_slack::interaction::ApprovalChoice;
use causeflow_slack::signature::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde_json::{json, Value};

/// A button click: the workspace, the user, the approval and the button.
#[derive(Debug, Clone)]
pub struct Click {
    pub team_id: String,
    pub user_id: String,
    pub approval_id: String,
    pub choice: ApprovalChoice,
}

#[derive(Debug, thiserror::Error)]
pub enum ClickError {
    #[error("could not send the click to {url}: {message}")]
    Send { url: String, message: String },
}

/// The endpoint's response to a click.
#[derive(Debug, Clone, PartialEq)]
pub struct ClickAnswer {
    pub status: u16,
    pub body: Value,
}

/// Builds the form-encoded body Slack posts for a click on one of the approval buttons.
pub fn click_body(click: &Click) -> String {
    let payload = json!({
        "type": "block_actions",
        "team": {"id": click.team_id, "domain": "local"},
        "user": {"id": click.user_id, "username": click.user_id, "team_id": click.team_id},
        "api_app_id": "A0LOCAL",
        "token": "unused-verification-token",
        "trigger_id": "0000000000.0000000000.local",
        "container": {"type": "message"},
        "actions": [{
            "type": "button",
            "action_id": click.choice.action_id(),
            "block_id": "approval_actions",
            "value": click.approval_id,
            "action_ts": format!("{}.000000", chrono::Utc::now().timestamp()),
        }],
    });
    form_urlencoded::Serializer::new(String::new()).append_pair("payload", &payload.to_string()).finish()
}

/// Signs `body` at `timestamp` and posts it to `url`.
pub async fn send_signed(url: &str, signing_secret: &[u8], timestamp: i64, body: &str) -> Result<ClickAnswer, ClickError> {
    let signature = sign(signing_secret, timestamp, body.as_bytes());
    send_raw(url, &[(TIMESTAMP_HEADER, timestamp.to_string()), (SIGNATURE_HEADER, signature)], body).await
}

/// Posts `body` with exactly the given headers, signed or not.
pub async fn send_raw(url: &str, headers: &[(&str, String)], body: &str) -> Result<ClickAnswer, ClickError> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|error| ClickError::Send { url: url.to_string(), message: error.to_string() })?;
    let mut request = client.post(url).header("content-type", "application/x-www-form-urlencoded").body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.map_err(|error| {
        let message = if error.is_connect() {
            "nothing listens there; the local endpoint stops when its investigation ends, so check that `causeflow investigate` is still waiting".to_string()
        } else {
            error.to_string()
        };
        ClickError::Send { url: url.to_string(), message }
    })?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|error| ClickError::Send { url: url.to_string(), message: error.to_string() })?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(ClickAnswer { status, body })
}

/// Clicks a button now, as Slack would.
pub async fn click(url: &str, signing_secret: &[u8], click: &Click) -> Result<ClickAnswer, ClickError> {
    send_signed(url, signing_secret, chrono::Utc::now().timestamp(), &click_body(click)).await
}
