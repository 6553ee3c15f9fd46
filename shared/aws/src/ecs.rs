//! ECS: reads a service, its deployments, task definitions and stopped tasks, and (for the
//! remediator only) registers a task definition revision and updates the service.

use aws_sdk_ecs::types::{ContainerDefinition, Tag, TaskDefinitionField};
use causeflow_domain::infra::{
    ContainerSnapshot, DeploymentSnapshot, ServiceSnapshot, StoppedContainer, StoppedTask, TaskDefinitionSnapshot,
};
use chrono::{DateTime, Utc};
use tracing::{info, warn};

use crate::error::classify;
use crate::AwsError;

/// DescribeTasks accepts at most 100 task ARNs per call.
const DESCRIBE_TASKS_BATCH: usize = 100;
/// Stopped tasks stay visible for about an hour; the newest ones are enough to see a pattern.
const MAX_STOPPED_TASKS: usize = 100;
/// Prefix of the tag keys AWS reserves for its own use, such as CloudFormation's
/// `aws:cloudformation:stack-name`. Tags with it are not copied to a new revision.
const RESERVED_TAG_PREFIX: &str = "aws:";

/// A task definition revision and its tags as DescribeTaskDefinition returns them, from which
/// [`Ecs::register_revision`] builds a new revision. It has a family, which
/// [`Ecs::revision_template`] checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionTemplate {
    definition: aws_sdk_ecs::types::TaskDefinition,
    tags: Vec<Tag>,
}

impl RevisionTemplate {
    /// Returns the ARN of the described revision, or an empty string when ECS returned none.
    pub fn arn(&self) -> &str {
        self.definition.task_definition_arn().unwrap_or_default()
    }
}

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

/// Converts a count or size for a request field that ECS types as a 32-bit signed integer.
fn to_request_int(value: u32, operation: &'static str, field: &str) -> Result<i32, AwsError> {
    i32::try_from(value).map_err(|_| AwsError::Permanent {
        service: "ecs",
        operation,
        message: format!("{field} {value} is larger than ECS accepts (at most {})", i32::MAX),
    })
}

/// Maps an empty list to an absent field, as RegisterTaskDefinition treats both the same.
fn non_empty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

fn is_reserved_tag(tag: &Tag) -> bool {
    tag.key().is_some_and(|key| key.to_ascii_lowercase().starts_with(RESERVED_TAG_PREFIX))
}

/// Copies `containers` with the memory limit of the one named `container` set to `memory_mib`.
/// Errors, naming the container and the ones present, when no container has that name.
fn with_container_memory(
    containers: &[ContainerDefinition],
    container: &str,
    memory_mib: i32,
    task_definition: &str,
) -> Result<Vec<ContainerDefinition>, AwsError> {
    if !containers.iter().any(|definition| definition.name() == Some(container)) {
        let names: Vec<&str> = containers.iter().filter_map(ContainerDefinition::name).collect();
        return Err(AwsError::Permanent {
            service: "ecs",
            operation: "RegisterTaskDefinition",
            message: format!(
                "container `{container}` not found in task definition {task_definition} (its containers: {}); no revision was registered",
                names.join(", ")
            ),
        });
    }

    let mut changed = containers.to_vec();
    for definition in changed.iter_mut().filter(|definition| definition.name() == Some(container)) {
        if let Some(reservation) = definition.memory_reservation().filter(|reservation| *reservation > memory_mib) {
            // NOTE: ECS requires `memory` to be greater than `memoryReservation`, so it may reject
            // this revision. The reservation is the customer's setting and is left unchanged.
            warn!(container, memory_reservation_mib = reservation, memory_mib, "memory reservation is above the new memory limit");
        }
        definition.memory = Some(memory_mib);
    }
    Ok(changed)
}

/// Returns the id of the service's PRIMARY deployment in an UpdateService response, or an
/// empty string when the response lists none.
fn primary_deployment_id(output: &aws_sdk_ecs::operation::update_service::UpdateServiceOutput) -> String {
    output
        .service()
        .and_then(|service| service.deployments().iter().find(|deployment| deployment.status() == Some("PRIMARY")))
        .and_then(|deployment| deployment.id())
        .unwrap_or_default()
        .to_string()
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
        let deployment = primary_deployment_id(&output);
        info!(deployment, "updated ECS service");
        Ok(deployment)
    }

    /// Sets the service's desired task count and returns the id of the service's PRIMARY
    /// deployment after the update, or an empty string when the response lists none.
    #[tracing::instrument(skip_all, fields(cluster = %cluster, service = %service, desired_count))]
    pub async fn update_service_desired_count(&self, cluster: &str, service: &str, desired_count: u32) -> Result<String, AwsError> {
        let desired = to_request_int(desired_count, "UpdateService", "desired count")?;
        let output = self
            .client
            .update_service()
            .cluster(cluster)
            .service(service)
            .desired_count(desired)
            .send()
            .await
            .map_err(|error| classify("ecs", "UpdateService", error))?;
        let deployment = primary_deployment_id(&output);
        info!(deployment, "updated ECS service desired count");
        Ok(deployment)
    }

    /// Registers a revision of `task_definition`'s family that differs from it only in the
    /// memory limit of `container`, in MiB, and returns the new revision's ARN.
    ///
    /// Combines [`Ecs::revision_template`] and [`Ecs::register_revision`] with one set of
    /// credentials, which needs `ecs:DescribeTaskDefinition` as well as what registering needs.
    /// The remediator's session policy grants no Describe action, so the remediator reads the
    /// template with the infra inspector's credentials and calls the two steps itself.
    #[tracing::instrument(skip_all, fields(task_definition = %task_definition, container = %container, memory_mib))]
    pub async fn register_memory_revision(&self, task_definition: &str, container: &str, memory_mib: u32) -> Result<String, AwsError> {
        let template = self.revision_template(task_definition).await?;
        self.register_revision(&template, container, memory_mib).await
    }

    /// Describes `task_definition` (an ARN or `family:revision`) with its tags, as the input of
    /// [`Ecs::register_revision`].
    #[tracing::instrument(skip_all, fields(task_definition = %task_definition))]
    pub async fn revision_template(&self, task_definition: &str) -> Result<RevisionTemplate, AwsError> {
        let described = self
            .client
            .describe_task_definition()
            .task_definition(task_definition)
            .include(TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(|error| classify("ecs", "DescribeTaskDefinition", error))?;
        let definition = described.task_definition().ok_or(AwsError::MissingField {
            service: "ecs",
            operation: "DescribeTaskDefinition",
            field: "taskDefinition",
        })?;
        if definition.family().is_none() {
            return Err(AwsError::MissingField {
                service: "ecs",
                operation: "DescribeTaskDefinition",
                field: "taskDefinition.family",
            });
        }
        Ok(RevisionTemplate { definition: definition.clone(), tags: described.tags().to_vec() })
    }

    /// Registers a revision of the template's family that differs from it only in the memory
    /// limit of `container`, in MiB, and returns the new revision's ARN. Errors before any call
    /// when the template has no container of that name.
    ///
    /// Every field RegisterTaskDefinition accepts is copied from the template, and so are its
    /// tags except those AWS reserves. Inference accelerators are not copied, because the SDK
    /// marks them deprecated (Elastic Inference is no longer available). The task-level
    /// `memory` is copied unchanged, so ECS rejects the revision when the new limit does not fit
    /// in it. Needs `ecs:RegisterTaskDefinition`, `iam:PassRole` on the task and execution
    /// roles, and `ecs:TagResource` when the revision has tags.
    // NOTE: the remediator's session policy (`causeflow_domain::policy`) does not grant
    // `ecs:TagResource`, so under it AWS denies the registration of a revision with tags.
    #[tracing::instrument(skip_all, fields(task_definition = %template.arn(), container = %container, memory_mib))]
    pub async fn register_revision(&self, template: &RevisionTemplate, container: &str, memory_mib: u32) -> Result<String, AwsError> {
        let memory = to_request_int(memory_mib, "RegisterTaskDefinition", "memory limit in MiB")?;
        let current = &template.definition;
        let containers = with_container_memory(current.container_definitions(), container, memory, template.arn())?;
        let tags: Vec<Tag> = template.tags.iter().filter(|tag| !is_reserved_tag(tag)).cloned().collect();

        let registered = self
            .client
            .register_task_definition()
            .set_family(current.family().map(str::to_string))
            .set_task_role_arn(current.task_role_arn().map(str::to_string))
            .set_execution_role_arn(current.execution_role_arn().map(str::to_string))
            .set_network_mode(current.network_mode().cloned())
            .set_container_definitions(Some(containers))
            .set_volumes(non_empty(current.volumes()))
            .set_placement_constraints(non_empty(current.placement_constraints()))
            .set_requires_compatibilities(non_empty(current.requires_compatibilities()))
            .set_cpu(current.cpu().map(str::to_string))
            .set_memory(current.memory().map(str::to_string))
            .set_tags(non_empty(&tags))
            .set_pid_mode(current.pid_mode().cloned())
            .set_ipc_mode(current.ipc_mode().cloned())
            .set_proxy_configuration(current.proxy_configuration().cloned())
            .set_ephemeral_storage(current.ephemeral_storage().cloned())
            .set_runtime_platform(current.runtime_platform().cloned())
            .set_enable_fault_injection(current.enable_fault_injection())
            .send()
            .await
            .map_err(|error| classify("ecs", "RegisterTaskDefinition", error))?;
        let arn = registered
            .task_definition()
            .and_then(|definition| definition.task_definition_arn())
            .ok_or(AwsError::MissingField {
                service: "ecs",
                operation: "RegisterTaskDefinition",
                field: "taskDefinition.taskDefinitionArn",
            })?
            .to_string();
        info!(previous = template.arn(), registered = %arn, "registered task definition revision with a new memory limit");
        Ok(arn)
    }
}
