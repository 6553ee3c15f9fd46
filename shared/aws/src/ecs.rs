//! ECS: reads a service, its deployments, task definitions and stopped tasks, and (for the
//! remediator only) updates the service.

use causeflow_domain::infra::{
    ContainerSnapshot, DeploymentSnapshot, ServiceSnapshot, StoppedContainer, StoppedTask, TaskDefinitionSnapshot,
};
use chrono::{DateTime, Utc};
use tracing::info;

use crate::error::classify;
use crate::AwsError;

/// DescribeTasks accepts at most 100 task ARNs per call.
const DESCRIBE_TASKS_BATCH: usize = 100;
/// Stopped tasks stay visible for about an hour; the newest ones are enough to see a pattern.
const MAX_STOPPED_TASKS: usize = 100;

#[derive(Clone)]
pub struct Ecs {
    client: aws_sdk_ecs::Client,
}

fn to_utc(time: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    time.and_then(|time| DateTime::<Utc>::from_timestamp(time.secs(), time.subsec_nanos()))
}

fn positive(value: i32) -> Option<u32> {
    u32::try_from(value).ok().filter(|value| *value > 0)
}

impl Ecs {
    pub fn new(config: &aws_config::SdkConfig) -> Ecs {
        Ecs { client: aws_sdk_ecs::Client::new(config) }
    }

    #[tracing::instrument(skip_all, fields(cluster = %cluster, service = %service))]
    pub async fn describe_service(&self, cluster: &str, service: &str) -> Result<ServiceSnapshot, AwsError> {
        let output = self
            .client
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|error| classify("ecs", "DescribeServices", error))?;
        let found = output.services().first().ok_or_else(|| AwsError::Permanent {
            service: "ecs",
            operation: "DescribeServices",
            message: format!("service {service} not found in cluster {cluster}"),
        })?;
        let deployments = found
            .deployments()
            .iter()
            .filter_map(|deployment| {
                Some(DeploymentSnapshot {
                    id: deployment.id()?.to_string(),
                    status: deployment.status().unwrap_or("UNKNOWN").to_string(),
                    task_definition_arn: deployment.task_definition()?.to_string(),
                    created_at: to_utc(deployment.created_at())?,
                })
            })
            .collect();
        info!("described ECS service");
        Ok(ServiceSnapshot {
            cluster: cluster.to_string(),
            service: service.to_string(),
            service_arn: found.service_arn().unwrap_or_default().to_string(),
            task_definition_arn: found.task_definition().unwrap_or_default().to_string(),
            desired_count: found.desired_count().max(0) as u32,
            running_count: found.running_count().max(0) as u32,
            deployments,
        })
    }

    #[tracing::instrument(skip_all, fields(task_definition = %task_definition))]
    pub async fn describe_task_definition(&self, task_definition: &str) -> Result<TaskDefinitionSnapshot, AwsError> {
        let output = self
            .client
            .describe_task_definition()
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|error| classify("ecs", "DescribeTaskDefinition", error))?;
        let definition = output.task_definition().ok_or(AwsError::MissingField {
            service: "ecs",
            operation: "DescribeTaskDefinition",
            field: "taskDefinition",
        })?;
        let containers = definition
            .container_definitions()
            .iter()
            .map(|container| ContainerSnapshot {
                name: container.name().unwrap_or_default().to_string(),
                image: container.image().unwrap_or_default().to_string(),
                memory_mib: container.memory().and_then(positive),
                memory_reservation_mib: container.memory_reservation().and_then(positive),
                cpu_units: positive(container.cpu()),
                command: container.command().to_vec(),
                environment_names: container.environment().iter().filter_map(|pair| pair.name().map(str::to_string)).collect(),
            })
            .collect();
        Ok(TaskDefinitionSnapshot {
            arn: definition.task_definition_arn().unwrap_or_default().to_string(),
            family_revision: format!("{}:{}", definition.family().unwrap_or_default(), definition.revision()),
            task_memory: definition.memory().map(str::to_string),
            task_cpu: definition.cpu().map(str::to_string),
            task_role_arn: definition.task_role_arn().map(str::to_string),
            execution_role_arn: definition.execution_role_arn().map(str::to_string),
            containers,
        })
    }

    /// Lists the service's stopped tasks, newest first, at most [`MAX_STOPPED_TASKS`].
    #[tracing::instrument(skip_all, fields(cluster = %cluster, service = %service))]
    pub async fn stopped_tasks(&self, cluster: &str, service: &str) -> Result<Vec<StoppedTask>, AwsError> {
        let listed = self
            .client
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
            .send()
            .await
            .map_err(|error| classify("ecs", "ListTasks", error))?;
        let arns: Vec<String> = listed.task_arns().iter().take(MAX_STOPPED_TASKS).cloned().collect();
        let mut tasks = Vec::new();
        for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
            let described = self
                .client
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|error| classify("ecs", "DescribeTasks", error))?;
            for task in described.tasks() {
                tasks.push(StoppedTask {
                    task_arn: task.task_arn().unwrap_or_default().to_string(),
                    task_definition_arn: task.task_definition_arn().unwrap_or_default().to_string(),
                    stopped_reason: task.stopped_reason().unwrap_or_default().to_string(),
                    stopped_at: to_utc(task.stopped_at()),
                    containers: task
                        .containers()
                        .iter()
                        .map(|container| StoppedContainer {
                            name: container.name().unwrap_or_default().to_string(),
                            exit_code: container.exit_code(),
                            reason: container.reason().map(str::to_string),
                        })
                        .collect(),
                });
            }
        }
        info!(stopped = tasks.len(), "described stopped tasks");
        Ok(tasks)
    }

    /// EC2 instance ids behind the service's running tasks (none on Fargate).
    #[tracing::instrument(skip_all, fields(cluster = %cluster, service = %service))]
    pub async fn instance_ids(&self, cluster: &str, service: &str) -> Result<Vec<String>, AwsError> {
        let listed = self
            .client
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .send()
            .await
            .map_err(|error| classify("ecs", "ListTasks", error))?;
        if listed.task_arns().is_empty() {
            return Ok(Vec::new());
        }
        let described = self
            .client
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(listed.task_arns().iter().take(DESCRIBE_TASKS_BATCH).cloned().collect()))
            .send()
            .await
            .map_err(|error| classify("ecs", "DescribeTasks", error))?;
        let mut container_instances: Vec<String> =
            described.tasks().iter().filter_map(|task| task.container_instance_arn().map(str::to_string)).collect();
        container_instances.sort();
        container_instances.dedup();
        if container_instances.is_empty() {
            return Ok(Vec::new());
        }
        let instances = self
            .client
            .describe_container_instances()
            .cluster(cluster)
            .set_container_instances(Some(container_instances))
            .send()
            .await
            .map_err(|error| classify("ecs", "DescribeContainerInstances", error))?;
        Ok(instances.container_instances().iter().filter_map(|instance| instance.ec2_instance_id().map(str::to_string)).collect())
    }

    /// Points the service at `task_definition` and returns the id of the deployment started.
    #[tracing::instrument(skip_all, fields(cluster = %cluster, service = %service, task_definition = %task_definition))]
    pub async fn update_service_task_definition(&self, cluster: &str, service: &str, task_definition: &str) -> Result<String, AwsError> {
        let output = self
            .client
            .update_service()
            .cluster(cluster)
            .service(service)
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|error| classify("ecs", "UpdateService", error))?;
        let deployment = output
            .service()
            .and_then(|service| service.deployments().iter().find(|deployment| deployment.status() == Some("PRIMARY")))
            .and_then(|deployment| deployment.id())
            .unwrap_or_default()
            .to_string();
        info!(deployment, "updated ECS service");
        Ok(deployment)
    }
}
