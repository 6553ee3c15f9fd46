//! Findings of the agents, as typed values. Every string of a finding is masked before it is
//! stored (`causeflow_lambda::store_evidence`), so the evidence store contains no PII.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AgentKind;

/// One finding, with the id the report cites it by (for example `logs-3`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: String,
    pub agent: AgentKind,
    pub finding: Finding,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Finding {
    LogTemplate(LogTemplateFinding),
    MetricChange(MetricChangeFinding),
    Deployment(DeploymentFinding),
    StoppedTasks(StoppedTasksFinding),
    ServiceState(ServiceStateFinding),
    Ec2Instances(Ec2InstancesFinding),
}

impl Finding {
    /// When the finding began, for placing it on the investigation's timeline.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Finding::LogTemplate(finding) => Some(finding.first_seen),
            Finding::MetricChange(finding) => finding.changed_at,
            Finding::Deployment(finding) => Some(finding.started_at),
            Finding::StoppedTasks(finding) => finding.first_stopped_at,
            Finding::ServiceState(_) | Finding::Ec2Instances(_) => None,
        }
    }
}

/// A group of log messages that share a template (variable parts replaced by `<*>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogTemplateFinding {
    pub template: String,
    /// Occurrences in the baseline window, before the alarm's onset minus the grace period.
    pub count_before: u64,
    /// Occurrences from then until the end of the window.
    pub count_after: u64,
    pub first_seen: DateTime<Utc>,
    /// True when the template never appeared in the baseline window.
    pub is_new: bool,
    pub log_group: String,
    /// One masked example message.
    pub sample: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeDirection {
    Up,
    Down,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricChangeFinding {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    /// True for the metric the alarm itself watches.
    pub is_alarm_metric: bool,
    /// Mean over the baseline window.
    pub baseline: f64,
    /// Extreme value after the change (the maximum for `up`, the minimum for `down`).
    pub peak: f64,
    pub direction: ChangeDirection,
    /// First datapoint that left the baseline band, if any did.
    pub changed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentFinding {
    pub cluster: String,
    pub service: String,
    pub deployment_id: String,
    pub status: String,
    pub task_definition: String,
    pub previous_task_definition: Option<String>,
    pub started_at: DateTime<Utc>,
    /// Changes between the previous and the new task definition, one line per change,
    /// such as `container api image: repo/api:1.4.2 -> repo/api:1.5.0`.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedTasksFinding {
    pub task_definition: String,
    pub count: u32,
    pub stopped_reason: String,
    pub container_reasons: Vec<String>,
    pub exit_codes: Vec<i32>,
    pub out_of_memory: bool,
    pub first_stopped_at: Option<DateTime<Utc>>,
    pub last_stopped_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStateFinding {
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    pub task_definition: String,
    pub desired_count: u32,
    pub running_count: u32,
    /// Memory limit of each container of the current task definition, in MiB.
    pub container_memory_mib: BTreeMap<String, u32>,
    /// ARNs of the IAM roles the current task definition names (task role and execution
    /// role). A revision registered from it passes the same roles.
    #[serde(default)]
    pub task_definition_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2InstancesFinding {
    pub instances: Vec<Ec2InstanceSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2InstanceSummary {
    pub instance_id: String,
    pub instance_type: String,
    pub state: String,
}
