//! The audit trail: one append-only, hash-chained list of records per investigation.
//!
//! Each record contains the SHA-256 of the record before it, computed over a canonical JSON
//! encoding, so any change, deletion, insertion or reordering breaks the chain at a position
//! that [`verify_chain`] reports.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical_json;
use crate::{InvestigationId, TenantId};

/// The `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Event types written to the trail. Free-form strings would let a typo pass unnoticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditEventType {
    #[serde(rename = "investigation.opened")]
    InvestigationOpened,
    #[serde(rename = "credentials.issued")]
    CredentialsIssued,
    #[serde(rename = "credentials.refused")]
    CredentialsRefused,
    #[serde(rename = "evidence.collected")]
    EvidenceCollected,
    #[serde(rename = "report.created")]
    ReportCreated,
    #[serde(rename = "approval.requested")]
    ApprovalRequested,
    /// One approval of several required was counted; the request still waits.
    #[serde(rename = "approval.counted")]
    ApprovalCounted,
    #[serde(rename = "approval.granted")]
    ApprovalGranted,
    #[serde(rename = "approval.rejected")]
    ApprovalRejected,
    #[serde(rename = "approval.expired")]
    ApprovalExpired,
    #[serde(rename = "approval.unavailable")]
    ApprovalUnavailable,
    #[serde(rename = "remediation.succeeded")]
    RemediationSucceeded,
    #[serde(rename = "remediation.failed")]
    RemediationFailed,
    #[serde(rename = "step.failed")]
    StepFailed,
    #[serde(rename = "credentials.revoked")]
    CredentialsRevoked,
    #[serde(rename = "investigation.closed")]
    InvestigationClosed,
}

impl AuditEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEventType::InvestigationOpened => "investigation.opened",
            AuditEventType::CredentialsIssued => "credentials.issued",
            AuditEventType::CredentialsRefused => "credentials.refused",
            AuditEventType::EvidenceCollected => "evidence.collected",
            AuditEventType::ReportCreated => "report.created",
            AuditEventType::ApprovalRequested => "approval.requested",
            AuditEventType::ApprovalCounted => "approval.counted",
            AuditEventType::ApprovalGranted => "approval.granted",
            AuditEventType::ApprovalRejected => "approval.rejected",
            AuditEventType::ApprovalExpired => "approval.expired",
            AuditEventType::ApprovalUnavailable => "approval.unavailable",
            AuditEventType::RemediationSucceeded => "remediation.succeeded",
            AuditEventType::RemediationFailed => "remediation.failed",
            AuditEventType::StepFailed => "step.failed",
            AuditEventType::CredentialsRevoked => "credentials.revoked",
            AuditEventType::InvestigationClosed => "investigation.closed",
        }
    }
}

/// An event a step records, before it is given a position in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event_type: AuditEventType,
    /// The function or person that acted, such as `issue_credentials` or `slack:U123`.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// Event details. Never a secret or unmasked evidence.
    pub details: Value,
}

/// A record as stored: the event, its position, and the hashes that chain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub tenant_id: TenantId,
    pub investigation_id: InvestigationId,
    /// Position in the chain, starting at 0.
    pub seq: u64,
    pub event_type: AuditEventType,
    pub actor: String,
    /// RFC 3339 with milliseconds, stored as text so the hash does not depend on a clock type.
    pub at: String,
    pub details: Value,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// Builds the record that follows `previous` (or the first one when `previous` is None).
    pub fn next(
        tenant_id: &TenantId,
        investigation_id: &InvestigationId,
        previous: Option<&AuditRecord>,
        event: AuditEvent,
    ) -> AuditRecord {
        let (seq, prev_hash) = match previous {
            Some(previous) => (previous.seq + 1, previous.hash.clone()),
            None => (0, GENESIS_HASH.to_string()),
        };
        let mut record = AuditRecord {
            tenant_id: tenant_id.clone(),
            investigation_id: investigation_id.clone(),
            seq,
            event_type: event.event_type,
            actor: event.actor,
            at: event.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            details: event.details,
            prev_hash,
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        record
    }

    /// SHA-256 over the canonical encoding of every field but `hash`.
    pub fn compute_hash(&self) -> String {
        let body = json!({
            "tenant_id": self.tenant_id.as_str(),
            "investigation_id": self.investigation_id.as_str(),
            "seq": self.seq,
            "event_type": self.event_type.as_str(),
            "actor": self.actor,
            "at": self.at,
            "details": self.details,
            "prev_hash": self.prev_hash,
        });
        hex::encode(Sha256::digest(to_canonical_json(&body).as_bytes()))
    }
}

/// Reason and position at which a chain fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("audit trail is empty")]
    Empty,
    #[error("record at position {index} has seq {found}, expected {expected}: a record was deleted, inserted or reordered")]
    SequenceGap { index: usize, expected: u64, found: u64 },
    #[error("record {seq} belongs to investigation {found}, not {expected}")]
    ForeignRecord { seq: u64, expected: String, found: String },
    #[error("record {seq} was changed after it was written: its hash does not match its content")]
    HashMismatch { seq: u64 },
    #[error("record {seq} does not follow record {previous}: its prev_hash is not the hash of the record before it")]
    BrokenLink { seq: u64, previous: u64 },
    #[error("record 0 has prev_hash {0}, expected the genesis hash")]
    BadGenesis(String),
}

/// Summary of a verified chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub records: usize,
    pub head_hash: String,
}

/// Verifies a chain given in `seq` order, and reports at which record it breaks.
pub fn verify_chain(records: &[AuditRecord]) -> Result<ChainSummary, ChainError> {
    let first = records.first().ok_or(ChainError::Empty)?;
    if first.prev_hash != GENESIS_HASH {
        return Err(ChainError::BadGenesis(first.prev_hash.clone()));
    }

    for (index, record) in records.iter().enumerate() {
        let expected_seq = index as u64;
        if record.seq != expected_seq {
            return Err(ChainError::SequenceGap { index, expected: expected_seq, found: record.seq });
        }
        if record.investigation_id != first.investigation_id || record.tenant_id != first.tenant_id {
            return Err(ChainError::ForeignRecord {
                seq: record.seq,
                expected: first.investigation_id.to_string(),
                found: record.investigation_id.to_string(),
            });
        }
        if record.compute_hash() != record.hash {
            return Err(ChainError::HashMismatch { seq: record.seq });
        }
        if index > 0 && record.prev_hash != records[index - 1].hash {
            return Err(ChainError::BrokenLink { seq: record.seq, previous: records[index - 1].seq });
        }
    }

    Ok(ChainSummary { records: records.len(), head_hash: records[records.len() - 1].hash.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(length: usize) -> Vec<AuditRecord> {
        let tenant = TenantId::parse("acme").unwrap();
        let investigation = InvestigationId::for_event(&tenant, "evt");
        let mut records: Vec<AuditRecord> = Vec::new();
        for step in 0..length {
            let event = AuditEvent {
                event_type: AuditEventType::EvidenceCollected,
                actor: format!("agent-{step}"),
                at: Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, step as u32).unwrap(),
                details: json!({"step": step}),
            };
            let record = AuditRecord::next(&tenant, &investigation, records.last(), event);
            records.push(record);
        }
        records
    }

    #[test]
    fn intact_chain_verifies() {
        let records = chain(4);
        let summary = verify_chain(&records).unwrap();
        assert_eq!(summary.records, 4);
        assert_eq!(summary.head_hash, records[3].hash);
    }

    #[test]
    fn changed_record_is_detected() {
        let mut records = chain(4);
        records[2].actor = "someone-else".into();
        assert_eq!(verify_chain(&records), Err(ChainError::HashMismatch { seq: 2 }));
    }

    #[test]
    fn changed_record_with_recomputed_hash_breaks_next_link() {
        let mut records = chain(4);
        records[1].details = json!({"step": 99});
        records[1].hash = records[1].compute_hash();
        assert_eq!(verify_chain(&records), Err(ChainError::BrokenLink { seq: 2, previous: 1 }));
    }

    #[test]
    fn deleted_record_is_detected() {
        let mut records = chain(4);
        records.remove(1);
        assert_eq!(
            verify_chain(&records),
            Err(ChainError::SequenceGap { index: 1, expected: 1, found: 2 })
        );
    }

    #[test]
    fn deleted_last_record_leaves_a_valid_prefix() {
        // NOTE: truncating the tail leaves a valid shorter chain; the audit stream's signed
        // digests are what would reveal it, and they are not built yet.
        let mut records = chain(4);
        records.pop();
        assert_eq!(verify_chain(&records).unwrap().records, 3);
    }

    #[test]
    fn reordered_records_are_detected() {
        let mut records = chain(4);
        records.swap(1, 2);
        assert_eq!(
            verify_chain(&records),
            Err(ChainError::SequenceGap { index: 1, expected: 1, found: 2 })
        );
    }

    #[test]
    fn inserted_record_is_detected() {
        let mut records = chain(3);
        let mut forged = records[1].clone();
        forged.actor = "intruder".into();
        forged.hash = forged.compute_hash();
        records.insert(2, forged);
        assert!(matches!(verify_chain(&records), Err(ChainError::SequenceGap { index: 2, .. })));
    }

    #[test]
    fn empty_chain_is_an_error() {
        assert_eq!(verify_chain(&[]), Err(ChainError::Empty));
    }
}
