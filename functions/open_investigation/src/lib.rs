//! `open_investigation`: turns a CloudWatch alarm state change into an investigation.
//!
//! Looks the tenant up by the event's `account` and `region`, opens the investigation and
//! writes its first audit record in one transaction. The same event twice opens one
//! investigation; bad input writes nothing.

use causeflow_aws::dynamodb::{OpenOutcome, TenantLookupError};
use causeflow_domain::alarm::{AlarmEvent, AlarmEventError};
use causeflow_domain::approval::{task_timeout_seconds, DEFAULT_EXPIRY_SECONDS};
use causeflow_domain::audit::{AuditEvent, AuditEventType, AuditRecord};
use causeflow_domain::investigation::Investigation;
use causeflow_lambda::{Failure, Platform};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tracing::{info, warn};

pub const FUNCTION_NAME: &str = "open_investigation";

#[derive(Debug, Deserialize)]
struct Input {
    event: Value,
}

#[derive(Debug, Serialize)]
struct Output {
    /// `opened`, or `already_open` when this event was seen before.
    status: &'static str,
    investigation: Investigation,
    /// Timeout of the approval task: the tenant's approval expiry plus a grace period.
    approval_timeout_seconds: u32,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { event } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let alarm = AlarmEvent::parse(&event).map_err(|error| {
        warn!(%error, "rejected alarm event");
        alarm_failure(error)
    })?;

    let tenant = platform.tenants.find_by_account(&alarm.account, &alarm.region).await.map_err(|error| match error {
        TenantLookupError::Aws(aws) => Failure::from(aws),
        other => {
            warn!(account = %alarm.account, region = %alarm.region, "no tenant for alarm account");
            Failure::new("UnknownAccount", other.to_string())
        }
    })?;
    let service = tenant.service_for_alarm(&alarm).cloned().ok_or_else(|| {
        Failure::new(
            "UnknownService",
            format!(
                "alarm `{}` matches no service registered for tenant {}: add it to a service's alarm_names, or alarm on a metric with an ECS ServiceName dimension",
                alarm.alarm_name, tenant.tenant_id
            ),
        )
    })?;

    let investigation = Investigation::open(
        tenant.tenant_id.clone(),
        tenant.account_id.clone(),
        tenant.region.clone(),
        alarm,
        service,
        chrono::Utc::now(),
    );
    let first = AuditRecord::next(
        &investigation.tenant_id,
        &investigation.investigation_id,
        None,
        AuditEvent {
            event_type: AuditEventType::InvestigationOpened,
            actor: FUNCTION_NAME.to_string(),
            at: investigation.opened_at,
            details: json!({
                "event_id": investigation.alarm.event_id,
                "alarm_name": investigation.alarm.alarm_name,
                "alarm_kind": investigation.alarm.kind,
                "service": investigation.service.name,
                "onset": investigation.onset(),
            }),
        },
    );

    let outcome = platform.investigations.open(&investigation, &platform.audit, &first).await?;
    let status = match outcome {
        OpenOutcome::Opened => "opened",
        OpenOutcome::AlreadyOpen => "already_open",
    };
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, status, "alarm event handled");
    let expires_after = tenant
        .approval
        .as_ref()
        .filter(|config| config.validate().is_ok())
        .map_or(DEFAULT_EXPIRY_SECONDS, |config| config.expires_after_seconds);
    let approval_timeout_seconds = task_timeout_seconds(expires_after);
    causeflow_lambda::encode_output(&Output { status, investigation, approval_timeout_seconds })
}

fn alarm_failure(error: AlarmEventError) -> Failure {
    let error_type = match error {
        AlarmEventError::NotIntoAlarm { .. } => "NotIntoAlarm",
        AlarmEventError::NotAnAlarmStateChange(_) => "NotAnAlarmStateChange",
        _ => "InvalidAlarmEvent",
    };
    Failure::new(error_type, error.to_string())
}
