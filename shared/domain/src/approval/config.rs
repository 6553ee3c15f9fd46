//! A tenant's approval settings: its Slack workspace and channel, who may approve, and how
//! long a request stays open.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// How long a request stays open when the tenant sets nothing: one hour.
pub const DEFAULT_EXPIRY_SECONDS: u32 = 3600;
/// Shortest expiry a tenant may set. A shorter window leaves no time to read the report.
pub const MIN_EXPIRY_SECONDS: u32 = 60;
/// Maximum expiry a tenant may set: one day. Step Functions keeps a task token for a year, but
/// a fix approved a day after the alarm acts on a service that has likely changed.
pub const MAX_EXPIRY_SECONDS: u32 = 86_400;
/// Maximum time the state machine waits past a request's expiry before its task times out.
/// The wait is a tenth of the expiry within [5 s, 120 s], so the request always expires first
/// and a decision clicked at the last second still reaches the waiting task.
pub const TASK_TIMEOUT_GRACE_SECONDS: u32 = 120;
const MIN_TASK_TIMEOUT_GRACE_SECONDS: u32 = 5;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApprovalConfigError {
    #[error("approval setting `slack_team_id` `{0}` is invalid: expected a Slack workspace id such as `T0123ABCD`")]
    InvalidTeamId(String),
    #[error("approval setting `slack_channel_id` `{0}` is invalid: expected a Slack channel id such as `C0123ABCD`")]
    InvalidChannelId(String),
    #[error("approval setting `approvers` contains `{0}`, which is not a Slack user id such as `U0123ABCD`")]
    InvalidApprover(String),
    #[error("approval setting `approvers` is empty: list the Slack user ids who may approve")]
    NoApprovers,
    #[error("approval setting `approvers` lists `{0}` twice")]
    DuplicateApprover(String),
    #[error("approval setting `required_approvals` is {required}, but it must be 1 or 2 and at most the {approvers} approvers listed")]
    InvalidRequiredApprovals { required: u8, approvers: usize },
    #[error("approval setting `expires_after_seconds` is {0}, but it must be between {MIN_EXPIRY_SECONDS} and {MAX_EXPIRY_SECONDS}")]
    InvalidExpiry(u32),
    #[error("approval setting `locale` `{0}` is not supported: use `en` or `pt-BR`")]
    UnsupportedLocale(String),
}

/// Supported languages of the Slack messages. Names of AWS things stay in English in all.
pub const SUPPORTED_LOCALES: [&str; 2] = ["en", "pt-BR"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalConfig {
    /// The tenant's Slack workspace; a click from any other workspace is rejected.
    pub slack_team_id: String,
    /// The channel approval requests are posted to.
    pub slack_channel_id: String,
    /// Slack user ids of the people who may approve or reject.
    pub approvers: Vec<String>,
    /// Distinct approvers an action needs: 1, or 2 for a four-eyes rule. One rejection is
    /// always enough to reject.
    #[serde(default = "default_required_approvals")]
    pub required_approvals: u8,
    #[serde(default = "default_expiry_seconds")]
    pub expires_after_seconds: u32,
    /// Language of the Slack messages: `en` or `pt-BR`.
    #[serde(default = "default_locale")]
    pub locale: String,
}

fn default_required_approvals() -> u8 {
    1
}

fn default_expiry_seconds() -> u32 {
    DEFAULT_EXPIRY_SECONDS
}

fn default_locale() -> String {
    "en".to_string()
}

impl ApprovalConfig {
    /// Checks every setting, naming the first one at fault.
    pub fn validate(&self) -> Result<(), ApprovalConfigError> {
        if !is_slack_id(&self.slack_team_id, &['T', 'E']) {
            return Err(ApprovalConfigError::InvalidTeamId(self.slack_team_id.clone()));
        }
        if !is_slack_id(&self.slack_channel_id, &['C', 'G', 'D']) {
            return Err(ApprovalConfigError::InvalidChannelId(self.slack_channel_id.clone()));
        }
        if self.approvers.is_empty() {
            return Err(ApprovalConfigError::NoApprovers);
        }
        let mut seen = BTreeSet::new();
        for approver in &self.approvers {
            if !is_slack_id(approver, &['U', 'W']) {
                return Err(ApprovalConfigError::InvalidApprover(approver.clone()));
            }
            if !seen.insert(approver) {
                return Err(ApprovalConfigError::DuplicateApprover(approver.clone()));
            }
        }
        if !(1..=2).contains(&self.required_approvals) || usize::from(self.required_approvals) > self.approvers.len() {
            return Err(ApprovalConfigError::InvalidRequiredApprovals { required: self.required_approvals, approvers: self.approvers.len() });
        }
        if !(MIN_EXPIRY_SECONDS..=MAX_EXPIRY_SECONDS).contains(&self.expires_after_seconds) {
            return Err(ApprovalConfigError::InvalidExpiry(self.expires_after_seconds));
        }
        if !SUPPORTED_LOCALES.contains(&self.locale.as_str()) {
            return Err(ApprovalConfigError::UnsupportedLocale(self.locale.clone()));
        }
        Ok(())
    }

    /// Returns the `TimeoutSeconds` the waiting task gets: the expiry plus a grace period, so
    /// the request always expires before the task times out.
    pub fn task_timeout_seconds(&self) -> u32 {
        task_timeout_seconds(self.expires_after_seconds)
    }

    pub fn is_approver(&self, user_id: &str) -> bool {
        self.approvers.iter().any(|approver| approver == user_id)
    }
}

/// Returns the approval task's timeout for an expiry: the expiry plus a grace period.
pub fn task_timeout_seconds(expires_after_seconds: u32) -> u32 {
    let grace = (expires_after_seconds / 10).clamp(MIN_TASK_TIMEOUT_GRACE_SECONDS, TASK_TIMEOUT_GRACE_SECONDS);
    expires_after_seconds + grace
}

/// Slack ids are an uppercase letter naming the kind, then uppercase letters and digits.
fn is_slack_id(raw: &str, kinds: &[char]) -> bool {
    let mut chars = raw.chars();
    let kind_ok = chars.next().is_some_and(|first| kinds.contains(&first));
    kind_ok && raw.len() >= 3 && raw.len() <= 32 && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ApprovalConfig {
        ApprovalConfig {
            slack_team_id: "T0ACME".into(),
            slack_channel_id: "C0INCIDENTS".into(),
            approvers: vec!["U0ALICE".into(), "U0BRUNO".into()],
            required_approvals: 1,
            expires_after_seconds: DEFAULT_EXPIRY_SECONDS,
            locale: "en".into(),
        }
    }

    #[test]
    fn valid_config_passes() {
        assert_eq!(config().validate(), Ok(()));
        assert_eq!(config().task_timeout_seconds(), 3720);
        assert_eq!(task_timeout_seconds(60), 66);
        assert_eq!(task_timeout_seconds(20), 25);
    }

    #[test]
    fn defaults_apply_when_fields_are_absent() {
        let parsed: ApprovalConfig = serde_json::from_value(serde_json::json!({
            "slack_team_id": "T0ACME", "slack_channel_id": "C0INCIDENTS", "approvers": ["U0ALICE"]
        }))
        .unwrap();
        assert_eq!(parsed.required_approvals, 1);
        assert_eq!(parsed.expires_after_seconds, 3600);
        assert_eq!(parsed.locale, "en");
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: Vec<(ApprovalConfig, ApprovalConfigError)> = vec![
            (ApprovalConfig { slack_team_id: "acme".into(), ..config() }, ApprovalConfigError::InvalidTeamId("acme".into())),
            (ApprovalConfig { slack_channel_id: "#incidents".into(), ..config() }, ApprovalConfigError::InvalidChannelId("#incidents".into())),
            (ApprovalConfig { approvers: vec![], ..config() }, ApprovalConfigError::NoApprovers),
            (ApprovalConfig { approvers: vec!["alice@example.com".into()], ..config() }, ApprovalConfigError::InvalidApprover("alice@example.com".into())),
            (ApprovalConfig { approvers: vec!["U0ALICE".into(), "U0ALICE".into()], ..config() }, ApprovalConfigError::DuplicateApprover("U0ALICE".into())),
            (ApprovalConfig { required_approvals: 3, ..config() }, ApprovalConfigError::InvalidRequiredApprovals { required: 3, approvers: 2 }),
            (ApprovalConfig { required_approvals: 0, ..config() }, ApprovalConfigError::InvalidRequiredApprovals { required: 0, approvers: 2 }),
            (
                ApprovalConfig { approvers: vec!["U0ALICE".into()], required_approvals: 2, ..config() },
                ApprovalConfigError::InvalidRequiredApprovals { required: 2, approvers: 1 },
            ),
            (ApprovalConfig { expires_after_seconds: 59, ..config() }, ApprovalConfigError::InvalidExpiry(59)),
            (ApprovalConfig { expires_after_seconds: 86_401, ..config() }, ApprovalConfigError::InvalidExpiry(86_401)),
            (ApprovalConfig { locale: "fr".into(), ..config() }, ApprovalConfigError::UnsupportedLocale("fr".into())),
        ];
        for (config, expected) in cases {
            assert_eq!(config.validate(), Err(expected));
        }
    }
}
