//! Performing one approved change, after confirming the service still is where the approver
//! saw it. Reads go through the inspector session and writes through the remediator session.

use aws_config::SdkConfig;
use causeflow_aws::ecs::Ecs;
use causeflow_domain::action::ProposedAction;
use causeflow_domain::infra::family_revision;
use causeflow_lambda::Failure;
use serde::Serialize;

/// Error name when the service moved on since the approval, so the approved change no longer
/// describes what would happen.
pub const SERVICE_CHANGED: &str = "ServiceChangedSinceApproval";

/// The result of a change: the deployment it started and the new state.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Applied {
    pub deployment_id: String,
    /// The task definition the service now deploys (`family:revision`), for a rollback or a
    /// new revision.
    pub task_definition: Option<String>,
    /// The new memory limit of the container, for a raised limit.
    pub memory_mib: Option<u32>,
    pub desired_count: Option<u32>,
}

pub(crate) async fn apply(action: &ProposedAction, inspector: &SdkConfig, remediator: &SdkConfig) -> Result<Applied, Failure> {
    let reader = Ecs::new(inspector);
    let writer = Ecs::new(remediator);
    let cluster = action.cluster();
    let service = action.service();
    let current = reader.describe_service(cluster, service).await?;

    match action {
        ProposedAction::RollbackService { from_task_definition, to_task_definition, .. } => {
            ensure_revision(&current.task_definition_arn, from_task_definition, service)?;
            let deployment_id = writer.update_service_task_definition(cluster, service, to_task_definition).await?;
            Ok(Applied { deployment_id, task_definition: Some(family_revision(to_task_definition)), memory_mib: None, desired_count: None })
        }
        ProposedAction::RaiseMemoryLimit { task_definition, container, to_mib, .. } => {
            ensure_revision(&current.task_definition_arn, task_definition, service)?;
            let template = reader.revision_template(task_definition).await?;
            let revision = writer.register_revision(&template, container, *to_mib).await?;
            let deployment_id = writer.update_service_task_definition(cluster, service, &revision).await?;
            Ok(Applied { deployment_id, task_definition: Some(family_revision(&revision)), memory_mib: Some(*to_mib), desired_count: None })
        }
        ProposedAction::ScaleOut { from_count, to_count, .. } => {
            if current.desired_count != *from_count {
                return Err(changed(service, &format!("its desired count is {}, not the approved {from_count}", current.desired_count)));
            }
            let deployment_id = writer.update_service_desired_count(cluster, service, *to_count).await?;
            Ok(Applied { deployment_id, task_definition: None, memory_mib: None, desired_count: Some(*to_count) })
        }
    }
}

/// Checks that the service runs `expected`, given as an ARN or as `family:revision`.
fn ensure_revision(current_arn: &str, expected: &str, service: &str) -> Result<(), Failure> {
    if family_revision(current_arn) == family_revision(expected) {
        Ok(())
    } else {
        Err(changed(service, &format!("it runs {current_arn}, not the approved {expected}")))
    }
}

fn changed(service: &str, detail: &str) -> Failure {
    Failure::new(SERVICE_CHANGED, format!("ECS service {service} changed since the approval, so nothing was changed: {detail}; investigate again"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_matches_arn_or_short_form() {
        let arn = "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:8";
        assert!(ensure_revision(arn, "checkout:8", "checkout").is_ok());
        assert!(ensure_revision(arn, arn, "checkout").is_ok());
        let error = ensure_revision(arn, "checkout:7", "checkout").unwrap_err();
        assert_eq!(error.error_type, SERVICE_CHANGED);
    }
}
