//! Slack interactivity requests: a button click on an approval message.
//!
//! Slack posts interactions as `application/x-www-form-urlencoded` with a
//! single `payload` field whose value is JSON. Only `block_actions` payloads
//! (a click on a Block Kit button) are accepted here, because the approval
//! message offers nothing else to interact with.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use thiserror::Error;

/// `action_id` of the Approve button.
pub const APPROVE_ACTION_ID: &str = "approve";

/// `action_id` of the Reject button.
pub const REJECT_ACTION_ID: &str = "reject";

const BLOCK_ACTIONS_TYPE: &str = "block_actions";

/// Reasons an interactivity request is not a usable button click.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InteractionError {
    #[error("interactivity request body has no `payload` form field")]
    MissingPayload,

    #[error("interactivity request body has more than one `payload` form field")]
    DuplicatePayload,

    #[error("`payload` form field is not valid JSON for a Slack interaction: {0}")]
    InvalidJson(String),

    #[error("interaction payload has no `type`")]
    MissingType,

    #[error("interaction type `{0}` is not supported; only `block_actions` is accepted")]
    UnsupportedType(String),

    #[error("block_actions payload has an empty `actions` list")]
    NoActions,

    #[error("block_actions payload has no `{0}`")]
    MissingField(&'static str),

    #[error("action id `{0}` is neither `approve` nor `reject`")]
    UnknownAction(String),
}

/// A button click from a `block_actions` payload, reduced to what an
/// approval decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAction {
    /// Workspace the click came from (`team.id`).
    pub team_id: String,
    /// Slack user who clicked (`user.id`).
    pub user_id: String,
    /// The user's handle (`user.username`, else `user.name`).
    pub user_name: Option<String>,
    /// `action_id` of the first element of `actions`.
    pub action_id: String,
    /// `value` of the first element of `actions`: the approval id on our buttons.
    pub value: String,
    /// Channel of the message holding the button.
    pub channel_id: Option<String>,
    /// `ts` of the message holding the button, needed to update it.
    pub message_ts: Option<String>,
    /// URL that accepts a reply to this interaction for 30 minutes.
    pub response_url: Option<String>,
}

impl BlockAction {
    /// Maps the clicked button to an approval decision.
    pub fn choice(&self) -> Result<ApprovalChoice, InteractionError> {
        self.action_id.parse()
    }
}

/// The decision a button click stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalChoice {
    Approve,
    Reject,
}

impl ApprovalChoice {
    /// Returns the `action_id` of this choice's button on the approval message.
    pub fn action_id(self) -> &'static str {
        match self {
            ApprovalChoice::Approve => APPROVE_ACTION_ID,
            ApprovalChoice::Reject => REJECT_ACTION_ID,
        }
    }
}

impl FromStr for ApprovalChoice {
    type Err = InteractionError;

    fn from_str(action_id: &str) -> Result<Self, Self::Err> {
        match action_id {
            APPROVE_ACTION_ID => Ok(ApprovalChoice::Approve),
            REJECT_ACTION_ID => Ok(ApprovalChoice::Reject),
            other => Err(InteractionError::UnknownAction(other.to_owned())),
        }
    }
}

impl fmt::Display for ApprovalChoice {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.action_id())
    }
}

/// Parses the raw body of an interactivity request into the clicked action.
///
/// Call this only after [`crate::signature::verify`] has accepted the same
/// bytes. Of several actions in one payload the first is taken, because a
/// button click carries exactly one.
pub fn parse_block_action(body: &[u8]) -> Result<BlockAction, InteractionError> {
    let payload_json = payload_field(body)?;
    let payload: RawPayload = serde_json::from_str(&payload_json)
        .map_err(|error| InteractionError::InvalidJson(error.to_string()))?;

    let kind = non_empty(payload.kind).ok_or(InteractionError::MissingType)?;
    if kind != BLOCK_ACTIONS_TYPE {
        return Err(InteractionError::UnsupportedType(kind));
    }

    let action = payload
        .actions
        .and_then(|actions| actions.into_iter().next())
        .ok_or(InteractionError::NoActions)?;

    let team_id = payload
        .team
        .and_then(|team| non_empty(team.id))
        .ok_or(InteractionError::MissingField("team.id"))?;
    let user = payload
        .user
        .ok_or(InteractionError::MissingField("user.id"))?;
    let user_id = non_empty(user.id).ok_or(InteractionError::MissingField("user.id"))?;
    let action_id = non_empty(action.action_id)
        .ok_or(InteractionError::MissingField("actions[0].action_id"))?;
    let value =
        non_empty(action.value).ok_or(InteractionError::MissingField("actions[0].value"))?;

    let container = payload.container.unwrap_or_default();
    let channel_id = payload
        .channel
        .and_then(|channel| non_empty(channel.id))
        .or_else(|| non_empty(container.channel_id));
    let message_ts = non_empty(container.message_ts)
        .or_else(|| payload.message.and_then(|message| non_empty(message.ts)));

    Ok(BlockAction {
        team_id,
        user_id,
        user_name: non_empty(user.username).or_else(|| non_empty(user.name)),
        action_id,
        value,
        channel_id,
        message_ts,
        response_url: non_empty(payload.response_url),
    })
}

fn payload_field(body: &[u8]) -> Result<String, InteractionError> {
    let mut payloads = form_urlencoded::parse(body)
        .filter(|(name, _)| name == "payload")
        .map(|(_, value)| value.into_owned());

    let first = payloads.next().ok_or(InteractionError::MissingPayload)?;
    if payloads.next().is_some() {
        return Err(InteractionError::DuplicatePayload);
    }
    Ok(first)
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.is_empty())
}

// Only the fields read above. Every one is optional so that a missing field
// is reported by name instead of as a generic JSON error.
#[derive(Deserialize)]
struct RawPayload {
    #[serde(rename = "type")]
    kind: Option<String>,
    team: Option<RawIdentified>,
    user: Option<RawUser>,
    channel: Option<RawIdentified>,
    container: Option<RawContainer>,
    message: Option<RawMessage>,
    response_url: Option<String>,
    actions: Option<Vec<RawAction>>,
}

#[derive(Deserialize)]
struct RawIdentified {
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawUser {
    id: Option<String>,
    username: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawContainer {
    channel_id: Option<String>,
    message_ts: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    ts: Option<String>,
}

#[derive(Deserialize)]
struct RawAction {
    action_id: Option<String>,
    value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    // Shaped like the block_actions payload in Slack's interactivity reference.
    fn click_payload(action_id: &str, value: &str) -> Value {
        json!({
            "type": "block_actions",
            "user": {
                "id": "U0CA5",
                "username": "amy.mcgee",
                "name": "amy.mcgee",
                "team_id": "T3MDE"
            },
            "api_app_id": "A0CA5",
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": "1716811234.000200",
                "channel_id": "C0CA5",
                "is_ephemeral": false
            },
            "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
            "team": { "id": "T3MDE", "domain": "causeflow-demo" },
            "enterprise": null,
            "is_enterprise_install": false,
            "channel": { "id": "C0CA5", "name": "incidents" },
            "message": {
                "type": "message",
                "user": "U0BOT",
                "ts": "1716811234.000200",
                "text": "Approval needed",
                "blocks": []
            },
            "state": { "values": {} },
            "response_url": "https://hooks.slack.com/actions/T3MDE/548261982/7TJkNsNxGX",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "approval_actions",
                    "text": { "type": "plain_text", "text": "Approve", "emoji": true },
                    "value": value,
                    "style": "primary",
                    "type": "button",
                    "action_ts": "1716811240.123456"
                }
            ]
        })
    }

    fn form_body(payload: &Value) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish()
            .into_bytes()
    }

    #[test]
    fn parses_documented_block_actions_click() {
        let body = form_body(&click_payload("approve", "apr_01HZX3"));

        let action = parse_block_action(&body).expect("valid click");

        assert_eq!(
            action,
            BlockAction {
                team_id: "T3MDE".to_owned(),
                user_id: "U0CA5".to_owned(),
                user_name: Some("amy.mcgee".to_owned()),
                action_id: "approve".to_owned(),
                value: "apr_01HZX3".to_owned(),
                channel_id: Some("C0CA5".to_owned()),
                message_ts: Some("1716811234.000200".to_owned()),
                response_url: Some(
                    "https://hooks.slack.com/actions/T3MDE/548261982/7TJkNsNxGX".to_owned()
                ),
            }
        );
        assert_eq!(action.choice(), Ok(ApprovalChoice::Approve));
    }

    #[test]
    fn reject_button_maps_to_reject_choice() {
        let body = form_body(&click_payload("reject", "apr_01HZX3"));
        let action = parse_block_action(&body).expect("valid click");
        assert_eq!(action.choice(), Ok(ApprovalChoice::Reject));
    }

    #[test]
    fn unknown_action_id_is_an_error() {
        let body = form_body(&click_payload("snooze", "apr_01HZX3"));
        let action = parse_block_action(&body).expect("valid click");
        assert_eq!(
            action.choice(),
            Err(InteractionError::UnknownAction("snooze".to_owned()))
        );
    }

    #[test]
    fn action_ids_parse_and_display() {
        assert_eq!("approve".parse(), Ok(ApprovalChoice::Approve));
        assert_eq!("reject".parse(), Ok(ApprovalChoice::Reject));
        assert_eq!(
            "Approve".parse::<ApprovalChoice>(),
            Err(InteractionError::UnknownAction("Approve".to_owned()))
        );
        assert_eq!(ApprovalChoice::Approve.to_string(), "approve");
        assert_eq!(ApprovalChoice::Reject.to_string(), "reject");
    }

    #[test]
    fn first_of_several_actions_is_taken() {
        let mut payload = click_payload("approve", "apr_first");
        let second = json!({ "action_id": "reject", "value": "apr_second", "type": "button" });
        payload["actions"]
            .as_array_mut()
            .expect("actions array")
            .push(second);

        let action = parse_block_action(&form_body(&payload)).expect("valid click");

        assert_eq!(action.action_id, "approve");
        assert_eq!(action.value, "apr_first");
    }

    #[test]
    fn channel_and_ts_fallbacks() {
        let mut payload = click_payload("approve", "apr_1");
        payload.as_object_mut().expect("object").remove("channel");
        payload["container"]
            .as_object_mut()
            .expect("container object")
            .remove("message_ts");

        let action = parse_block_action(&form_body(&payload)).expect("valid click");

        assert_eq!(action.channel_id.as_deref(), Some("C0CA5"));
        assert_eq!(action.message_ts.as_deref(), Some("1716811234.000200"));
    }

    #[test]
    fn optional_fields_may_be_absent() {
        let payload = json!({
            "type": "block_actions",
            "team": { "id": "T1" },
            "user": { "id": "U1" },
            "actions": [ { "action_id": "reject", "value": "apr_9" } ]
        });

        let action = parse_block_action(&form_body(&payload)).expect("minimal click");

        assert_eq!(action.team_id, "T1");
        assert_eq!(action.user_id, "U1");
        assert_eq!(action.user_name, None);
        assert_eq!(action.channel_id, None);
        assert_eq!(action.message_ts, None);
        assert_eq!(action.response_url, None);
    }

    #[test]
    fn view_submission_is_rejected() {
        let payload = json!({
            "type": "view_submission",
            "team": { "id": "T1" },
            "user": { "id": "U1" },
            "view": { "id": "V1" }
        });
        assert_eq!(
            parse_block_action(&form_body(&payload)),
            Err(InteractionError::UnsupportedType(
                "view_submission".to_owned()
            ))
        );
    }

    #[test]
    fn shortcut_is_rejected() {
        let payload = json!({
            "type": "shortcut",
            "callback_id": "open_investigation",
            "team": { "id": "T1" },
            "user": { "id": "U1" }
        });
        assert_eq!(
            parse_block_action(&form_body(&payload)),
            Err(InteractionError::UnsupportedType("shortcut".to_owned()))
        );
    }

    #[test]
    fn payload_without_type_is_rejected() {
        let mut payload = click_payload("approve", "apr_1");
        payload.as_object_mut().expect("object").remove("type");
        assert_eq!(
            parse_block_action(&form_body(&payload)),
            Err(InteractionError::MissingType)
        );
    }

    #[test]
    fn body_without_payload_field_is_rejected() {
        assert_eq!(
            parse_block_action(b"token=abc&team_id=T1"),
            Err(InteractionError::MissingPayload)
        );
        assert_eq!(
            parse_block_action(b""),
            Err(InteractionError::MissingPayload)
        );
    }

    #[test]
    fn body_with_two_payload_fields_is_rejected() {
        let body = b"payload=%7B%7D&payload=%7B%7D";
        assert_eq!(
            parse_block_action(body),
            Err(InteractionError::DuplicatePayload)
        );
    }

    #[test]
    fn payload_that_is_not_json_is_rejected() {
        let result = parse_block_action(b"payload=%7Bnot-json");
        assert!(
            matches!(result, Err(InteractionError::InvalidJson(_))),
            "got {result:?}"
        );
    }

    #[test]
    fn payload_with_wrongly_typed_field_is_rejected() {
        let mut payload = click_payload("approve", "apr_1");
        payload["team"] = json!("T3MDE");
        let result = parse_block_action(&form_body(&payload));
        assert!(
            matches!(result, Err(InteractionError::InvalidJson(_))),
            "got {result:?}"
        );
    }

    #[test]
    fn empty_or_missing_actions_are_rejected() {
        let mut empty = click_payload("approve", "apr_1");
        empty["actions"] = json!([]);
        assert_eq!(
            parse_block_action(&form_body(&empty)),
            Err(InteractionError::NoActions)
        );

        let mut missing = click_payload("approve", "apr_1");
        missing.as_object_mut().expect("object").remove("actions");
        assert_eq!(
            parse_block_action(&form_body(&missing)),
            Err(InteractionError::NoActions)
        );
    }

    #[test]
    fn missing_identifiers_are_named() {
        type Edit = fn(&mut Value);
        let cases: [(&str, Edit); 6] = [
            ("team.id", |payload| {
                payload.as_object_mut().expect("object").remove("team");
            }),
            ("team.id", |payload| payload["team"]["id"] = json!("")),
            ("user.id", |payload| {
                payload.as_object_mut().expect("object").remove("user");
            }),
            ("user.id", |payload| {
                payload["user"].as_object_mut().expect("user").remove("id");
            }),
            ("actions[0].value", |payload| {
                payload["actions"][0]
                    .as_object_mut()
                    .expect("action")
                    .remove("value");
            }),
            ("actions[0].action_id", |payload| {
                payload["actions"][0]["action_id"] = json!("");
            }),
        ];

        for (field, remove) in cases {
            let mut payload = click_payload("approve", "apr_1");
            remove(&mut payload);
            assert_eq!(
                parse_block_action(&form_body(&payload)),
                Err(InteractionError::MissingField(field)),
                "field {field}"
            );
        }
    }

    #[test]
    fn error_messages_name_the_fault() {
        assert_eq!(
            InteractionError::MissingField("team.id").to_string(),
            "block_actions payload has no `team.id`"
        );
        assert_eq!(
            InteractionError::UnsupportedType("view_submission".to_owned()).to_string(),
            "interaction type `view_submission` is not supported; only `block_actions` is accepted"
        );
    }
}
