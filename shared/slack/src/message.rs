//! Block Kit messages asking a human to approve a remediation, and the
//! updates that replace them once the request is decided.
//!
//! Every piece of input text is escaped for Slack mrkdwn (`&`, `<`, `>`), so
//! an alarm name or log line cannot form a link, a user mention or an
//! `@channel` ping. Product names (ECS, cluster, task definition) stay in
//! English in every locale, as engineers read them in the AWS console.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thiserror::Error;

use crate::interaction::{APPROVE_ACTION_ID, REJECT_ACTION_ID};

/// Evidence lines shown in an approval request; the rest are counted.
pub const MAX_EVIDENCE_LINES: usize = 3;

/// `block_id` of the block holding the Approve and Reject buttons.
pub const ACTIONS_BLOCK_ID: &str = "approval_actions";

// Character budgets for input text after escaping. Slack rejects a section
// whose text exceeds 3000 characters, and these keep every section below it.
const MAX_NAME_CHARS: usize = 200;
const MAX_HYPOTHESIS_CHARS: usize = 1_000;
const MAX_EVIDENCE_LINE_CHARS: usize = 500;
const MAX_DESCRIPTION_CHARS: usize = 1_000;
const MAX_IDENTIFIER_CHARS: usize = 300;

/// Reasons a message setting is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessageError {
    #[error("locale `{0}` is not supported; use `en` or `pt-BR`")]
    UnknownLocale(String),
}

/// Language of the message texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl Locale {
    /// Returns the BCP 47 tag, as used in configuration.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
        }
    }
}

impl FromStr for Locale {
    type Err = MessageError;

    /// Parses `en` or `pt-BR`, ignoring letter case as BCP 47 does.
    fn from_str(tag: &str) -> Result<Self, Self::Err> {
        if tag.eq_ignore_ascii_case("en") {
            Ok(Locale::En)
        } else if tag.eq_ignore_ascii_case("pt-BR") {
            Ok(Locale::PtBr)
        } else {
            Err(MessageError::UnknownLocale(tag.to_owned()))
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.tag())
    }
}

/// The ECS change an approver is asked to allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSummary {
    /// One sentence on what the change does, such as a rollback.
    pub description: String,
    pub cluster: String,
    pub service: String,
    /// Task definition the service runs now.
    pub from: Option<String>,
    /// Task definition the service will run after the change.
    pub to: Option<String>,
    /// Desired task count before and after, for a change of the service's size.
    #[serde(default)]
    pub desired_count: Option<(u32, u32)>,
}

/// Content of an approval request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalMessage {
    /// Id the buttons carry back in the interaction, and nothing else.
    pub approval_id: String,
    pub alarm_name: String,
    pub service: String,
    pub top_hypothesis: Option<String>,
    /// Confidence in the top hypothesis, from 0.0 to 1.0.
    pub confidence: Option<f64>,
    /// Evidence lines, already masked. At most [`MAX_EVIDENCE_LINES`] are shown.
    pub evidence: Vec<String>,
    pub change: ChangeSummary,
    pub expires_at: DateTime<Utc>,
    pub required_approvals: u8,
    #[serde(default)]
    pub locale: Locale,
}

/// Fields of the approval request that a decision update repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionSummary {
    pub approval_id: String,
    pub alarm_name: String,
    pub service: String,
    pub change: ChangeSummary,
    #[serde(default)]
    pub locale: Locale,
}

impl From<&ApprovalMessage> for DecisionSummary {
    fn from(message: &ApprovalMessage) -> Self {
        DecisionSummary {
            approval_id: message.approval_id.clone(),
            alarm_name: message.alarm_name.clone(),
            service: message.service.clone(),
            change: message.change.clone(),
            locale: message.locale,
        }
    }
}

/// State of an approval request after a click or its expiry. Deciders are
/// Slack user ids (`U…`), shown as mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Approved {
        by: Vec<String>,
        at: DateTime<Utc>,
    },
    Rejected {
        by: String,
        at: DateTime<Utc>,
    },
    Expired {
        at: DateTime<Utc>,
    },
    /// Some approvals are in; `needed` more are still required, so the
    /// buttons stay.
    PartlyApproved {
        by: Vec<String>,
        needed: u8,
    },
}

/// Body of a `chat.postMessage` or `chat.update` call. `text` is the
/// notification and screen-reader fallback for `blocks`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageBody {
    pub text: String,
    pub blocks: Value,
}

/// Builds the message that requests approval, with Approve and Reject
/// buttons whose `value` is the approval id alone.
///
/// Slack limits a button `value` to 2000 characters, so the approval id must
/// be shorter than that.
pub fn approval_request(message: &ApprovalMessage) -> MessageBody {
    let locale = message.locale;
    let mut blocks = vec![
        header(request_header(locale)),
        alarm_and_service(locale, &message.alarm_name, &message.service),
        hypothesis_section(
            locale,
            message.top_hypothesis.as_deref(),
            message.confidence,
        ),
    ];
    if let Some(evidence) = evidence_section(locale, &message.evidence) {
        blocks.push(evidence);
    }
    blocks.push(json!({ "type": "divider" }));
    blocks.push(change_section(locale, &message.change));
    blocks.push(context(&request_context(
        locale,
        message.expires_at,
        message.required_approvals,
        &message.approval_id,
    )));
    blocks.push(approval_buttons(locale, &message.approval_id));

    MessageBody {
        text: request_fallback(locale, &message.alarm_name, &message.service),
        blocks: Value::Array(blocks),
    }
}

/// Builds the message that replaces an approval request once it is decided,
/// naming the deciders and the time. Only a partly approved request keeps
/// its buttons, because more approvers still have to click.
pub fn decision_update(summary: &DecisionSummary, outcome: &Outcome) -> MessageBody {
    let locale = summary.locale;
    let outcome_line = outcome_line(locale, outcome);

    let mut blocks = vec![
        header(decision_header(locale, outcome)),
        alarm_and_service(locale, &summary.alarm_name, &summary.service),
        change_section(locale, &summary.change),
        section(&outcome_line),
    ];
    if matches!(outcome, Outcome::PartlyApproved { .. }) {
        blocks.push(approval_buttons(locale, &summary.approval_id));
    }

    let subject = decision_subject(locale, &summary.alarm_name, &summary.service);
    MessageBody {
        text: format!("{subject}: {outcome_line}"),
        blocks: Value::Array(blocks),
    }
}

// --- Blocks ---------------------------------------------------------------

fn header(text: &str) -> Value {
    json!({
        "type": "header",
        "text": { "type": "plain_text", "text": text, "emoji": true }
    })
}

fn section(mrkdwn: &str) -> Value {
    json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": mrkdwn }
    })
}

fn context(mrkdwn: &str) -> Value {
    json!({
        "type": "context",
        "elements": [ { "type": "mrkdwn", "text": mrkdwn } ]
    })
}

fn alarm_and_service(locale: Locale, alarm_name: &str, service: &str) -> Value {
    let (alarm_label, service_label) = match locale {
        Locale::En => ("Alarm", "Service"),
        Locale::PtBr => ("Alarme", "Serviço"),
    };
    json!({
        "type": "section",
        "fields": [
            {
                "type": "mrkdwn",
                "text": format!("*{alarm_label}*\n{}", escape_limited(alarm_name, MAX_NAME_CHARS))
            },
            {
                "type": "mrkdwn",
                "text": format!("*{service_label}*\n{}", escape_limited(service, MAX_NAME_CHARS))
            }
        ]
    })
}

fn hypothesis_section(locale: Locale, hypothesis: Option<&str>, confidence: Option<f64>) -> Value {
    let label = match locale {
        Locale::En => "*Top hypothesis*",
        Locale::PtBr => "*Hipótese principal*",
    };
    let confidence = confidence_percent(confidence)
        .map(|percent| match locale {
            Locale::En => format!(" (confidence {percent}%)"),
            Locale::PtBr => format!(" (confiança {percent}%)"),
        })
        .unwrap_or_default();
    let body = match hypothesis {
        Some(text) => escape_limited(text, MAX_HYPOTHESIS_CHARS),
        None => match locale {
            Locale::En => "_No hypothesis was found._".to_owned(),
            Locale::PtBr => "_Nenhuma hipótese foi encontrada._".to_owned(),
        },
    };
    section(&format!("{label}{confidence}\n{body}"))
}

fn evidence_section(locale: Locale, evidence: &[String]) -> Option<Value> {
    if evidence.is_empty() {
        return None;
    }

    let label = match locale {
        Locale::En => "*Evidence*",
        Locale::PtBr => "*Evidências*",
    };
    let mut lines = vec![label.to_owned()];
    for line in evidence.iter().take(MAX_EVIDENCE_LINES) {
        lines.push(format!("• {}", code(line, MAX_EVIDENCE_LINE_CHARS)));
    }

    let hidden = evidence.len().saturating_sub(MAX_EVIDENCE_LINES);
    if hidden > 0 {
        lines.push(match (locale, hidden) {
            (Locale::En, 1) => "_and 1 more line_".to_owned(),
            (Locale::En, count) => format!("_and {count} more lines_"),
            (Locale::PtBr, 1) => "_e mais 1 linha_".to_owned(),
            (Locale::PtBr, count) => format!("_e mais {count} linhas_"),
        });
    }
    Some(section(&lines.join("\n")))
}

fn change_section(locale: Locale, change: &ChangeSummary) -> Value {
    let (label, service_label, unknown) = match locale {
        Locale::En => ("*Proposed change*", "Service", "_unknown_"),
        Locale::PtBr => ("*Mudança proposta*", "Serviço", "_desconhecida_"),
    };

    let mut lines = vec![
        label.to_owned(),
        escape_limited(&change.description, MAX_DESCRIPTION_CHARS),
        format!("• Cluster: {}", code(&change.cluster, MAX_IDENTIFIER_CHARS)),
        format!(
            "• {service_label}: {}",
            code(&change.service, MAX_IDENTIFIER_CHARS)
        ),
    ];

    // A change that keeps the task definition (a restart, a scale change)
    // has neither end, and then the line is left out.
    if change.from.is_some() || change.to.is_some() {
        let show = |revision: &Option<String>| match revision {
            Some(value) => code(value, MAX_IDENTIFIER_CHARS),
            None => unknown.to_owned(),
        };
        lines.push(format!(
            "• Task definition: {} → {}",
            show(&change.from),
            show(&change.to)
        ));
    }
    if let Some((from, to)) = change.desired_count {
        let label = match locale {
            Locale::En => "Desired count",
            Locale::PtBr => "Quantidade desejada de tarefas",
        };
        lines.push(format!("• {label}: `{from}` → `{to}`"));
    }
    section(&lines.join("\n"))
}

fn approval_buttons(locale: Locale, approval_id: &str) -> Value {
    let (approve, reject) = match locale {
        Locale::En => ("Approve", "Reject"),
        Locale::PtBr => ("Aprovar", "Rejeitar"),
    };
    json!({
        "type": "actions",
        "block_id": ACTIONS_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE_ACTION_ID,
                "text": { "type": "plain_text", "text": approve, "emoji": true },
                "style": "primary",
                "value": approval_id
            },
            {
                "type": "button",
                "action_id": REJECT_ACTION_ID,
                "text": { "type": "plain_text", "text": reject, "emoji": true },
                "style": "danger",
                "value": approval_id
            }
        ]
    })
}

// --- Localized sentences -------------------------------------------------

fn request_header(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "Approval needed: ECS change",
        Locale::PtBr => "Aprovação necessária: mudança no ECS",
    }
}

fn decision_header(locale: Locale, outcome: &Outcome) -> &'static str {
    match (locale, outcome) {
        (Locale::En, Outcome::Approved { .. }) => "Approved: ECS change",
        (Locale::En, Outcome::Rejected { .. }) => "Rejected: ECS change",
        (Locale::En, Outcome::Expired { .. }) => "Expired: ECS change",
        (Locale::En, Outcome::PartlyApproved { .. }) => "Partly approved: ECS change",
        (Locale::PtBr, Outcome::Approved { .. }) => "Aprovada: mudança no ECS",
        (Locale::PtBr, Outcome::Rejected { .. }) => "Rejeitada: mudança no ECS",
        (Locale::PtBr, Outcome::Expired { .. }) => "Expirada: mudança no ECS",
        (Locale::PtBr, Outcome::PartlyApproved { .. }) => "Aprovada em parte: mudança no ECS",
    }
}

fn request_fallback(locale: Locale, alarm_name: &str, service: &str) -> String {
    let alarm_name = escape_limited(alarm_name, MAX_NAME_CHARS);
    let service = escape_limited(service, MAX_NAME_CHARS);
    match locale {
        Locale::En => {
            format!("Approval needed for an ECS change to service {service} (alarm {alarm_name})")
        }
        Locale::PtBr => format!(
            "Aprovação necessária para uma mudança no ECS no serviço {service} (alarme {alarm_name})"
        ),
    }
}

fn decision_subject(locale: Locale, alarm_name: &str, service: &str) -> String {
    let alarm_name = escape_limited(alarm_name, MAX_NAME_CHARS);
    let service = escape_limited(service, MAX_NAME_CHARS);
    match locale {
        Locale::En => format!("ECS change to service {service} (alarm {alarm_name})"),
        Locale::PtBr => format!("Mudança no ECS do serviço {service} (alarme {alarm_name})"),
    }
}

fn request_context(
    locale: Locale,
    expires_at: DateTime<Utc>,
    required_approvals: u8,
    approval_id: &str,
) -> String {
    let expires = format_time(locale, expires_at);
    let approval_id = code(approval_id, MAX_IDENTIFIER_CHARS);
    match locale {
        Locale::En => {
            let approvals = match required_approvals {
                1 => "1 approval required".to_owned(),
                count => format!("{count} approvals required"),
            };
            format!("Expires at {expires} · {approvals} · Approval id {approval_id}")
        }
        Locale::PtBr => {
            let approvals = match required_approvals {
                1 => "1 aprovação necessária".to_owned(),
                count => format!("{count} aprovações necessárias"),
            };
            format!("Expira em {expires} · {approvals} · ID da aprovação {approval_id}")
        }
    }
}

fn outcome_line(locale: Locale, outcome: &Outcome) -> String {
    match (locale, outcome) {
        (Locale::En, Outcome::Approved { by, at }) => format!(
            "Approved by {} at {}.",
            mentions(locale, by),
            format_time(locale, *at)
        ),
        (Locale::PtBr, Outcome::Approved { by, at }) => format!(
            "Aprovada por {} em {}.",
            mentions(locale, by),
            format_time(locale, *at)
        ),
        (Locale::En, Outcome::Rejected { by, at }) => format!(
            "Rejected by {} at {}. Nothing was changed.",
            mention(by),
            format_time(locale, *at)
        ),
        (Locale::PtBr, Outcome::Rejected { by, at }) => format!(
            "Rejeitada por {} em {}. Nada foi alterado.",
            mention(by),
            format_time(locale, *at)
        ),
        (Locale::En, Outcome::Expired { at }) => format!(
            "Expired at {} without a decision. Nothing was changed.",
            format_time(locale, *at)
        ),
        (Locale::PtBr, Outcome::Expired { at }) => format!(
            "Expirou em {} sem decisão. Nada foi alterado.",
            format_time(locale, *at)
        ),
        (Locale::En, Outcome::PartlyApproved { by, needed }) => {
            let remaining = match needed {
                1 => "1 more approval is needed".to_owned(),
                count => format!("{count} more approvals are needed"),
            };
            format!("Approved by {}; {remaining}.", mentions(locale, by))
        }
        (Locale::PtBr, Outcome::PartlyApproved { by, needed }) => {
            let remaining = match needed {
                1 => "falta mais 1 aprovação".to_owned(),
                count => format!("faltam mais {count} aprovações"),
            };
            format!("Aprovada por {}; {remaining}.", mentions(locale, by))
        }
    }
}

// --- Formatting helpers --------------------------------------------------

fn format_time(locale: Locale, at: DateTime<Utc>) -> String {
    match locale {
        Locale::En => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Locale::PtBr => at.format("%d/%m/%Y %H:%M UTC").to_string(),
    }
}

fn confidence_percent(confidence: Option<f64>) -> Option<u8> {
    let value = confidence.filter(|value| value.is_finite())?;
    // The clamp keeps the product within 0..=100, so the cast cannot wrap.
    Some((value.clamp(0.0, 1.0) * 100.0).round() as u8)
}

fn mention(user_id: &str) -> String {
    format!("<@{}>", escape_limited(user_id, MAX_NAME_CHARS))
}

fn mentions(locale: Locale, user_ids: &[String]) -> String {
    let conjunction = match locale {
        Locale::En => "and",
        Locale::PtBr => "e",
    };
    let names: Vec<String> = user_ids.iter().map(|id| mention(id)).collect();
    match names.as_slice() {
        [] => "—".to_owned(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// Wraps input in an inline code span so that mrkdwn leaves `*`, `_` and `~`
/// alone. A value holding a backtick would end the span early, so it is shown
/// as escaped plain text instead.
fn code(value: &str, max_chars: usize) -> String {
    let escaped = escape_limited(value, max_chars);
    if value.contains('`') {
        escaped
    } else {
        format!("`{escaped}`")
    }
}

/// Escapes `&`, `<` and `>` as Slack mrkdwn requires and cuts the result to
/// `max_chars` characters, ending it with `…` when cut. The cut never splits
/// an escape sequence.
fn escape_limited(input: &str, max_chars: usize) -> String {
    let escaped = escape(input);
    if escaped.chars().count() <= max_chars {
        return escaped;
    }

    let budget = max_chars.saturating_sub(1);
    let mut output = String::new();
    let mut used = 0;
    for character in input.chars() {
        let piece = escape_char(character);
        let width = piece.map_or(1, str::len);
        if used + width > budget {
            break;
        }
        match piece {
            Some(entity) => output.push_str(entity),
            None => output.push(character),
        }
        used += width;
    }
    output.push('…');
    output
}

fn escape(input: &str) -> String {
    let mut output = String::with_capacity(input.len());
    for character in input.chars() {
        match escape_char(character) {
            Some(entity) => output.push_str(entity),
            None => output.push(character),
        }
    }
    output
}

fn escape_char(character: char) -> Option<&'static str> {
    match character {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, hour, minute, 0)
            .single()
            .expect("valid test time")
    }

    fn sample(locale: Locale) -> ApprovalMessage {
        ApprovalMessage {
            approval_id: "apr_7f3c".to_owned(),
            alarm_name: "checkout-5xx-rate".to_owned(),
            service: "checkout".to_owned(),
            top_hypothesis: Some("Deployment of checkout:42 raised the 5xx rate".to_owned()),
            confidence: Some(0.724),
            evidence: vec![
                "12:01 ERROR upstream timeout after 3000 ms".to_owned(),
                "12:01 ERROR upstream timeout after 3000 ms".to_owned(),
                "12:02 deployment ecs-svc/42 started".to_owned(),
                "12:03 5xx rate 14%".to_owned(),
                "12:04 5xx rate 17%".to_owned(),
            ],
            change: ChangeSummary {
                description: "Roll back to the previous task definition".to_owned(),
                cluster: "prod-main".to_owned(),
                service: "checkout".to_owned(),
                from: Some("checkout:42".to_owned()),
                to: Some("checkout:41".to_owned()),
                desired_count: None,
            },
            expires_at: utc(14, 30),
            required_approvals: 2,
            locale,
        }
    }

    #[test]
    fn scale_change_shows_desired_count_not_task_definition() {
        for (locale, label) in [(Locale::En, "Desired count"), (Locale::PtBr, "Quantidade desejada de tarefas")] {
            let mut message = sample(locale);
            message.change.from = None;
            message.change.to = None;
            message.change.desired_count = Some((4, 8));
            let body = approval_request(&message);
            let prefix = if locale == Locale::En { "*Proposed change*" } else { "*Mudança proposta*" };
            let change = section_starting(&body, prefix);
            assert!(change.ends_with(&format!("• {label}: `4` → `8`")), "{change}");
            assert!(!change.contains("Task definition"), "{change}");
        }
    }

    fn blocks(body: &MessageBody) -> &Vec<Value> {
        body.blocks.as_array().expect("blocks array")
    }

    fn block_of_type<'a>(body: &'a MessageBody, kind: &str) -> Option<&'a Value> {
        blocks(body).iter().find(|block| block["type"] == kind)
    }

    fn section_texts(body: &MessageBody) -> Vec<String> {
        blocks(body)
            .iter()
            .filter(|block| block["type"] == "section")
            .filter_map(|block| block["text"]["text"].as_str())
            .map(str::to_owned)
            .collect()
    }

    fn section_starting(body: &MessageBody, prefix: &str) -> String {
        section_texts(body)
            .into_iter()
            .find(|text| text.starts_with(prefix))
            .unwrap_or_else(|| panic!("no section starting with {prefix:?}"))
    }

    fn context_text(body: &MessageBody) -> String {
        block_of_type(body, "context").expect("context block")["elements"][0]["text"]
            .as_str()
            .expect("context text")
            .to_owned()
    }

    #[test]
    fn request_buttons_carry_approval_id_and_action_ids() {
        let body = approval_request(&sample(Locale::En));
        let actions = block_of_type(&body, "actions").expect("actions block");

        assert_eq!(actions["block_id"], "approval_actions");
        let approve = &actions["elements"][0];
        assert_eq!(approve["action_id"], "approve");
        assert_eq!(approve["value"], "apr_7f3c");
        assert_eq!(approve["style"], "primary");
        assert_eq!(approve["text"]["text"], "Approve");
        let reject = &actions["elements"][1];
        assert_eq!(reject["action_id"], "reject");
        assert_eq!(reject["value"], "apr_7f3c");
        assert_eq!(reject["style"], "danger");
        assert_eq!(reject["text"]["text"], "Reject");
        assert_eq!(actions["elements"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn request_shows_exact_change() {
        let body = approval_request(&sample(Locale::En));
        assert_eq!(
            section_starting(&body, "*Proposed change*"),
            "*Proposed change*\n\
             Roll back to the previous task definition\n\
             • Cluster: `prod-main`\n\
             • Service: `checkout`\n\
             • Task definition: `checkout:42` → `checkout:41`"
        );
    }

    #[test]
    fn request_shows_header_alarm_and_service() {
        let body = approval_request(&sample(Locale::En));
        let header = block_of_type(&body, "header").expect("header block");
        assert_eq!(header["text"]["text"], "Approval needed: ECS change");
        let fields = &blocks(&body)[1]["fields"];
        assert_eq!(fields[0]["text"], "*Alarm*\ncheckout-5xx-rate");
        assert_eq!(fields[1]["text"], "*Service*\ncheckout");
        assert_eq!(
            body.text,
            "Approval needed for an ECS change to service checkout (alarm checkout-5xx-rate)"
        );
    }

    #[test]
    fn request_shows_hypothesis_with_confidence() {
        let body = approval_request(&sample(Locale::En));
        assert_eq!(
            section_starting(&body, "*Top hypothesis*"),
            "*Top hypothesis* (confidence 72%)\nDeployment of checkout:42 raised the 5xx rate"
        );
    }

    #[test]
    fn request_without_hypothesis_says_so() {
        let mut message = sample(Locale::En);
        message.top_hypothesis = None;
        message.confidence = None;
        let body = approval_request(&message);
        assert_eq!(
            section_starting(&body, "*Top hypothesis*"),
            "*Top hypothesis*\n_No hypothesis was found._"
        );
    }

    #[test]
    fn confidence_outside_unit_range_is_clamped_or_dropped() {
        assert_eq!(confidence_percent(Some(1.7)), Some(100));
        assert_eq!(confidence_percent(Some(-0.2)), Some(0));
        assert_eq!(confidence_percent(Some(f64::NAN)), None);
        assert_eq!(confidence_percent(None), None);
    }

    #[test]
    fn request_shows_three_evidence_lines_and_counts_rest() {
        let body = approval_request(&sample(Locale::En));
        assert_eq!(
            section_starting(&body, "*Evidence*"),
            "*Evidence*\n\
             • `12:01 ERROR upstream timeout after 3000 ms`\n\
             • `12:01 ERROR upstream timeout after 3000 ms`\n\
             • `12:02 deployment ecs-svc/42 started`\n\
             _and 2 more lines_"
        );
    }

    #[test]
    fn request_without_evidence_has_no_evidence_section() {
        let mut message = sample(Locale::En);
        message.evidence.clear();
        let body = approval_request(&message);
        let has_evidence = section_texts(&body)
            .iter()
            .any(|text| text.starts_with("*Evidence*"));
        assert!(!has_evidence);
    }

    #[test]
    fn request_context_shows_expiry_in_utc_and_approvals() {
        let body = approval_request(&sample(Locale::En));
        assert_eq!(
            context_text(&body),
            "Expires at 2026-05-04 14:30 UTC · 2 approvals required · Approval id `apr_7f3c`"
        );

        let mut single = sample(Locale::En);
        single.required_approvals = 1;
        assert_eq!(
            context_text(&approval_request(&single)),
            "Expires at 2026-05-04 14:30 UTC · 1 approval required · Approval id `apr_7f3c`"
        );
    }

    #[test]
    fn request_in_portuguese_keeps_aws_terms() {
        let body = approval_request(&sample(Locale::PtBr));

        let header = block_of_type(&body, "header").expect("header block");
        assert_eq!(
            header["text"]["text"],
            "Aprovação necessária: mudança no ECS"
        );
        let fields = &blocks(&body)[1]["fields"];
        assert_eq!(fields[0]["text"], "*Alarme*\ncheckout-5xx-rate");
        assert_eq!(fields[1]["text"], "*Serviço*\ncheckout");
        assert_eq!(
            section_starting(&body, "*Hipótese principal*"),
            "*Hipótese principal* (confiança 72%)\nDeployment of checkout:42 raised the 5xx rate"
        );
        assert!(section_starting(&body, "*Evidências*").ends_with("\n_e mais 2 linhas_"));
        assert_eq!(
            section_starting(&body, "*Mudança proposta*"),
            "*Mudança proposta*\n\
             Roll back to the previous task definition\n\
             • Cluster: `prod-main`\n\
             • Serviço: `checkout`\n\
             • Task definition: `checkout:42` → `checkout:41`"
        );
        assert_eq!(
            context_text(&body),
            "Expira em 04/05/2026 14:30 UTC · 2 aprovações necessárias · ID da aprovação `apr_7f3c`"
        );
        let actions = block_of_type(&body, "actions").expect("actions block");
        assert_eq!(actions["elements"][0]["text"]["text"], "Aprovar");
        assert_eq!(actions["elements"][1]["text"]["text"], "Rejeitar");
        assert_eq!(
            body.text,
            "Aprovação necessária para uma mudança no ECS no serviço checkout (alarme checkout-5xx-rate)"
        );
    }

    #[test]
    fn task_definition_line_partial_or_absent() {
        let mut message = sample(Locale::En);
        message.change.from = None;
        let body = approval_request(&message);
        assert!(section_starting(&body, "*Proposed change*")
            .ends_with("• Task definition: _unknown_ → `checkout:41`"));

        message.change.to = None;
        let body = approval_request(&message);
        assert!(!section_starting(&body, "*Proposed change*").contains("Task definition"));

        let mut portuguese = sample(Locale::PtBr);
        portuguese.change.to = None;
        let body = approval_request(&portuguese);
        assert!(section_starting(&body, "*Mudança proposta*")
            .ends_with("• Task definition: `checkout:42` → _desconhecida_"));
    }

    #[test]
    fn input_text_is_escaped_for_mrkdwn() {
        let mut message = sample(Locale::En);
        message.alarm_name = "<!channel> & <https://example.com|click>".to_owned();
        message.evidence = vec!["if a < b && c > d".to_owned()];
        message.change.description = "Scale <@U999> down".to_owned();

        let body = approval_request(&message);

        assert_eq!(
            blocks(&body)[1]["fields"][0]["text"],
            "*Alarm*\n&lt;!channel&gt; &amp; &lt;https://example.com|click&gt;"
        );
        assert_eq!(
            section_starting(&body, "*Evidence*"),
            "*Evidence*\n• `if a &lt; b &amp;&amp; c &gt; d`"
        );
        assert!(
            section_starting(&body, "*Proposed change*").contains("\nScale &lt;@U999&gt; down\n")
        );
        assert_eq!(
            body.text,
            "Approval needed for an ECS change to service checkout \
             (alarm &lt;!channel&gt; &amp; &lt;https://example.com|click&gt;)"
        );
        let serialized = serde_json::to_string(&body).expect("serializable");
        assert!(!serialized.contains("<!channel>"));
        assert!(!serialized.contains("<@U999>"));
    }

    #[test]
    fn value_with_backtick_is_shown_without_code_span() {
        let mut message = sample(Locale::En);
        message.change.cluster = "prod`main".to_owned();
        let body = approval_request(&message);
        assert!(section_starting(&body, "*Proposed change*").contains("• Cluster: prod`main\n"));
    }

    #[test]
    fn escape_limited_cuts_whole_entities() {
        assert_eq!(escape_limited("a&b", 7), "a&amp;b");
        assert_eq!(escape_limited("a&b", 5), "a…");
        assert_eq!(escape_limited("<<<", 10), "&lt;&lt;…");
        assert_eq!(escape_limited("héllo wörld", 6), "héllo…");
        assert_eq!(escape_limited("", 6), "");
        assert_eq!(
            escape_limited(&"a".repeat(2_000), 1_000).chars().count(),
            1_000
        );
    }

    #[test]
    fn long_input_keeps_sections_within_slack_limit() {
        let mut message = sample(Locale::PtBr);
        let huge = "<&>".repeat(5_000);
        message.alarm_name = huge.clone();
        message.top_hypothesis = Some(huge.clone());
        message.evidence = vec![huge.clone(); 5];
        message.change.description = huge.clone();
        message.change.cluster = huge.clone();
        message.change.service = huge.clone();
        message.change.from = Some(huge.clone());
        message.change.to = Some(huge);

        let body = approval_request(&message);

        for text in section_texts(&body) {
            assert!(
                text.chars().count() <= 3_000,
                "section of {} chars",
                text.chars().count()
            );
        }
        let description_line = section_starting(&body, "*Mudança proposta*")
            .lines()
            .nth(1)
            .map(str::to_owned)
            .expect("description line");
        // Entities are never split, so the cut lands a little before 1000.
        assert_eq!(description_line.chars().count(), 998);
        assert!(description_line.ends_with("&lt;&amp;&gt;&lt;&amp;…"));
    }

    fn summary(locale: Locale) -> DecisionSummary {
        DecisionSummary::from(&sample(locale))
    }

    #[test]
    fn approved_update_names_approvers_and_drops_buttons() {
        let outcome = Outcome::Approved {
            by: vec!["U111".to_owned(), "U222".to_owned()],
            at: utc(14, 5),
        };
        let body = decision_update(&summary(Locale::En), &outcome);

        let header = block_of_type(&body, "header").expect("header block");
        assert_eq!(header["text"]["text"], "Approved: ECS change");
        assert!(block_of_type(&body, "actions").is_none());
        assert_eq!(
            section_starting(&body, "Approved by"),
            "Approved by <@U111> and <@U222> at 2026-05-04 14:05 UTC."
        );
        assert!(section_starting(&body, "*Proposed change*").contains("• Cluster: `prod-main`"));
        assert_eq!(
            body.text,
            "ECS change to service checkout (alarm checkout-5xx-rate): \
             Approved by <@U111> and <@U222> at 2026-05-04 14:05 UTC."
        );
    }

    #[test]
    fn three_approvers_are_joined_with_commas() {
        let outcome = Outcome::Approved {
            by: vec!["U1".to_owned(), "U2".to_owned(), "U3".to_owned()],
            at: utc(9, 0),
        };
        let body = decision_update(&summary(Locale::PtBr), &outcome);
        assert_eq!(
            section_starting(&body, "Aprovada por"),
            "Aprovada por <@U1>, <@U2> e <@U3> em 04/05/2026 09:00 UTC."
        );
    }

    #[test]
    fn rejected_update_names_rejecter() {
        let outcome = Outcome::Rejected {
            by: "U333".to_owned(),
            at: utc(14, 7),
        };

        let english = decision_update(&summary(Locale::En), &outcome);
        assert_eq!(
            block_of_type(&english, "header").expect("header")["text"]["text"],
            "Rejected: ECS change"
        );
        assert_eq!(
            section_starting(&english, "Rejected by"),
            "Rejected by <@U333> at 2026-05-04 14:07 UTC. Nothing was changed."
        );
        assert!(block_of_type(&english, "actions").is_none());

        let portuguese = decision_update(&summary(Locale::PtBr), &outcome);
        assert_eq!(
            block_of_type(&portuguese, "header").expect("header")["text"]["text"],
            "Rejeitada: mudança no ECS"
        );
        assert_eq!(
            section_starting(&portuguese, "Rejeitada por"),
            "Rejeitada por <@U333> em 04/05/2026 14:07 UTC. Nada foi alterado."
        );
    }

    #[test]
    fn expired_update_states_time() {
        let outcome = Outcome::Expired { at: utc(14, 30) };

        let english = decision_update(&summary(Locale::En), &outcome);
        assert_eq!(
            section_starting(&english, "Expired"),
            "Expired at 2026-05-04 14:30 UTC without a decision. Nothing was changed."
        );
        assert!(block_of_type(&english, "actions").is_none());

        let portuguese = decision_update(&summary(Locale::PtBr), &outcome);
        assert_eq!(
            block_of_type(&portuguese, "header").expect("header")["text"]["text"],
            "Expirada: mudança no ECS"
        );
        assert_eq!(
            section_starting(&portuguese, "Expirou"),
            "Expirou em 04/05/2026 14:30 UTC sem decisão. Nada foi alterado."
        );
    }

    #[test]
    fn partly_approved_update_keeps_buttons() {
        let outcome = Outcome::PartlyApproved {
            by: vec!["U111".to_owned()],
            needed: 1,
        };

        let english = decision_update(&summary(Locale::En), &outcome);
        assert_eq!(
            section_starting(&english, "Approved by"),
            "Approved by <@U111>; 1 more approval is needed."
        );
        let actions = block_of_type(&english, "actions").expect("buttons kept");
        assert_eq!(actions["elements"][0]["action_id"], "approve");
        assert_eq!(actions["elements"][0]["value"], "apr_7f3c");
        assert_eq!(actions["elements"][1]["action_id"], "reject");
        assert_eq!(actions["elements"][1]["value"], "apr_7f3c");

        let portuguese = decision_update(&summary(Locale::PtBr), &outcome);
        assert_eq!(
            section_starting(&portuguese, "Aprovada por"),
            "Aprovada por <@U111>; falta mais 1 aprovação."
        );
        assert_eq!(
            block_of_type(&portuguese, "header").expect("header")["text"]["text"],
            "Aprovada em parte: mudança no ECS"
        );

        let two_more = Outcome::PartlyApproved {
            by: vec!["U111".to_owned()],
            needed: 2,
        };
        assert_eq!(
            section_starting(
                &decision_update(&summary(Locale::PtBr), &two_more),
                "Aprovada por"
            ),
            "Aprovada por <@U111>; faltam mais 2 aprovações."
        );
        assert_eq!(
            section_starting(
                &decision_update(&summary(Locale::En), &two_more),
                "Approved by"
            ),
            "Approved by <@U111>; 2 more approvals are needed."
        );
    }

    #[test]
    fn decider_ids_are_escaped() {
        let outcome = Outcome::Rejected {
            by: "U1><!here".to_owned(),
            at: utc(8, 0),
        };
        let body = decision_update(&summary(Locale::En), &outcome);
        assert_eq!(
            section_starting(&body, "Rejected by"),
            "Rejected by <@U1&gt;&lt;!here> at 2026-05-04 08:00 UTC. Nothing was changed."
        );
    }

    #[test]
    fn locale_parses_known_tags() {
        assert_eq!("en".parse(), Ok(Locale::En));
        assert_eq!("pt-BR".parse(), Ok(Locale::PtBr));
        assert_eq!("PT-br".parse(), Ok(Locale::PtBr));
        assert_eq!(
            "fr".parse::<Locale>(),
            Err(MessageError::UnknownLocale("fr".to_owned()))
        );
        assert_eq!(
            MessageError::UnknownLocale("pt".to_owned()).to_string(),
            "locale `pt` is not supported; use `en` or `pt-BR`"
        );
        assert_eq!(Locale::PtBr.to_string(), "pt-BR");
        assert_eq!(Locale::default(), Locale::En);
    }

    #[test]
    fn locale_serializes_as_tag_and_defaults_to_english() {
        assert_eq!(
            serde_json::to_value(Locale::PtBr).expect("serialize"),
            json!("pt-BR")
        );
        assert_eq!(
            serde_json::from_value::<Locale>(json!("en")).expect("deserialize"),
            Locale::En
        );

        let mut stored = serde_json::to_value(sample(Locale::PtBr)).expect("serialize");
        assert_eq!(stored["locale"], "pt-BR");
        stored.as_object_mut().expect("object").remove("locale");
        let restored: ApprovalMessage = serde_json::from_value(stored).expect("deserialize");
        assert_eq!(restored.locale, Locale::En);
    }
}
