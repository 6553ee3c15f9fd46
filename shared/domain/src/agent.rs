//! The agents that receive scoped credentials.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentKind {
    LogAnalyst,
    MetricAnalyst,
    InfraInspector,
    Remediator,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown agent `{0}`: expected one of log_analyst, metric_analyst, infra_inspector, remediator")]
pub struct UnknownAgent(pub String);

impl AgentKind {
    pub const ALL: [AgentKind; 4] = [
        AgentKind::LogAnalyst,
        AgentKind::MetricAnalyst,
        AgentKind::InfraInspector,
        AgentKind::Remediator,
    ];

    /// The agents that gather evidence and never change anything.
    pub const READ_ONLY: [AgentKind; 3] =
        [AgentKind::LogAnalyst, AgentKind::MetricAnalyst, AgentKind::InfraInspector];

    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::LogAnalyst => "log_analyst",
            AgentKind::MetricAnalyst => "metric_analyst",
            AgentKind::InfraInspector => "infra_inspector",
            AgentKind::Remediator => "remediator",
        }
    }

    /// Returns the short form used in STS session names, which are limited to 64 characters.
    pub fn short_name(self) -> &'static str {
        match self {
            AgentKind::LogAnalyst => "logs",
            AgentKind::MetricAnalyst => "metrics",
            AgentKind::InfraInspector => "infra",
            AgentKind::Remediator => "remediate",
        }
    }
}

impl FromStr for AgentKind {
    type Err = UnknownAgent;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        AgentKind::ALL
            .into_iter()
            .find(|agent| agent.as_str() == raw)
            .ok_or_else(|| UnknownAgent(raw.to_string()))
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
