//! `infra_inspector`: the ECS service, its recent deployment and what it changed, its stopped
//! tasks and why they stopped, and the EC2 instances behind it where there are any.

use std::collections::BTreeMap;

use causeflow_aws::ec2::Ec2;
use causeflow_aws::ecs::Ecs;
use causeflow_domain::evidence::{DeploymentFinding, Ec2InstancesFinding, Finding, ServiceStateFinding};
use causeflow_domain::infra::{diff_task_definitions, family_revision, summarize_stopped_tasks, ServiceSnapshot};
use causeflow_domain::AgentKind;
use causeflow_lambda::{start_agent, store_evidence, Failure, Platform};
use serde_json::Value;

pub const FUNCTION_NAME: &str = "infra_inspector";
const AGENT: AgentKind = AgentKind::InfraInspector;

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let (investigation, config) = start_agent(platform, input, AGENT, FUNCTION_NAME).await?;
    let ecs = Ecs::new(&config);
    let ec2 = Ec2::new(&config);
    let cluster = &investigation.service.cluster;
    let service_name = &investigation.service.service;

    let service = ecs.describe_service(cluster, service_name).await?;
    let current = ecs.describe_task_definition(&service.task_definition_arn).await?;
    let mut findings = Vec::new();

    if let Some(deployment) = current_deployment(&ecs, &service, &current).await? {
        findings.push(Finding::Deployment(deployment));
    }

    let stopped = ecs.stopped_tasks(cluster, service_name).await?;
    findings.extend(summarize_stopped_tasks(&stopped).into_iter().map(Finding::StoppedTasks));

    let container_memory_mib: BTreeMap<String, u32> = current
        .containers
        .iter()
        .filter_map(|container| container.memory_mib.or(container.memory_reservation_mib).map(|memory| (container.name.clone(), memory)))
        .collect();
    findings.push(Finding::ServiceState(ServiceStateFinding {
        cluster: cluster.clone(),
        service: service_name.clone(),
        service_arn: service.service_arn.clone(),
        task_definition: current.family_revision.clone(),
        desired_count: service.desired_count,
        running_count: service.running_count,
        container_memory_mib,
        task_definition_roles: current.task_role_arn.iter().chain(current.execution_role_arn.iter()).cloned().collect(),
    }));

    let instance_ids = ecs.instance_ids(cluster, service_name).await?;
    let instances = ec2.describe_instances(&instance_ids).await?;
    if !instances.is_empty() {
        findings.push(Finding::Ec2Instances(Ec2InstancesFinding { instances }));
    }

    store_evidence(platform, &investigation, AGENT, FUNCTION_NAME, findings).await
}

/// Finds the deployment that put the current task definition in place, with what it changed.
/// Returns None when the service still runs the only revision it was created with.
async fn current_deployment(
    ecs: &Ecs,
    service: &ServiceSnapshot,
    current: &causeflow_domain::infra::TaskDefinitionSnapshot,
) -> Result<Option<DeploymentFinding>, Failure> {
    let current_name = family_revision(&current.arn);
    let Some(primary) = service
        .deployments
        .iter()
        .find(|deployment| family_revision(&deployment.task_definition_arn) == current_name)
    else {
        return Ok(None);
    };

    // The deployment being replaced is still listed while it drains. Once it is gone, the
    // family's previous revision is the best record of what ran before.
    let previous_name = service
        .deployments
        .iter()
        .find(|deployment| deployment.id != primary.id && family_revision(&deployment.task_definition_arn) != current_name)
        .map(|deployment| family_revision(&deployment.task_definition_arn))
        .or_else(|| previous_revision(&current_name));
    let Some(previous_name) = previous_name else { return Ok(None) };
    let previous = match ecs.describe_task_definition(&previous_name).await {
        Ok(previous) => previous,
        // No earlier revision: the service was created with this one, nothing was replaced.
        Err(_) => return Ok(None),
    };

    Ok(Some(DeploymentFinding {
        cluster: service.cluster.clone(),
        service: service.service.clone(),
        deployment_id: primary.id.clone(),
        status: primary.status.clone(),
        task_definition: current_name,
        previous_task_definition: Some(previous.family_revision.clone()),
        started_at: primary.created_at,
        changes: diff_task_definitions(&previous, current),
    }))
}

fn previous_revision(family_revision: &str) -> Option<String> {
    let (family, revision) = family_revision.rsplit_once(':')?;
    let revision: u32 = revision.parse().ok()?;
    (revision > 1).then(|| format!("{family}:{}", revision - 1))
}
