//! Code the approval functions share: the sealed task token, the tenant's Slack app, and the
//! checks that bind a granted approval to the change about to run.

use std::collections::BTreeMap;

use causeflow_domain::action::ProposedAction;
use causeflow_domain::approval::{ApprovalId, ApprovalRequest, ApprovalStatus};
use causeflow_domain::audit::{AuditEvent, AuditEventType, AuditRecord};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::TenantId;
use causeflow_secrets::{get_slack_credentials, SlackCredentials, StoreError};
use causeflow_slack::message::{ApprovalMessage, ChangeSummary, DecisionSummary, Outcome};
use tracing::warn;
use zeroize::Zeroizing;

use crate::{Failure, Platform};

/// Error name of every refusal to authorise a change. The state machine then ends in `revoke`.
pub const APPROVAL_REQUIRED: &str = "ApprovalRequired";

/// Builds the KMS encryption context of one request's task token, so a sealed token copied
/// into another request does not open.
pub fn task_token_context(tenant_id: &TenantId, investigation_id: &str, approval_id: &ApprovalId) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("tenant_id".to_string(), tenant_id.to_string()),
        ("investigation_id".to_string(), investigation_id.to_string()),
        ("approval_id".to_string(), approval_id.to_string()),
        ("purpose".to_string(), "task_token".to_string()),
    ])
}

/// Opens the task token of a stored request, in memory only.
pub async fn unseal_task_token(platform: &Platform, request: &ApprovalRequest) -> Result<Zeroizing<String>, Failure> {
    let context = task_token_context(&request.tenant_id, request.investigation_id.as_str(), &request.approval_id);
    let plaintext = platform.kms.unseal(&context, &request.sealed_task_token).await.map_err(|error| match error {
        causeflow_aws::kms::SealError::Aws(aws) => Failure::from(aws),
        other => Failure::new("TaskTokenRejected", format!("task token of approval {} does not open: {other}", request.approval_id)),
    })?;
    let token = String::from_utf8(plaintext.to_vec()).map_err(|_| Failure::new("TaskTokenRejected", format!("task token of approval {} is not text", request.approval_id)))?;
    Ok(Zeroizing::new(token))
}

/// Reads the tenant's Slack bot token and signing secret from the secret store.
pub async fn slack_credentials(platform: &Platform, tenant_id: &TenantId) -> Result<SlackCredentials, Failure> {
    let tenant = causeflow_secrets::TenantId::parse(tenant_id.as_str())
        .map_err(|error| Failure::new("InternalError", format!("tenant id {tenant_id} is not valid for the secret store: {error}")))?;
    get_slack_credentials(&platform.secrets, &tenant).await.map_err(|error| match error {
        StoreError::NotFound { .. } => Failure::new(
            "SlackNotConfigured",
            format!("tenant {tenant_id} has no Slack bot token or signing secret: store them with `causeflow secrets put` ({error})"),
        ),
        other => Failure::new(crate::TRANSIENT_ERROR, format!("reading the Slack credentials of tenant {tenant_id} failed: {other}")),
    })
}

/// Reads the approval id from the decision a step received (`{approval_id, …}`), which
/// `slack_callback` sent with the task callback. `requester` names who needs it, for the error.
pub fn approval_id_from(approval: Option<&serde_json::Value>, requester: &str) -> Result<ApprovalId, Failure> {
    let raw = approval
        .and_then(|value| value.get("approval_id"))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Failure::new(APPROVAL_REQUIRED, format!("{requester} needs an approval: the input has no `approval.approval_id`")))?;
    ApprovalId::parse(raw).map_err(|error| Failure::new(APPROVAL_REQUIRED, format!("{requester} needs an approval: {error}")))
}

/// Reads one approval request, or fails naming it.
pub async fn load_approval(platform: &Platform, tenant_id: &TenantId, approval_id: &ApprovalId) -> Result<ApprovalRequest, Failure> {
    platform
        .approvals
        .get(tenant_id, approval_id)
        .await?
        .ok_or_else(|| Failure::new(APPROVAL_REQUIRED, format!("approval {approval_id} of tenant {tenant_id} does not exist")))
}

/// Finds the `approval.granted` record of `approval_id` in a trail.
pub fn granted_record<'a>(trail: &'a [AuditRecord], approval_id: &ApprovalId) -> Option<&'a AuditRecord> {
    trail.iter().find(|record| {
        record.event_type == AuditEventType::ApprovalGranted
            && record.details.get("approval_id").and_then(|value| value.as_str()) == Some(approval_id.as_str())
    })
}

/// Finds the approval id of the last request in a trail.
pub fn last_requested_approval(trail: &[AuditRecord]) -> Option<ApprovalId> {
    trail
        .iter()
        .rev()
        .filter(|record| record.event_type == AuditEventType::ApprovalRequested)
        .find_map(|record| record.details.get("approval_id").and_then(|value| value.as_str()).and_then(|raw| ApprovalId::parse(raw).ok()))
}

/// Reads the action the investigation's stored report proposes: the one action an approval
/// can authorise. Never taken from the step's input, which a caller could edit.
pub async fn proposed_action(platform: &Platform, investigation: &Investigation) -> Result<ProposedAction, Failure> {
    let report = platform.investigations.report(&investigation.tenant_id, &investigation.investigation_id).await?;
    report.and_then(|(report, _)| report.proposed_action).ok_or_else(|| {
        Failure::new(APPROVAL_REQUIRED, format!("investigation {} has no report proposing an action", investigation.investigation_id))
    })
}

/// Checks that the audit trail contains an `approval.granted` for `approval_id` whose digest
/// equals `action`'s, and returns the stored request. The trail is the record of authority,
/// and the request item only adds expiry and use.
pub async fn granted_approval(
    platform: &Platform,
    investigation: &Investigation,
    approval_id: &ApprovalId,
    action: &ProposedAction,
) -> Result<ApprovalRequest, Failure> {
    let tenant_id = &investigation.tenant_id;
    let investigation_id = &investigation.investigation_id;
    let trail = platform.audit.read(tenant_id, investigation_id).await?;
    let digest = action.digest();
    let Some(record) = granted_record(&trail, approval_id) else {
        warn!(%tenant_id, %investigation_id, %approval_id, "rejected: no approval.granted record in this investigation's trail");
        return Err(Failure::new(
            APPROVAL_REQUIRED,
            format!("the audit trail of investigation {investigation_id} holds no approval.granted record for approval {approval_id}"),
        ));
    };
    let recorded_digest = record.details.get("action_digest").and_then(|value| value.as_str()).unwrap_or_default();
    if recorded_digest != digest.as_str() {
        warn!(%tenant_id, %investigation_id, %approval_id, "rejected: approval.granted record is for another action");
        return Err(Failure::new(
            APPROVAL_REQUIRED,
            format!("approval {approval_id} granted the action with digest {recorded_digest}, not the proposed action with digest {}", digest.as_str()),
        ));
    }
    load_approval(platform, tenant_id, approval_id).await
}

/// How often a change to a request is retried after another writer changed it first.
const UPDATE_ATTEMPTS: usize = 5;

/// Writes `change(current)` conditional on the version read, and on losing to another writer
/// reads the request again and retries. `change` returns None when nothing is left to do.
/// Returns the request as stored.
pub async fn update_approval(
    platform: &Platform,
    mut current: ApprovalRequest,
    change: impl Fn(&ApprovalRequest) -> Option<ApprovalRequest>,
) -> Result<ApprovalRequest, Failure> {
    for _ in 0..UPDATE_ATTEMPTS {
        let Some(next) = change(&current) else { return Ok(current) };
        if platform.approvals.replace(&next).await? {
            return Ok(next);
        }
        current = load_approval(platform, &current.tenant_id, &current.approval_id).await?;
    }
    Err(Failure::new(crate::TRANSIENT_ERROR, format!("approval {} kept changing under concurrent writers; try again", current.approval_id)))
}

/// How often storing a change with its record is retried while only the audit trail's head
/// moved (another step appended meanwhile).
const RECORD_ATTEMPTS: usize = 10;

/// Stores a changed request and appends its audit event in one transaction. Returns None when
/// the request itself changed since it was read, so the caller must read it and decide again.
pub async fn store_and_record(
    platform: &Platform,
    next: &ApprovalRequest,
    event_type: AuditEventType,
    actor: &str,
    details: serde_json::Value,
) -> Result<Option<AuditRecord>, Failure> {
    let tenant_id = &next.tenant_id;
    let investigation_id = &next.investigation_id;
    for _ in 0..RECORD_ATTEMPTS {
        let head = platform.audit.head(tenant_id, investigation_id).await?;
        let event = AuditEvent { event_type, actor: actor.to_string(), at: chrono::Utc::now(), details: details.clone() };
        let record = AuditRecord::next(tenant_id, investigation_id, head.as_ref(), event);
        if platform.approvals.replace_and_record(next, &platform.audit, &record).await? {
            return Ok(Some(record));
        }
        let current = load_approval(platform, tenant_id, &next.approval_id).await?;
        if current.version + 1 != next.version {
            return Ok(None);
        }
    }
    Err(Failure::new(crate::TRANSIENT_ERROR, format!("audit trail of {investigation_id} stayed contended; approval {} was not changed", next.approval_id)))
}

/// Builds the Slack message content of a stored request.
pub fn slack_message(request: &ApprovalRequest) -> ApprovalMessage {
    ApprovalMessage {
        approval_id: request.approval_id.to_string(),
        alarm_name: request.summary.alarm_name.clone(),
        service: request.summary.service.clone(),
        top_hypothesis: request.summary.top_hypothesis.clone(),
        confidence: request.summary.confidence,
        evidence: request.summary.evidence.clone(),
        change: change_summary(&request.action),
        expires_at: request.expires_at,
        required_approvals: request.required_approvals,
        // The locale was validated with the tenant's settings; an unknown one falls back to English.
        locale: request.summary.locale.parse().unwrap_or_default(),
    }
}

/// Describes the exact change: cluster, service, and what it moves from and to.
pub fn change_summary(action: &ProposedAction) -> ChangeSummary {
    let (from, to, desired_count) = match action {
        ProposedAction::RollbackService { from_task_definition, to_task_definition, .. } => {
            (Some(from_task_definition.clone()), Some(to_task_definition.clone()), None)
        }
        ProposedAction::RaiseMemoryLimit { task_definition, container, from_mib, to_mib, .. } => (
            Some(format!("{task_definition} (container {container}: {from_mib} MiB)")),
            Some(format!("a new revision of {task_definition} (container {container}: {to_mib} MiB)")),
            None,
        ),
        ProposedAction::ScaleOut { from_count, to_count, .. } => (None, None, Some((*from_count, *to_count))),
    };
    ChangeSummary {
        description: action.describe(),
        cluster: action.cluster().to_string(),
        service: action.service().to_string(),
        from,
        to,
        desired_count,
    }
}

/// Redraws the approval message to show `request`'s state. Best effort: the decision is
/// already stored and delivered, so a Slack failure is logged, not raised.
pub async fn update_slack_message(platform: &Platform, request: &ApprovalRequest) {
    let Some(posted) = &request.slack_message else { return };
    let Some(outcome) = message_outcome(request) else { return };
    let summary = DecisionSummary::from(&slack_message(request));
    let body = causeflow_slack::message::decision_update(&summary, &outcome);
    let credentials = match slack_credentials(platform, &request.tenant_id).await {
        Ok(credentials) => credentials,
        Err(failure) => {
            warn!(tenant_id = %request.tenant_id, approval_id = %request.approval_id, error = %failure, "Slack message not updated");
            return;
        }
    };
    let token = credentials.bot_token.expose_str().unwrap_or_default();
    if let Err(error) = platform.slack.update_message(token, &posted.channel, &posted.ts, &body).await {
        warn!(tenant_id = %request.tenant_id, approval_id = %request.approval_id, %error, "Slack message not updated");
    }
}

fn message_outcome(request: &ApprovalRequest) -> Option<Outcome> {
    let decision = request.decision.as_ref();
    match request.status {
        ApprovalStatus::Approved => decision.map(|decision| Outcome::Approved { by: decision.by.clone(), at: decision.at }),
        ApprovalStatus::Rejected => {
            decision.map(|decision| Outcome::Rejected { by: decision.by.first().cloned().unwrap_or_default(), at: decision.at })
        }
        ApprovalStatus::Expired => decision.map(|decision| Outcome::Expired { at: decision.at }),
        ApprovalStatus::Pending if !request.approvals.is_empty() => Some(Outcome::PartlyApproved {
            by: request.approvals.iter().map(|signed| signed.user_id.clone()).collect(),
            needed: u8::try_from(request.approvals_missing()).unwrap_or(u8::MAX),
        }),
        ApprovalStatus::Pending | ApprovalStatus::Withdrawn => None,
    }
}
