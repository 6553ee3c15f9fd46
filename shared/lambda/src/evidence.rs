//! The one path by which evidence is stored: ids assigned, every string masked, stored per
//! tenant and investigation, and recorded in the audit trail.

use causeflow_domain::audit::AuditEventType;
use causeflow_domain::evidence::{Evidence, Finding};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::AgentKind;
use causeflow_masking::{MaskCounts, Masker};
use serde::Serialize;
use serde_json::{json, Value};
use tracing::info;

use crate::{Failure, Platform};

/// Output of an agent to the state machine: references, never the evidence itself.
#[derive(Debug, Serialize)]
pub struct EvidenceSummary {
    pub agent: AgentKind,
    pub evidence_ids: Vec<String>,
    pub masked: MaskCounts,
}

/// Masks every string of every finding. This is the single masking call point for evidence.
pub fn mask_evidence(masker: &Masker, evidence: Vec<Evidence>) -> Result<(Vec<Evidence>, MaskCounts), Failure> {
    let mut counts = MaskCounts::new();
    let mut masked = Vec::with_capacity(evidence.len());
    for item in evidence {
        let mut value = serde_json::to_value(&item).map_err(|error| Failure::new("InternalError", error.to_string()))?;
        mask_strings(masker, &mut value, &mut counts);
        let item: Evidence = serde_json::from_value(value)
            .map_err(|error| Failure::new("InternalError", format!("masked evidence no longer decodes: {error}")))?;
        masked.push(item);
    }
    Ok((masked, counts))
}

fn mask_strings(masker: &Masker, value: &mut Value, counts: &mut MaskCounts) {
    match value {
        Value::String(text) => {
            let result = masker.mask_text(text);
            for (kind, count) in result.counts {
                *counts.entry(kind).or_default() += count;
            }
            *text = result.value;
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask_strings(masker, item, counts)),
        Value::Object(map) => map.values_mut().for_each(|item| mask_strings(masker, item, counts)),
        _ => {}
    }
}

/// Numbers the findings, masks them, stores them and records `evidence.collected`.
pub async fn store_evidence(
    platform: &Platform,
    investigation: &Investigation,
    agent: AgentKind,
    actor: &str,
    findings: Vec<Finding>,
) -> Result<Value, Failure> {
    let prefix = agent.short_name();
    let evidence: Vec<Evidence> = findings
        .into_iter()
        .enumerate()
        .map(|(index, finding)| Evidence { id: format!("{prefix}-{}", index + 1), agent, finding })
        .collect();
    let (evidence, masked) = mask_evidence(&platform.masker, evidence)?;
    let evidence_ids: Vec<String> = evidence.iter().map(|item| item.id.clone()).collect();

    platform
        .investigations
        .put_evidence(&investigation.tenant_id, &investigation.investigation_id, agent, &evidence)
        .await?;
    platform
        .record(investigation, AuditEventType::EvidenceCollected, actor, json!({"agent": agent, "evidence_ids": evidence_ids, "masked": masked}))
        .await?;
    info!(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id, agent = agent.as_str(), findings = evidence_ids.len(), "collected evidence");
    crate::encode_output(&EvidenceSummary { agent, evidence_ids, masked })
}
