//! The investigation report: ranked hypotheses citing evidence, and at most one proposed action.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::action::ProposedAction;
use crate::{InvestigationId, TenantId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    BadDeployment,
    OutOfMemory,
    DependencyFailure,
    Saturation,
    NoAnomaly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub rank: u32,
    pub cause: CauseKind,
    pub title: String,
    /// Between 0 and 1.
    pub confidence: f64,
    pub explanation: String,
    /// Ids of the evidence this hypothesis rests on.
    pub evidence_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub evidence_id: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tenant_id: TenantId,
    pub investigation_id: InvestigationId,
    pub alarm_name: String,
    pub service: String,
    pub onset: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    pub hypotheses: Vec<Hypothesis>,
    pub proposed_action: Option<ProposedAction>,
    pub timeline: Vec<TimelineEntry>,
}

impl Report {
    pub fn top_hypothesis(&self) -> Option<&Hypothesis> {
        self.hypotheses.first()
    }
}
