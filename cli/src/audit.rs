//! `causeflow audit verify`: checks an audit trail's hash chain and reports where it breaks.

use std::path::Path;

use causeflow_aws::config::{load_sdk_config, Resources};
use causeflow_aws::dynamodb::AuditTrail;
use causeflow_domain::audit::{verify_chain, AuditEventType, AuditRecord, ChainError, ChainSummary};
use causeflow_domain::{InvestigationId, TenantId};

#[derive(Debug, thiserror::Error)]
pub enum AuditCommandError {
    #[error("could not read audit trail file {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("audit trail does not verify: {0}")]
    Broken(#[from] ChainError),
    #[error("invalid id: {0}")]
    InvalidId(#[from] causeflow_domain::ids::IdError),
    #[error("{0}")]
    Setting(#[from] causeflow_aws::config::MissingSetting),
    #[error("reading the audit table failed: {0}")]
    Aws(#[from] causeflow_aws::AwsError),
}

/// Warns when a trail does not end with `investigation.closed`. The hash chain cannot show
/// records cut from its end, so a trail of a finished investigation that stops early may
/// have lost its tail.
pub fn tail_warning(records: &[AuditRecord]) -> Option<String> {
    let last = records.last()?;
    if last.event_type == AuditEventType::InvestigationClosed {
        return None;
    }
    Some(format!(
        "the trail ends with {} at seq {}, not investigation.closed: the investigation is still open, or records were cut from the end (the chain cannot show that)",
        last.event_type.as_str(),
        last.seq
    ))
}

/// Verifies a trail exported as JSON (the `audit-trail.json` that `investigate` writes).
pub fn verify_file(path: &Path) -> Result<(ChainSummary, Option<String>), AuditCommandError> {
    let raw = std::fs::read(path).map_err(|error| AuditCommandError::Unreadable { path: path.display().to_string(), message: error.to_string() })?;
    let records: Vec<AuditRecord> =
        serde_json::from_slice(&raw).map_err(|error| AuditCommandError::Unreadable { path: path.display().to_string(), message: error.to_string() })?;
    let summary = verify_chain(&records)?;
    Ok((summary, tail_warning(&records)))
}

/// Verifies a trail as stored in the audit table named by `CAUSEFLOW_AUDIT_TABLE`.
pub async fn verify_stored(tenant: &str, investigation: &str) -> Result<(ChainSummary, Option<String>), AuditCommandError> {
    let tenant = TenantId::parse(tenant)?;
    let investigation = InvestigationId::parse(investigation)?;
    let table = std::env::var(Resources::AUDIT_TABLE).map_err(|_| causeflow_aws::config::MissingSetting(Resources::AUDIT_TABLE))?;
    let trail = AuditTrail::new(&load_sdk_config().await, table);
    let records = trail.read(&tenant, &investigation).await?;
    let summary = verify_chain(&records)?;
    Ok((summary, tail_warning(&records)))
}
