//! Scenarios: an incident in AWS's own formats (alarm event, log events, metric data, ECS
//! state), loaded into a simulated customer account in moto.
//!
//! Files under `scenarios/<name>/`: `scenario.json` (what happened and what a good
//! investigator concludes), `alarm-event.json`, `logs.json` (PutLogEvents shape),
//! `metrics.json` (PutMetricData shape), `ecs.json` and, for a service on EC2 capacity,
//! `ec2.json` (the instances, each with `InstanceType` and `Tags`). Times in the files sit around a fixed
//! reference. moto stamps ECS changes with the time of the call, so loading shifts every
//! other time by the same offset to keep them at the scenario's `reference_time`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_config::SdkConfig;
use aws_smithy_types::DateTime as SmithyDateTime;
use causeflow_domain::revocation::RevocationList;
use causeflow_domain::approval::{ApprovalConfig, DEFAULT_EXPIRY_SECONDS};
use causeflow_domain::tenant::{ServiceConfig, TenantConfig};
use causeflow_domain::{AgentKind, TenantId};
use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::stack::{setup_error, StackError};

/// The simulated customer. CauseFlow's own side runs as moto's default account.
pub const CUSTOMER_ACCOUNT: &str = "111122223333";
pub const CAUSEFLOW_ACCOUNT: &str = "123456789012";
pub const TENANT_ID: &str = "acme";
pub const REGION: &str = "us-east-1";
pub const REVOCATION_POLICY_NAME: &str = "causeflow-revocations";
/// The scenario tenant's Slack workspace, approval channel and approvers.
pub const SLACK_TEAM_ID: &str = "T0ACME0001";
pub const SLACK_CHANNEL_ID: &str = "C0INCIDENTS";
pub const SLACK_APPROVERS: [&str; 2] = ["U0ONCALL01", "U0ONCALL02"];
/// The scenario tenant's Slack app credentials. They are local stand-ins, known to the local
/// Slack server and the command that plays Slack, and open nothing anywhere else.
pub const SLACK_BOT_TOKEN: &str = "xoxb-local-acme-bot-token";
pub const SLACK_SIGNING_SECRET: &str = "local-acme-signing-secret-0123456789";

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("scenario `{name}` not found in {dir}; available: {available}")]
    NotFound { name: String, dir: String, available: String },
    #[error("scenario file {path} could not be read: {message}")]
    Unreadable { path: String, message: String },
    #[error(transparent)]
    Setup(#[from] StackError),
}

#[derive(Debug, Clone, Deserialize)]
pub struct Expectation {
    pub top_cause: String,
    pub action: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ScenarioFile {
    name: String,
    description: String,
    expected: Expectation,
    reference_time: DateTime<Utc>,
    service: ServiceConfig,
    #[serde(default)]
    conclusion: Option<String>,
}

/// A scenario read from disk.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub conclusion: Option<String>,
    pub expected: Expectation,
    pub reference_time: DateTime<Utc>,
    pub service: ServiceConfig,
    pub alarm_event: Value,
    logs: Value,
    metrics: Value,
    ecs: Value,
    ec2: Value,
}

/// Result of loading a scenario: the tenant, the alarm event shifted to the load time, and
/// the ids moto gave the scenario's EC2 instances (empty for a service on Fargate).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub tenant: TenantConfig,
    pub alarm_event: Value,
    pub offset: Duration,
    pub ec2_instance_ids: Vec<String>,
}

/// An Amazon Linux 2 AMI from moto's bundled list (moto 5.2.1, `moto/ec2/resources/amis.json.gz`),
/// because moto rejects RunInstances with an image id it does not know.
const INSTANCE_AMI: &str = "ami-04681a1dbd79675a5";

pub fn scenarios_dir() -> PathBuf {
    crate::moto::project_root().join("scenarios")
}

/// Names of the scenarios on disk, sorted.
pub fn available() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().join("scenario.json").exists())
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn read_json(path: &Path) -> Result<Value, ScenarioError> {
    let raw = std::fs::read(path).map_err(|error| ScenarioError::Unreadable { path: path.display().to_string(), message: error.to_string() })?;
    serde_json::from_slice(&raw).map_err(|error| ScenarioError::Unreadable { path: path.display().to_string(), message: error.to_string() })
}

fn read_optional(path: &Path) -> Result<Value, ScenarioError> {
    if path.exists() {
        read_json(path)
    } else {
        Ok(Value::Null)
    }
}

impl Scenario {
    pub fn load(name: &str) -> Result<Scenario, ScenarioError> {
        let dir = scenarios_dir().join(name);
        if !dir.join("scenario.json").exists() {
            return Err(ScenarioError::NotFound { name: name.to_string(), dir: scenarios_dir().display().to_string(), available: available().join(", ") });
        }
        let file: ScenarioFile = serde_json::from_value(read_json(&dir.join("scenario.json"))?).map_err(|error| ScenarioError::Unreadable {
            path: dir.join("scenario.json").display().to_string(),
            message: error.to_string(),
        })?;
        Ok(Scenario {
            name: file.name,
            description: file.description,
            conclusion: file.conclusion,
            expected: file.expected,
            reference_time: file.reference_time,
            service: file.service,
            alarm_event: read_json(&dir.join("alarm-event.json"))?,
            logs: read_optional(&dir.join("logs.json"))?,
            metrics: read_optional(&dir.join("metrics.json"))?,
            ecs: read_optional(&dir.join("ecs.json"))?,
            ec2: read_optional(&dir.join("ec2.json"))?,
        })
    }

    /// Builds the tenant this scenario's customer registers with CauseFlow.
    pub fn tenant(&self) -> TenantConfig {
        let role = |name: &str| format!("arn:aws:iam::{CUSTOMER_ACCOUNT}:role/{name}");
        TenantConfig {
            tenant_id: TenantId::parse(TENANT_ID).unwrap_or_else(|_| unreachable!("constant tenant id is valid")),
            account_id: CUSTOMER_ACCOUNT.into(),
            region: REGION.into(),
            external_id: "acme-7f3c9b2e-external".into(),
            agent_roles: AgentKind::ALL.into_iter().map(|agent| (agent, role(&agent_role_name(agent)))).collect::<BTreeMap<_, _>>(),
            revoker_role_arn: role("causeflow-revoker"),
            revocation_policy_arn: format!("arn:aws:iam::{CUSTOMER_ACCOUNT}:policy/{REVOCATION_POLICY_NAME}"),
            services: vec![self.service.clone()],
            approval: Some(ApprovalConfig {
                slack_team_id: SLACK_TEAM_ID.into(),
                slack_channel_id: SLACK_CHANNEL_ID.into(),
                approvers: SLACK_APPROVERS.iter().map(|user| user.to_string()).collect(),
                required_approvals: 1,
                expires_after_seconds: DEFAULT_EXPIRY_SECONDS,
                locale: "en".into(),
            }),
        }
    }

    /// Seeds the customer account in moto, registers the tenant, and returns the alarm event
    /// shifted to now.
    pub async fn install(&self, causeflow: &SdkConfig, tenants_table: &str) -> Result<LoadedScenario, ScenarioError> {
        let customer = customer_config(causeflow).await?;
        let tenant = self.tenant();
        create_roles(&customer, &tenant).await?;
        let ec2_instance_ids = load_ec2(&customer, &self.ec2).await?;
        load_ecs(&customer, &self.ecs, &ec2_instance_ids).await?;

        // Rounded up to a whole minute, so per-minute datapoints stay on minute boundaries and
        // the ECS changes just made fall before the minute the scenario places them in.
        let now = Utc::now();
        let next_minute = now + Duration::seconds(60 - now.timestamp().rem_euclid(60));
        let offset = next_minute.with_nanosecond(0).unwrap_or(next_minute) - self.reference_time;
        load_logs(&customer, &self.logs, offset).await?;
        load_metrics(&customer, &self.metrics, offset).await?;

        causeflow_aws::dynamodb::TenantRegistry::new(causeflow, tenants_table)
            .register(&tenant)
            .await
            .map_err(|error| setup_error("register tenant")(&error))?;
        Ok(LoadedScenario { tenant, alarm_event: shift_alarm_event(&self.alarm_event, offset), offset, ec2_instance_ids })
    }
}

pub fn agent_role_name(agent: AgentKind) -> String {
    format!("causeflow-{}", agent.as_str().replace('_', "-"))
}

/// Credentials in the customer account: moto ties an assumed role's keys to the role's account.
async fn customer_config(causeflow: &SdkConfig) -> Result<SdkConfig, StackError> {
    let sts = aws_sdk_sts::Client::new(causeflow);
    let output = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{CUSTOMER_ACCOUNT}:role/scenario-setup"))
        .role_session_name("causeflow-scenario-setup")
        .send()
        .await
        .map_err(|error| setup_error("sts AssumeRole into the customer account")(&error))?;
    let credentials = output.credentials().ok_or_else(|| StackError::Setup { step: "sts AssumeRole", message: "no credentials".into() })?;
    let provider = aws_sdk_sts::config::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_string()),
        None,
        "scenario-setup",
    );
    Ok(causeflow.to_builder().credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(provider)).build())
}

async fn create_roles(customer: &SdkConfig, tenant: &TenantConfig) -> Result<(), StackError> {
    let iam = aws_sdk_iam::Client::new(customer);
    let empty_list = RevocationList::default().to_policy_json().map_err(|error| setup_error("revocation policy")(&error))?;
    iam.create_policy()
        .policy_name(REVOCATION_POLICY_NAME)
        .policy_document(empty_list)
        .description("Denies every CauseFlow session of a revoked investigation")
        .send()
        .await
        .map_err(|error| setup_error("iam CreatePolicy")(&error))?;

    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{CAUSEFLOW_ACCOUNT}:root")},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {"sts:ExternalId": tenant.external_id}}
        }]
    })
    .to_string();
    let mut role_names: Vec<String> = AgentKind::ALL.into_iter().map(agent_role_name).collect();
    role_names.push("causeflow-revoker".into());
    for name in &role_names {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(&trust)
            .max_session_duration(3600)
            .send()
            .await
            .map_err(|error| setup_error("iam CreateRole")(&error))?;
        if name != "causeflow-revoker" {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(&tenant.revocation_policy_arn)
                .send()
                .await
                .map_err(|error| setup_error("iam AttachRolePolicy")(&error))?;
        }
    }
    Ok(())
}

fn shift_millis(millis: i64, offset: Duration) -> i64 {
    millis + offset.num_milliseconds()
}

fn shift_rfc3339(raw: &str, offset: Duration) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|time| time.with_timezone(&Utc) + offset)
}

/// Shifts the event's times, keeping CloudWatch's own timestamp format.
fn shift_alarm_event(event: &Value, offset: Duration) -> Value {
    let mut event = event.clone();
    if let Some(time) = event.get("time").and_then(Value::as_str).and_then(|raw| shift_rfc3339(raw, offset)) {
        event["time"] = Value::String(time.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    for pointer in ["/detail/state/timestamp", "/detail/previousState/timestamp"] {
        if let Some(slot) = event.pointer_mut(pointer) {
            if let Some(time) = slot.as_str().and_then(|raw| shift_rfc3339(raw, offset)) {
                *slot = Value::String(time.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string());
            }
        }
    }
    event
}

async fn load_logs(customer: &SdkConfig, logs: &Value, offset: Duration) -> Result<(), StackError> {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    let client = aws_sdk_cloudwatchlogs::Client::new(customer);
    let mut created_groups = Vec::new();
    for stream in logs.as_array().into_iter().flatten() {
        let group = stream.get("logGroupName").and_then(Value::as_str).unwrap_or_default();
        let name = stream.get("logStreamName").and_then(Value::as_str).unwrap_or("stream");
        if !created_groups.iter().any(|existing: &String| existing == group) {
            client.create_log_group().log_group_name(group).send().await.map_err(|error| setup_error("logs CreateLogGroup")(&error))?;
            created_groups.push(group.to_string());
        }
        client.create_log_stream().log_group_name(group).log_stream_name(name).send().await.map_err(|error| setup_error("logs CreateLogStream")(&error))?;

        let mut events: Vec<InputLogEvent> = stream
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|event| {
                let timestamp = event.get("timestamp")?.as_i64()?;
                let message = event.get("message")?.as_str()?;
                InputLogEvent::builder().timestamp(shift_millis(timestamp, offset)).message(message).build().ok()
            })
            .collect();
        events.sort_by_key(|event| event.timestamp());
        for batch in events.chunks(1_000) {
            client
                .put_log_events()
                .log_group_name(group)
                .log_stream_name(name)
                .set_log_events(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|error| setup_error("logs PutLogEvents")(&error))?;
        }
    }
    Ok(())
}

async fn load_metrics(customer: &SdkConfig, metrics: &Value, offset: Duration) -> Result<(), StackError> {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let client = aws_sdk_cloudwatch::Client::new(customer);
    for namespace_block in metrics.as_array().into_iter().flatten() {
        let namespace = namespace_block.get("Namespace").and_then(Value::as_str).unwrap_or_default();
        let datums: Vec<MetricDatum> = namespace_block
            .get("MetricData")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|datum| {
                let time = shift_rfc3339(datum.get("Timestamp")?.as_str()?, offset)?;
                let dimensions = datum
                    .get("Dimensions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|dimension| Some(Dimension::builder().name(dimension.get("Name")?.as_str()?).value(dimension.get("Value")?.as_str()?).build()))
                    .collect();
                Some(
                    MetricDatum::builder()
                        .metric_name(datum.get("MetricName")?.as_str()?)
                        .set_dimensions(Some(dimensions))
                        .timestamp(SmithyDateTime::from_secs(time.timestamp()))
                        .value(datum.get("Value")?.as_f64()?)
                        .unit(StandardUnit::from(datum.get("Unit").and_then(Value::as_str).unwrap_or("None")))
                        .build(),
                )
            })
            .collect();
        for batch in datums.chunks(500) {
            client
                .put_metric_data()
                .namespace(namespace)
                .set_metric_data(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|error| setup_error("cloudwatch PutMetricData")(&error))?;
        }
    }
    Ok(())
}

/// Launches the instances `ec2.json` lists and returns their ids, in the file's order.
async fn load_ec2(customer: &SdkConfig, ec2: &Value) -> Result<Vec<String>, StackError> {
    use aws_sdk_ec2::types::{InstanceType, ResourceType, Tag, TagSpecification};
    let client = aws_sdk_ec2::Client::new(customer);
    let mut instance_ids = Vec::new();
    for instance in ec2.get("instances").and_then(Value::as_array).into_iter().flatten() {
        let instance_type = instance.get("InstanceType").and_then(Value::as_str).unwrap_or("m5.large");
        let tags: Vec<Tag> = instance
            .get("Tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|tag| Tag::builder().set_key(tag.get("Key").and_then(Value::as_str).map(str::to_string)).set_value(tag.get("Value").and_then(Value::as_str).map(str::to_string)).build())
            .collect();
        let output = client
            .run_instances()
            .image_id(INSTANCE_AMI)
            .instance_type(InstanceType::from(instance_type))
            .min_count(1)
            .max_count(1)
            .tag_specifications(TagSpecification::builder().resource_type(ResourceType::Instance).set_tags(Some(tags)).build())
            .send()
            .await
            .map_err(|error| setup_error("ec2 RunInstances")(&error))?;
        let launched = output.instances().first().and_then(|launched| launched.instance_id());
        let id = launched.ok_or_else(|| StackError::Setup { step: "ec2 RunInstances", message: "the response lists no instance id".into() })?;
        instance_ids.push(id.to_string());
    }
    Ok(instance_ids)
}

/// Registers each EC2 instance with the cluster, as the ECS agent on it would at boot, and
/// returns the container instance ARNs.
async fn register_container_instances(client: &aws_sdk_ecs::Client, cluster: &str, instance_ids: &[String]) -> Result<Vec<String>, StackError> {
    let mut arns = Vec::new();
    for instance_id in instance_ids {
        // moto reads only `instanceId`. The other keys are ones the real document, which
        // the agent sends, also contains.
        let document = serde_json::json!({
            "instanceId": instance_id,
            "accountId": CUSTOMER_ACCOUNT,
            "region": REGION,
            "imageId": INSTANCE_AMI,
        })
        .to_string();
        let output = client
            .register_container_instance()
            .cluster(cluster)
            .instance_identity_document(document)
            .send()
            .await
            .map_err(|error| setup_error("ecs RegisterContainerInstance")(&error))?;
        let arn = output.container_instance().and_then(|registered| registered.container_instance_arn());
        let arn = arn.ok_or_else(|| StackError::Setup { step: "ecs RegisterContainerInstance", message: format!("the response for instance {instance_id} has no container instance ARN") })?;
        arns.push(arn.to_string());
    }
    Ok(arns)
}

/// Loads `ecs.json`. With `instance_ids`, the service runs on EC2: the instances join the
/// cluster and the service's `desiredCount` tasks run on them. Otherwise the service is on
/// Fargate with no running task, because moto starts none for a service.
async fn load_ecs(customer: &SdkConfig, ecs: &Value, instance_ids: &[String]) -> Result<(), StackError> {
    use aws_sdk_ecs::types::{AwsVpcConfiguration, ContainerDefinition, KeyValuePair, LaunchType, NetworkConfiguration};
    if ecs.is_null() {
        return Ok(());
    }
    let client = aws_sdk_ecs::Client::new(customer);
    let cluster = ecs.get("cluster").and_then(Value::as_str).unwrap_or("default");
    client.create_cluster().cluster_name(cluster).send().await.map_err(|error| setup_error("ecs CreateCluster")(&error))?;
    let container_instances = register_container_instances(&client, cluster, instance_ids).await?;
    let launch_type = if container_instances.is_empty() { LaunchType::Fargate } else { LaunchType::Ec2 };

    for definition in ecs.get("task_definitions").and_then(Value::as_array).into_iter().flatten() {
        let containers: Vec<ContainerDefinition> = definition
            .get("containerDefinitions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|container| {
                let text = |key: &str| container.get(key).and_then(Value::as_str).map(str::to_string);
                let number = |key: &str| container.get(key).and_then(Value::as_i64).map(|value| value as i32);
                let environment = container
                    .get("environment")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|pair| KeyValuePair::builder().set_name(pair.get("name").and_then(Value::as_str).map(str::to_string)).set_value(pair.get("value").and_then(Value::as_str).map(str::to_string)).build())
                    .collect();
                let command = container.get("command").and_then(Value::as_array).map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect());
                ContainerDefinition::builder()
                    .set_name(text("name"))
                    .set_image(text("image"))
                    .set_memory(number("memory"))
                    .set_memory_reservation(number("memoryReservation"))
                    .cpu(number("cpu").unwrap_or(0))
                    .essential(container.get("essential").and_then(Value::as_bool).unwrap_or(true))
                    .set_environment(Some(environment))
                    .set_command(command)
                    .build()
            })
            .collect();
        let text = |key: &str| definition.get(key).and_then(Value::as_str).map(str::to_string);
        client
            .register_task_definition()
            .set_family(text("family"))
            .set_container_definitions(Some(containers))
            .set_cpu(text("cpu"))
            .set_memory(text("memory"))
            .set_task_role_arn(text("taskRoleArn"))
            .set_execution_role_arn(text("executionRoleArn"))
            .send()
            .await
            .map_err(|error| setup_error("ecs RegisterTaskDefinition")(&error))?;
    }

    // moto records no deployment on UpdateService, so the service is created on the task
    // definition the scenario deploys: its PRIMARY deployment then starts at load time, as a
    // real deployment would at the scenario's reference time.
    let service = ecs.get("service").cloned().unwrap_or(Value::Null);
    let service_name = service.get("serviceName").and_then(Value::as_str).unwrap_or("service");
    let task_definition = ecs
        .get("deploy_task_definition")
        .and_then(Value::as_str)
        .or_else(|| service.get("taskDefinition").and_then(Value::as_str))
        .unwrap_or_default();
    let desired = service.get("desiredCount").and_then(Value::as_i64).unwrap_or(1) as i32;
    client
        .create_service()
        .cluster(cluster)
        .service_name(service_name)
        .task_definition(task_definition)
        .desired_count(desired)
        .launch_type(launch_type)
        .send()
        .await
        .map_err(|error| setup_error("ecs CreateService")(&error))?;
    start_service_tasks(&client, cluster, service_name, task_definition, desired, &container_instances).await?;

    let network = NetworkConfiguration::builder()
        .awsvpc_configuration(AwsVpcConfiguration::builder().subnets("subnet-0a1b2c3d").build().map_err(|error| setup_error("ecs network")(&error))?)
        .build();
    for group in ecs.get("stopped_tasks").and_then(Value::as_array).into_iter().flatten() {
        let count = group.get("count").and_then(Value::as_i64).unwrap_or(1) as i32;
        let definition = group.get("task_definition").and_then(Value::as_str).unwrap_or(task_definition);
        let reason = group.get("reason").and_then(Value::as_str).unwrap_or("Task stopped");
        let run = client
            .run_task()
            .cluster(cluster)
            .task_definition(definition)
            .count(count)
            .launch_type(LaunchType::Fargate)
            .started_by(format!("ecs-svc/{service_name}"))
            .network_configuration(network.clone())
            .send()
            .await
            .map_err(|error| setup_error("ecs RunTask")(&error))?;
        for task in run.tasks() {
            client
                .stop_task()
                .cluster(cluster)
                .task(task.task_arn().unwrap_or_default())
                .reason(reason)
                .send()
                .await
                .map_err(|error| setup_error("ecs StopTask")(&error))?;
        }
    }
    Ok(())
}

/// Starts the service's `desired` tasks on the container instances in turn, so they spread
/// over all of them (`traffic-surge` has four tasks on two instances).
///
/// RunTask would be the usual call, but moto 5.2.1 places every task of a RunTask on the first
/// instance with room, which would put all of them on one instance. StartTask names the
/// instance, so each task goes where ECS would put it. moto records no launch type on such a
/// task, which no CauseFlow reader looks at.
async fn start_service_tasks(client: &aws_sdk_ecs::Client, cluster: &str, service_name: &str, task_definition: &str, desired: i32, container_instances: &[String]) -> Result<(), StackError> {
    if container_instances.is_empty() {
        return Ok(());
    }
    for container_instance in container_instances.iter().cycle().take(desired.max(0) as usize) {
        client
            .start_task()
            .cluster(cluster)
            .task_definition(task_definition)
            .container_instances(container_instance)
            .started_by(format!("ecs-svc/{service_name}"))
            .send()
            .await
            .map_err(|error| setup_error("ecs StartTask")(&error))?;
    }
    Ok(())
}

/// Builds an IAM adapter in the customer account, for reading back the revocation policy.
/// Builds an ECS client of the customer account, for checking what a remediation changed.
pub async fn customer_ecs(causeflow: &SdkConfig) -> Result<causeflow_aws::ecs::Ecs, StackError> {
    Ok(causeflow_aws::ecs::Ecs::new(&customer_config(causeflow).await?))
}

pub async fn customer_iam(causeflow: &SdkConfig) -> Result<causeflow_aws::iam::Iam, StackError> {
    Ok(causeflow_aws::iam::Iam::new(&customer_config(causeflow).await?))
}
