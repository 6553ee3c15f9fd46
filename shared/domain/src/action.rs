//! The typed remediation an analysis may propose, and its digest, which binds an approval to
//! exactly one action.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical_json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProposedAction {
    /// Point the service back at the task definition it ran before the bad deployment.
    RollbackService {
        cluster: String,
        service: String,
        from_task_definition: String,
        to_task_definition: String,
    },
    /// Register a revision of the task definition with a higher memory limit and deploy it.
    RaiseMemoryLimit {
        cluster: String,
        service: String,
        task_definition: String,
        container: String,
        from_mib: u32,
        to_mib: u32,
        /// The roles the task definition names, which the new revision passes again. They
        /// are part of the digest, so the approver approves exactly these.
        #[serde(default)]
        pass_roles: Vec<String>,
    },
    /// Raise the desired count of tasks.
    ScaleOut { cluster: String, service: String, from_count: u32, to_count: u32 },
}

impl ProposedAction {
    pub fn cluster(&self) -> &str {
        match self {
            ProposedAction::RollbackService { cluster, .. }
            | ProposedAction::RaiseMemoryLimit { cluster, .. }
            | ProposedAction::ScaleOut { cluster, .. } => cluster,
        }
    }

    pub fn service(&self) -> &str {
        match self {
            ProposedAction::RollbackService { service, .. }
            | ProposedAction::RaiseMemoryLimit { service, .. }
            | ProposedAction::ScaleOut { service, .. } => service,
        }
    }

    /// Tells whether running it needs `ecs:RegisterTaskDefinition`.
    pub fn registers_task_definition(&self) -> bool {
        matches!(self, ProposedAction::RaiseMemoryLimit { .. })
    }

    /// Returns the IAM roles running the action passes to ECS, empty unless it registers a revision.
    pub fn pass_roles(&self) -> &[String] {
        match self {
            ProposedAction::RaiseMemoryLimit { pass_roles, .. } => pass_roles,
            _ => &[],
        }
    }

    /// SHA-256 over the canonical JSON of the action.
    pub fn digest(&self) -> ActionDigest {
        let value = serde_json::to_value(self).unwrap_or_default();
        let digest = Sha256::digest(to_canonical_json(&value).as_bytes());
        ActionDigest(hex::encode(digest))
    }

    /// Describes the action in one line a person reads, such as
    /// `roll back ECS service checkout on cluster prod from checkout:2 to checkout:1`.
    pub fn describe(&self) -> String {
        match self {
            ProposedAction::RollbackService { cluster, service, from_task_definition, to_task_definition } => {
                format!("roll back ECS service {service} on cluster {cluster} from {from_task_definition} to {to_task_definition}")
            }
            ProposedAction::RaiseMemoryLimit { cluster, service, container, from_mib, to_mib, .. } => {
                format!("raise the memory limit of container {container} in ECS service {service} on cluster {cluster} from {from_mib} MiB to {to_mib} MiB")
            }
            ProposedAction::ScaleOut { cluster, service, from_count, to_count } => {
                format!("scale ECS service {service} on cluster {cluster} out from {from_count} to {to_count} tasks")
            }
        }
    }
}

/// Hex SHA-256 of an action's canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActionDigest(String);

impl ActionDigest {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollback(to: &str) -> ProposedAction {
        ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "checkout:8".into(),
            to_task_definition: to.into(),
        }
    }

    #[test]
    fn digest_binds_every_field() {
        assert_eq!(rollback("checkout:7").digest(), rollback("checkout:7").digest());
        assert_ne!(rollback("checkout:7").digest(), rollback("checkout:6").digest());
        assert_eq!(rollback("checkout:7").digest().as_str().len(), 64);
    }
}
