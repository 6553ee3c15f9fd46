//! A tenant's registration: which customer account and region it covers, the roles each agent
//! assumes there, and the services CauseFlow may investigate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::alarm::AlarmEvent;
use crate::approval::ApprovalConfig;
use crate::{AgentKind, TenantId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantConfig {
    pub tenant_id: TenantId,
    pub account_id: String,
    pub region: String,
    /// The ExternalId the customer's role trust policies require, against the confused deputy.
    pub external_id: String,
    /// The role each agent assumes in the customer account.
    pub agent_roles: BTreeMap<AgentKind, String>,
    /// The role `revoke` assumes to update the revocation policy.
    pub revoker_role_arn: String,
    /// The customer-managed policy, attached to every agent role, that denies revoked sessions.
    pub revocation_policy_arn: String,
    pub services: Vec<ServiceConfig>,
    /// The approvers of proposed actions and their Slack workspace. Without it, a proposed
    /// action is reported and never run.
    #[serde(default)]
    pub approval: Option<ApprovalConfig>,
}

/// One service CauseFlow may investigate: its ECS service and where its logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfig {
    pub name: String,
    pub cluster: String,
    pub service: String,
    pub log_groups: Vec<String>,
    /// Alarms that belong to this service, for alarms whose dimensions do not name it
    /// (composite alarms, load balancer metrics).
    #[serde(default)]
    pub alarm_names: Vec<String>,
    /// Metrics that describe the service beside its ECS CPU and memory, such as its load
    /// balancer's request count and latency. A composite alarm names no metric, so these are
    /// what the metric analyst reads for it.
    #[serde(default)]
    pub related_metrics: Vec<RelatedMetric>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedMetric {
    pub namespace: String,
    pub name: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
}

impl TenantConfig {
    /// Finds the service an alarm is about: by name, then by the ECS `ServiceName` dimension.
    pub fn service_for_alarm(&self, alarm: &AlarmEvent) -> Option<&ServiceConfig> {
        self.services
            .iter()
            .find(|service| service.alarm_names.iter().any(|name| name == &alarm.alarm_name))
            .or_else(|| {
                self.services.iter().find(|service| {
                    alarm.metrics.iter().any(|metric| {
                        metric.dimensions.get("ServiceName") == Some(&service.service)
                    })
                })
            })
    }

    pub fn role_for(&self, agent: AgentKind) -> Option<&str> {
        self.agent_roles.get(&agent).map(String::as_str)
    }
}
