//! Scenarios: an incident in AWS's own formats (alarm event, log events, metric data, ECS
//! state), loaded into a simulated customer account in moto.
//!
//! Files under `scenarios/<name>/`: `scenario.json` (what happened and what a good
//! investigator concludes), `alarm-event.json`, `logs.json` (PutLogEvents shape),
//! `metrics.json` (PutMetricData shape) and `ecs.json`. Times in the files sit around a fixed
//! reference. moto stamps ECS changes with the time of the call, so loading shifts every
//! other time by the same offset to keep them at the scenario's `reference_time`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_config::SdkConfig;
use aws_smithy_types::DateTime as SmithyDateTime;
use causeflow_domain::revocation::RevocationList;
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
}

/// Result of loading a scenario: the tenant, and the alarm event shifted to the load time.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub tenant: TenantConfig,
    pub alarm_event: Value,
    pub offset: Duration,
}

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
        }
    }

    /// Seeds the customer account in moto, registers the tenant, and returns the alarm event
    /// shifted to now.
    pub async fn install(&self, causeflow: &SdkConfig, tenants_table: &str) -> Result<LoadedScenario, ScenarioError> {
        let customer = customer_config(causeflow).await?;
        let tenant = self.tenant();
        create_roles(&customer, &tenant).await?;
        load_ecs(&customer, &self.ecs).await?;

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
        Ok(LoadedScenario { tenant, alarm_event: shift_alarm_event(&self.alarm_event, offset), offset })
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

async fn load_ecs(customer: &SdkConfig, ecs: &Value) -> Result<(), StackError> {
    use aws_sdk_ecs::types::{AwsVpcConfiguration, ContainerDefinition, KeyValuePair, LaunchType, NetworkConfiguration};
    if ecs.is_null() {
        return Ok(());
    }
    let client = aws_sdk_ecs::Client::new(customer);
    let cluster = ecs.get("cluster").and_then(Value::as_str).unwrap_or("default");
    client.create_cluster().cluster_name(cluster).send().await.map_err(|error| setup_error("ecs CreateCluster")(&error))?;

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
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .map_err(|error| setup_error("ecs CreateService")(&error))?;

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

/// Builds an IAM adapter in the customer account, for reading back the revocation policy.
pub async fn customer_iam(causeflow: &SdkConfig) -> Result<causeflow_aws::iam::Iam, StackError> {
    Ok(causeflow_aws::iam::Iam::new(&customer_config(causeflow).await?))
}
