//! The remediator's ECS changes against moto: a memory revision copies every other field of the
//! task definition, an unknown container registers nothing, and a desired count update shows in
//! DescribeServices.
//!
//! This lives in the root package because `causeflow-local` (which starts moto) depends on
//! `causeflow-aws`, so it cannot be a dev-dependency of `causeflow-aws` without a cycle.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ecs::config::Credentials;
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, CpuArchitecture, EphemeralStorage, KeyValuePair, LaunchType, NetworkMode,
    OsFamily, PidMode, PortMapping, RuntimePlatform, Tag, TaskDefinition, TaskDefinitionField,
    TaskDefinitionPlacementConstraint, TaskDefinitionPlacementConstraintType, TransportProtocol, Volume,
};
use causeflow_aws::ecs::Ecs;
use causeflow_aws::AwsError;
use causeflow_local::MotoServer;

const CLUSTER: &str = "prod";
const SERVICE: &str = "checkout";
const FAMILY: &str = "checkout";
const APP: &str = "app";
const LOG_ROUTER: &str = "log-router";
const TASK_ROLE: &str = "arn:aws:iam::123456789012:role/checkout-task";
const EXECUTION_ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

/// A moto server and an SDK configuration that reaches only it.
struct Moto {
    _server: MotoServer,
    sdk: SdkConfig,
}

async fn start_moto() -> Moto {
    let server = MotoServer::start().expect("moto starts: run scripts/setup-local");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    Moto { _server: server, sdk }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// Registers `checkout:1` with a value in every field that moto stores, so that a field the
/// revision failed to copy shows up as a difference.
async fn register_checkout(client: &aws_sdk_ecs::Client) -> String {
    let app = ContainerDefinition::builder()
        .name(APP)
        .image("registry.example.com/checkout:1.4.2")
        .memory(512)
        .memory_reservation(256)
        .cpu(256)
        .essential(true)
        .command("serve")
        .environment(KeyValuePair::builder().name("PORT").value("8080").build())
        .port_mappings(PortMapping::builder().container_port(8080).protocol(TransportProtocol::Tcp).build())
        .build();
    let log_router = ContainerDefinition::builder()
        .name(LOG_ROUTER)
        .image("registry.example.com/fluent-bit:3.1")
        .memory(128)
        .essential(false)
        .build();
    let registered = client
        .register_task_definition()
        .family(FAMILY)
        .task_role_arn(TASK_ROLE)
        .execution_role_arn(EXECUTION_ROLE)
        .network_mode(NetworkMode::Awsvpc)
        .container_definitions(app)
        .container_definitions(log_router)
        .volumes(Volume::builder().name("scratch").build())
        .placement_constraints(
            TaskDefinitionPlacementConstraint::builder()
                .r#type(TaskDefinitionPlacementConstraintType::MemberOf)
                .expression("attribute:ecs.instance-type =~ m5.*")
                .build(),
        )
        .requires_compatibilities(Compatibility::Ec2)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("512")
        .memory("2048")
        .pid_mode(PidMode::Task)
        .ephemeral_storage(EphemeralStorage::builder().size_in_gib(30).build())
        .runtime_platform(
            RuntimePlatform::builder().operating_system_family(OsFamily::Linux).cpu_architecture(CpuArchitecture::X8664).build(),
        )
        .tags(tag("team", "payments"))
        .tags(tag("cost-center", "4200"))
        .tags(tag("aws:cloudformation:stack-name", "checkout-prod"))
        .send()
        .await
        .expect("fixture task definition registers");
    registered.task_definition().and_then(TaskDefinition::task_definition_arn).expect("registered definition has an ARN").to_string()
}

/// Describes a task definition and its tags, sorted by key.
async fn describe(client: &aws_sdk_ecs::Client, task_definition: &str) -> (TaskDefinition, Vec<Tag>) {
    let output = client
        .describe_task_definition()
        .task_definition(task_definition)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
        .expect("task definition is described");
    let definition = output.task_definition().expect("response has the task definition").clone();
    let mut tags = output.tags().to_vec();
    tags.sort_by(|left, right| left.key().cmp(&right.key()));
    (definition, tags)
}

async fn family_revisions(client: &aws_sdk_ecs::Client) -> Vec<String> {
    let listed = client.list_task_definitions().family_prefix(FAMILY).send().await.expect("task definitions are listed");
    listed.task_definition_arns().to_vec()
}

fn container<'a>(definition: &'a TaskDefinition, name: &str) -> &'a ContainerDefinition {
    definition
        .container_definitions()
        .iter()
        .find(|container| container.name() == Some(name))
        .unwrap_or_else(|| panic!("container {name} in {:?}", definition.task_definition_arn()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_revision_changes_only_container_memory() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    let original_arn = register_checkout(&client).await;
    let (original, original_tags) = describe(&client, &original_arn).await;

    // Every field below must be stored by moto, or the comparison further down proves nothing.
    assert_eq!(original.task_role_arn(), Some(TASK_ROLE));
    assert_eq!(original.execution_role_arn(), Some(EXECUTION_ROLE));
    assert_eq!(original.network_mode(), Some(&NetworkMode::Awsvpc));
    assert_eq!(original.requires_compatibilities(), [Compatibility::Ec2, Compatibility::Fargate]);
    assert_eq!(original.volumes().len(), 1);
    assert_eq!(original.placement_constraints().len(), 1);
    assert_eq!(original.pid_mode(), Some(&PidMode::Task));
    assert_eq!(original.ephemeral_storage().map(EphemeralStorage::size_in_gib), Some(30));
    assert_eq!(original.runtime_platform().and_then(RuntimePlatform::cpu_architecture), Some(&CpuArchitecture::X8664));
    assert_eq!(original_tags.len(), 3);

    let ecs = Ecs::new(&moto.sdk);
    let revision_arn = ecs.register_memory_revision(&original_arn, APP, 1024).await.expect("memory revision registers");

    assert_eq!(revision_arn, "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:2");
    let (revision, revision_tags) = describe(&client, &revision_arn).await;
    assert_eq!(container(&revision, APP).memory(), Some(1024));
    assert_eq!(container(&revision, APP).memory_reservation(), Some(256));
    assert_eq!(container(&revision, LOG_ROUTER), container(&original, LOG_ROUTER));
    assert_eq!(revision.memory(), Some("2048"));
    assert_eq!(revision.cpu(), Some("512"));

    // Only the tags AWS reserves are left out of the revision.
    assert_eq!(revision_tags, vec![tag("cost-center", "4200"), tag("team", "payments")]);

    // With the fields that name the revision and the changed memory put back, the revision
    // equals the original.
    let mut restored = revision.clone();
    restored.task_definition_arn = original.task_definition_arn.clone();
    restored.revision = original.revision;
    restored.registered_at = original.registered_at;
    restored.registered_by = original.registered_by.clone();
    for definition in restored.container_definitions.iter_mut().flatten() {
        if definition.name() == Some(APP) {
            definition.memory = Some(512);
        }
    }
    assert_eq!(restored, original);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_revision_for_unknown_container_registers_nothing() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    let original_arn = register_checkout(&client).await;

    let ecs = Ecs::new(&moto.sdk);
    let error = ecs.register_memory_revision(&original_arn, "worker", 1024).await.expect_err("unknown container is rejected");

    let AwsError::Permanent { service, operation, message } = &error else {
        panic!("expected a permanent error, got {error:?}");
    };
    assert_eq!(*service, "ecs");
    assert_eq!(*operation, "RegisterTaskDefinition");
    assert!(message.contains("container `worker` not found"), "{message}");
    assert!(message.contains("app, log-router"), "{message}");
    assert!(message.contains(&original_arn), "{message}");
    assert_eq!(family_revisions(&client).await, vec![original_arn]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_then_register_sets_memory() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    let original_arn = register_checkout(&client).await;

    // The remediator reads with one session and registers with another, so the steps are separate.
    let ecs = Ecs::new(&moto.sdk);
    let template = ecs.revision_template("checkout:1").await.expect("template is described");
    assert_eq!(template.arn(), original_arn);
    let revision_arn = ecs.register_revision(&template, LOG_ROUTER, 256).await.expect("revision registers");

    assert_eq!(revision_arn, "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:2");
    let (revision, _) = describe(&client, &revision_arn).await;
    assert_eq!(container(&revision, LOG_ROUTER).memory(), Some(256));
    assert_eq!(container(&revision, APP).memory(), Some(512));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_revision_below_reservation_keeps_reservation() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    let original_arn = register_checkout(&client).await;

    // moto accepts a reservation above the memory limit, although ECS would reject it.
    let ecs = Ecs::new(&moto.sdk);
    let revision_arn = ecs.register_memory_revision(&original_arn, APP, 128).await.expect("memory revision registers");

    let (revision, _) = describe(&client, &revision_arn).await;
    assert_eq!(container(&revision, APP).memory(), Some(128));
    assert_eq!(container(&revision, APP).memory_reservation(), Some(256));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desired_count_update_shows_in_describe_services() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    client.create_cluster().cluster_name(CLUSTER).send().await.expect("cluster is created");
    let task_definition = register_checkout(&client).await;
    let created = client
        .create_service()
        .cluster(CLUSTER)
        .service_name(SERVICE)
        .task_definition(&task_definition)
        .desired_count(2)
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .expect("service is created");
    let created_deployment = created
        .service()
        .and_then(|service| service.deployments().first())
        .and_then(|deployment| deployment.id())
        .expect("created service has a deployment")
        .to_string();

    let ecs = Ecs::new(&moto.sdk);
    let deployment = ecs.update_service_desired_count(CLUSTER, SERVICE, 6).await.expect("desired count updates");

    assert_eq!(deployment, created_deployment);
    let snapshot = ecs.describe_service(CLUSTER, SERVICE).await.expect("service is described");
    assert_eq!(snapshot.desired_count, 6);
    assert_eq!(snapshot.task_definition_arn, task_definition);
    let described = client.describe_services().cluster(CLUSTER).services(SERVICE).send().await.expect("services are described");
    assert_eq!(described.services().first().map(|service| service.desired_count()), Some(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desired_count_update_of_unknown_service_fails() {
    let moto = start_moto().await;
    let client = aws_sdk_ecs::Client::new(&moto.sdk);
    client.create_cluster().cluster_name(CLUSTER).send().await.expect("cluster is created");

    let ecs = Ecs::new(&moto.sdk);
    let error = ecs.update_service_desired_count(CLUSTER, "payments", 3).await.expect_err("unknown service is rejected");

    let AwsError::Permanent { operation, message, .. } = &error else {
        panic!("expected a permanent error, got {error:?}");
    };
    assert_eq!(*operation, "UpdateService");
    assert!(message.starts_with("ServiceNotFoundException"), "{message}");
}
