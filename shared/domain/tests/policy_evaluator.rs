//! Proves the session policies and the revocation policy with an IAM simulator that CauseFlow
//! did not write: `@cloud-copilot/iam-simulate`, driven by `tools/iam-eval/evaluate.mjs`.
//!
//! Each request is evaluated as AWS evaluates an assumed-role session in its own account: the
//! role's identity policies and the session policy must both allow it, and an explicit Deny in
//! either wins. The simulator takes the session policy as its own input (`sessionPolicy`) and
//! applies that rule itself, so this file never combines decisions by hand.
//!
//! The role's identity policy is modelled two ways, and every expectation must hold under both:
//! a customer role that allows its agent's row on all resources, and an over-privileged role
//! that allows every action. The second shows that the session policy alone limits the agent.
//! The customer-managed revocation policy is attached to the role in every case.
//!
//! Needs Node.js and `npm ci --prefix tools/iam-eval` run once from the workspace root.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use causeflow_domain::policy::{session_policy, RemediationScope, ResourceScope};
use causeflow_domain::revocation::{RevocationEntry, RevocationList};
use causeflow_domain::{AgentKind, InvestigationId, TenantId};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-west-1";
const CLUSTER: &str = "prod";
const SERVICE: &str = "checkout";
const LOG_GROUP: &str = "/ecs/checkout";
const SECOND_LOG_GROUP: &str = "/aws/ecs/containerinsights/prod/performance";
const TASK_ROLE: &str = "arn:aws:iam::123456789012:role/checkout-task";
const EXECUTION_ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

/// One request to evaluate and the decision it must get.
#[derive(Debug, Clone)]
struct Probe {
    action: &'static str,
    resource: String,
    extra_context: Option<(&'static str, &'static str)>,
}

impl Probe {
    fn new(action: &'static str, resource: impl Into<String>) -> Self {
        Self { action, resource: resource.into(), extra_context: None }
    }

    fn with_context(mut self, key: &'static str, value: &'static str) -> Self {
        self.extra_context = Some((key, value));
        self
    }
}

fn log_group_arn(name: &str) -> String {
    format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}")
}

fn ecs_arn(resource: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:{resource}")
}

fn scope() -> ResourceScope {
    ResourceScope {
        account_id: ACCOUNT.to_string(),
        region: REGION.to_string(),
        log_groups: vec![LOG_GROUP.to_string(), SECOND_LOG_GROUP.to_string()],
        cluster: CLUSTER.to_string(),
        service: SERVICE.to_string(),
        remediation: Some(RemediationScope {
            registers_task_definition: true,
            pass_roles: vec![TASK_ROLE.to_string(), EXECUTION_ROLE.to_string()],
        }),
    }
}

/// Builds the scope of a rollback. The remediator points the service at an earlier revision,
/// so it registers no task definition and passes no role.
fn rollback_scope() -> ResourceScope {
    ResourceScope {
        remediation: Some(RemediationScope { registers_task_definition: false, pass_roles: vec![] }),
        ..scope()
    }
}

fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

/// Lists the agent's row of the permission table as concrete requests on its scoped resources.
/// `ecs:Describe*` and `ec2:Describe*` are covered by every ECS Describe action that acts on a
/// service's resources and by a sample of EC2 Describe actions.
fn row(agent: AgentKind) -> Vec<Probe> {
    match agent {
        AgentKind::LogAnalyst => vec![
            Probe::new("logs:StartQuery", log_group_arn(LOG_GROUP)),
            Probe::new("logs:StartQuery", log_group_arn(SECOND_LOG_GROUP)),
            Probe::new("logs:GetQueryResults", log_group_arn(LOG_GROUP)),
            Probe::new("logs:GetLogEvents", format!("{}:log-stream:ecs/app/5f2c", log_group_arn(LOG_GROUP))),
            Probe::new("logs:GetLogEvents", format!("{}:log-stream:node-1", log_group_arn(SECOND_LOG_GROUP))),
        ],
        AgentKind::MetricAnalyst => vec![
            Probe::new("cloudwatch:GetMetricData", "*"),
            Probe::new("cloudwatch:GetMetricStatistics", "*"),
        ],
        AgentKind::InfraInspector => vec![
            Probe::new("ecs:DescribeClusters", ecs_arn("cluster/prod")),
            Probe::new("ecs:DescribeServices", ecs_arn("service/prod/checkout")),
            Probe::new("ecs:DescribeTasks", ecs_arn("task/prod/0a1b2c3d4e5f")),
            Probe::new("ecs:DescribeContainerInstances", ecs_arn("container-instance/prod/9f8e7d6c")),
            Probe::new("ecs:DescribeTaskSets", ecs_arn("task-set/prod/checkout/ecs-svc-123")),
            Probe::new("ecs:DescribeServiceDeployments", ecs_arn("service-deployment/prod/checkout/d-1")),
            Probe::new("ecs:DescribeServiceRevisions", ecs_arn("service-revision/prod/checkout/r-1")),
            Probe::new("ecs:DescribeTaskDefinition", "*"),
            Probe::new("ecs:ListTasks", "*").with_context("ecs:cluster", leak(ecs_arn("cluster/prod"))),
            Probe::new("ec2:DescribeInstances", "*"),
            Probe::new("ec2:DescribeInstanceStatus", "*"),
            Probe::new("ec2:DescribeSecurityGroups", "*"),
            Probe::new(
                "ec2:DescribeInstanceAttribute",
                format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0"),
            ),
        ],
        AgentKind::Remediator => vec![
            Probe::new("ecs:UpdateService", ecs_arn("service/prod/checkout")),
            Probe::new("ecs:RegisterTaskDefinition", ecs_arn("task-definition/checkout:42")),
            Probe::new("iam:PassRole", TASK_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
            Probe::new("iam:PassRole", EXECUTION_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        ],
    }
}

/// Actions outside every row, each of which a careless policy could allow.
fn outside_every_row() -> Vec<Probe> {
    vec![
        Probe::new("iam:CreateUser", format!("arn:aws:iam::{ACCOUNT}:user/mallory")),
        Probe::new("s3:GetObject", "arn:aws:s3:::customer-data/export.csv"),
        Probe::new("ecs:DeleteService", ecs_arn("service/prod/checkout")),
        Probe::new("ecs:StopTask", ecs_arn("task/prod/0a1b2c3d4e5f")),
        Probe::new("ecs:RunTask", ecs_arn("task-definition/checkout:42")),
        Probe::new("ec2:TerminateInstances", format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0")),
        Probe::new("logs:FilterLogEvents", log_group_arn(LOG_GROUP)),
        Probe::new("logs:DeleteLogGroup", log_group_arn(LOG_GROUP)),
        Probe::new("cloudwatch:PutMetricAlarm", format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:checkout-5xx")),
        Probe::new("sts:AssumeRole", format!("arn:aws:iam::{ACCOUNT}:role/admin")),
    ]
}

/// Lists the agent's own actions on resources outside its scope.
fn outside_scope(agent: AgentKind) -> Vec<Probe> {
    let other_group = "/ecs/payments";
    match agent {
        AgentKind::LogAnalyst => vec![
            Probe::new("logs:StartQuery", log_group_arn(other_group)),
            Probe::new("logs:GetQueryResults", log_group_arn(other_group)),
            Probe::new("logs:GetLogEvents", format!("{}:log-stream:ecs/app/1", log_group_arn(other_group))),
            // A group whose name starts with a scoped group's name is still another group.
            Probe::new("logs:StartQuery", log_group_arn("/ecs/checkout-admin")),
            Probe::new("logs:StartQuery", format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{LOG_GROUP}")),
        ],
        AgentKind::MetricAnalyst => vec![],
        AgentKind::InfraInspector => vec![
            Probe::new("ecs:DescribeServices", ecs_arn("service/prod/payments")),
            Probe::new("ecs:DescribeServices", ecs_arn("service/staging/checkout")),
            Probe::new("ecs:DescribeClusters", ecs_arn("cluster/staging")),
            Probe::new("ecs:ListTasks", "*").with_context("ecs:cluster", leak(ecs_arn("cluster/staging"))),
            Probe::new("ecs:DescribeTasks", ecs_arn("task/staging/0a1b2c3d4e5f")),
            Probe::new("ecs:DescribeCapacityProviders", ecs_arn("capacity-provider/spot")),
        ],
        AgentKind::Remediator => vec![
            Probe::new("ecs:UpdateService", ecs_arn("service/prod/payments")),
            Probe::new("ecs:UpdateService", ecs_arn("service/staging/checkout")),
            Probe::new("ecs:UpdateService", format!("arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/checkout")),
            Probe::new("iam:PassRole", format!("arn:aws:iam::{ACCOUNT}:role/admin"))
                .with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
            Probe::new("iam:PassRole", TASK_ROLE).with_context("iam:PassedToService", "lambda.amazonaws.com"),
        ],
    }
}

/// Builds the identity policy a customer's role for the agent has: its row on all resources.
fn customer_role_policy(agent: AgentKind) -> Value {
    let actions: Vec<&str> = match agent {
        AgentKind::LogAnalyst => vec!["logs:StartQuery", "logs:GetQueryResults", "logs:GetLogEvents"],
        AgentKind::MetricAnalyst => vec!["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics"],
        AgentKind::InfraInspector => vec!["ecs:Describe*", "ec2:Describe*", "ecs:ListTasks"],
        // The customer's remediator role also allows tagging, so a new revision can keep the
        // tags of the one it copies. The session policy limits it to tagging on create.
        AgentKind::Remediator => vec!["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"],
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Action": actions, "Resource": "*" }]
    })
}

fn over_privileged_role_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }]
    })
}

fn investigation(event: &str) -> InvestigationId {
    InvestigationId::for_event(&TenantId::parse("acme").unwrap(), event)
}

fn revocation_policy(revoked: &[&InvestigationId]) -> String {
    let expiry = Utc.with_ymd_and_hms(2026, 3, 1, 12, 15, 0).unwrap();
    let list = revoked.iter().fold(RevocationList::default(), |list, id| {
        list.with_entry(RevocationEntry { investigation_id: (*id).clone(), sessions_expire_at: expiry })
    });
    list.to_policy_json().unwrap()
}

fn workspace_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Runs the evaluator for one session of `agent` over `scope` in investigation `session_id` and
/// returns one decision per probe.
fn evaluate(
    scope: &ResourceScope,
    agent: AgentKind,
    identity_policies: Vec<Value>,
    session_id: &InvestigationId,
    probes: &[Probe],
) -> Vec<String> {
    let root = workspace_root();
    let tool = root.join("tools/iam-eval");
    assert!(
        tool.join("node_modules/@cloud-copilot/iam-simulate").is_dir(),
        "the IAM evaluator's packages are not installed: run `npm ci --prefix tools/iam-eval` in {}",
        root.display()
    );

    let policy = session_policy(agent, scope).unwrap();
    let requests: Vec<Value> = probes
        .iter()
        .map(|probe| {
            let mut context = json!({
                "aws:PrincipalTag/investigation_id": session_id.as_str(),
                "aws:PrincipalTag/tenant_id": "acme",
                "aws:PrincipalTag/agent": agent.as_str(),
            });
            if let Some((key, value)) = probe.extra_context {
                context[key] = json!(value);
            }
            json!({ "action": probe.action, "resource": probe.resource, "context": context })
        })
        .collect();
    let input = json!({
        "principal": format!("arn:aws:sts::{ACCOUNT}:assumed-role/causeflow-{agent}/{session_id}-{}", agent.short_name()),
        "identity_policies": identity_policies,
        "session_policy": policy.as_json(),
        "requests": requests,
    });

    let mut child = Command::new("node")
        .arg(tool.join("evaluate.mjs"))
        .current_dir(&tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("could not start `node` for the IAM evaluator (is Node.js installed?): {error}"));
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "IAM evaluator failed with {}:\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    let parsed: Value = serde_json::from_str(&stdout).unwrap();
    let results = parsed["results"].as_array().unwrap();
    assert_eq!(results.len(), probes.len());
    for result in results {
        // An ignored key would mean the simulator evaluated the tag conditions without the tag.
        assert_eq!(result["ignored_context_keys"], json!([]), "{result}");
    }
    results.iter().map(|result| result["decision"].as_str().unwrap().to_string()).collect()
}

/// Evaluates `probes` over the shared [`scope`] and lists every probe whose decision is not
/// `expected`.
fn mismatches(
    agent: AgentKind,
    identity_policies: Vec<Value>,
    session_id: &InvestigationId,
    probes: &[Probe],
    expected: &str,
) -> Vec<String> {
    mismatches_in(&scope(), agent, identity_policies, session_id, probes, expected)
}

/// Evaluates `probes` over `scope` and lists every probe whose decision is not `expected`.
fn mismatches_in(
    scope: &ResourceScope,
    agent: AgentKind,
    identity_policies: Vec<Value>,
    session_id: &InvestigationId,
    probes: &[Probe],
    expected: &str,
) -> Vec<String> {
    let decisions = evaluate(scope, agent, identity_policies, session_id, probes);
    probes
        .iter()
        .zip(decisions)
        .filter(|(_, decision)| decision != expected)
        .map(|(probe, decision)| format!("{agent}: {} on {} was {decision}, expected {expected}", probe.action, probe.resource))
        .collect()
}

fn identity_models(agent: AgentKind, revocation: &str) -> Vec<(&'static str, Vec<Value>)> {
    let revocation: Value = serde_json::from_str(revocation).unwrap();
    vec![
        ("customer role", vec![customer_role_policy(agent), revocation.clone()]),
        ("over-privileged role", vec![over_privileged_role_policy(), revocation]),
    ]
}

#[test]
fn each_agent_allowed_its_row() {
    let session = investigation("evt-live");
    let other_revoked = investigation("evt-ended-earlier");
    let revocation = revocation_policy(&[&other_revoked]);

    let mut failures = Vec::new();
    for agent in AgentKind::ALL {
        for (model, identity) in identity_models(agent, &revocation) {
            let found = mismatches(agent, identity, &session, &row(agent), "Allowed");
            failures.extend(found.into_iter().map(|failure| format!("[{model}] {failure}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_agent_denied_other_rows() {
    let session = investigation("evt-live");
    let revocation = revocation_policy(&[]);

    let mut failures = Vec::new();
    for agent in AgentKind::ALL {
        let mut probes: Vec<Probe> =
            AgentKind::ALL.into_iter().filter(|other| *other != agent).flat_map(row).collect();
        probes.extend(outside_every_row());
        for (model, identity) in identity_models(agent, &revocation) {
            let found = mismatches(agent, identity, &session, &probes, "ImplicitlyDenied");
            failures.extend(found.into_iter().map(|failure| format!("[{model}] {failure}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn own_actions_denied_outside_scope() {
    let session = investigation("evt-live");
    let revocation = revocation_policy(&[]);

    let mut failures = Vec::new();
    for agent in AgentKind::ALL {
        let probes = outside_scope(agent);
        if probes.is_empty() {
            continue;
        }
        for (model, identity) in identity_models(agent, &revocation) {
            let found = mismatches(agent, identity, &session, &probes, "ImplicitlyDenied");
            failures.extend(found.into_iter().map(|failure| format!("[{model}] {failure}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn revoked_session_denied_its_own_row() {
    let revoked = investigation("evt-revoked");
    let still_running = investigation("evt-still-running");
    let revocation = revocation_policy(&[&revoked, &investigation("evt-other-ended")]);

    let mut failures = Vec::new();
    for agent in AgentKind::ALL {
        for (model, identity) in identity_models(agent, &revocation) {
            let found = mismatches(agent, identity.clone(), &revoked, &row(agent), "ExplicitlyDenied");
            failures.extend(found.into_iter().map(|failure| format!("[{model}, revoked] {failure}")));

            let found = mismatches(agent, identity, &still_running, &row(agent), "Allowed");
            failures.extend(found.into_iter().map(|failure| format!("[{model}, still running] {failure}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn empty_revocation_policy_denies_nothing() {
    let session = investigation("evt-live");
    let revocation = RevocationList::default().to_policy_json().unwrap();

    let mut failures = Vec::new();
    for agent in AgentKind::ALL {
        for (model, identity) in identity_models(agent, &revocation) {
            let found = mismatches(agent, identity, &session, &row(agent), "Allowed");
            failures.extend(found.into_iter().map(|failure| format!("[{model}] {failure}")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Evaluates `probes` for a remediator session over `scope` under both identity models and
/// lists every probe whose decision is not `expected`.
fn remediator_mismatches(scope: &ResourceScope, probes: &[Probe], expected: &str) -> Vec<String> {
    let session = investigation("evt-live");
    let revocation = revocation_policy(&[]);
    let mut failures = Vec::new();
    for (model, identity) in identity_models(AgentKind::Remediator, &revocation) {
        let found = mismatches_in(scope, AgentKind::Remediator, identity, &session, probes, expected);
        failures.extend(found.into_iter().map(|failure| format!("[{model}] {failure}")));
    }
    failures
}

#[test]
fn rollback_updates_only_approved_service() {
    let allowed = [Probe::new("ecs:UpdateService", ecs_arn("service/prod/checkout"))];
    let denied = [
        Probe::new("ecs:UpdateService", ecs_arn("service/prod/payments")),
        Probe::new("ecs:UpdateService", ecs_arn("service/staging/checkout")),
        Probe::new("ecs:UpdateService", format!("arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/checkout")),
        Probe::new("ecs:UpdateService", format!("arn:aws:ecs:{REGION}:210987654321:service/prod/checkout")),
        Probe::new("ecs:UpdateService", "arn:aws:ecs:us-east-1:210987654321:service/prod/checkout"),
    ];

    let mut failures = remediator_mismatches(&rollback_scope(), &allowed, "Allowed");
    failures.extend(remediator_mismatches(&rollback_scope(), &denied, "ImplicitlyDenied"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rollback_denied_read_only_rows() {
    let probes: Vec<Probe> = AgentKind::READ_ONLY.into_iter().flat_map(row).collect();
    assert!(probes.iter().any(|probe| probe.action == "logs:StartQuery"));
    assert!(probes.iter().any(|probe| probe.action == "cloudwatch:GetMetricData"));
    assert!(probes.iter().any(|probe| probe.action == "ecs:DescribeServices"));
    assert!(probes.iter().any(|probe| probe.action == "ecs:ListTasks"));
    assert!(probes.iter().any(|probe| probe.action == "ec2:DescribeInstances"));

    let failures = remediator_mismatches(&rollback_scope(), &probes, "ImplicitlyDenied");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rollback_cannot_register_or_pass_roles() {
    let probes = [
        Probe::new("ecs:RegisterTaskDefinition", ecs_arn("task-definition/checkout:43")),
        Probe::new("iam:PassRole", TASK_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        Probe::new("iam:PassRole", EXECUTION_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
    ];

    let failures = remediator_mismatches(&rollback_scope(), &probes, "ImplicitlyDenied");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn memory_revision_passes_only_current_roles() {
    let allowed = [
        Probe::new("ecs:RegisterTaskDefinition", ecs_arn("task-definition/checkout:43")),
        Probe::new("ecs:UpdateService", ecs_arn("service/prod/checkout")),
        Probe::new("iam:PassRole", TASK_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        Probe::new("iam:PassRole", EXECUTION_ROLE).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        // Tags copied onto the new revision as RegisterTaskDefinition creates it.
        Probe::new("ecs:TagResource", ecs_arn("task-definition/checkout:43")).with_context("ecs:CreateAction", "RegisterTaskDefinition"),
    ];
    let other_account = "210987654321";
    let denied = [
        Probe::new("iam:PassRole", role_arn(ACCOUNT, "admin")).with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        // A role whose name starts with a passable role's name is still another role.
        Probe::new("iam:PassRole", role_arn(ACCOUNT, "checkout-task-admin"))
            .with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        Probe::new("iam:PassRole", role_arn(ACCOUNT, "service-role/checkout-task"))
            .with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        Probe::new("iam:PassRole", role_arn(other_account, "checkout-task"))
            .with_context("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        // The roles may be passed to ECS tasks only.
        Probe::new("iam:PassRole", TASK_ROLE).with_context("iam:PassedToService", "lambda.amazonaws.com"),
        Probe::new("iam:PassRole", EXECUTION_ROLE).with_context("iam:PassedToService", "ec2.amazonaws.com"),
        Probe::new("ecs:RegisterTaskDefinition", format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/checkout:43")),
        Probe::new("ecs:RegisterTaskDefinition", format!("arn:aws:ecs:{REGION}:{other_account}:task-definition/checkout:43")),
        // Retagging an existing revision, or any other resource, is not tagging on create.
        Probe::new("ecs:TagResource", ecs_arn("task-definition/checkout:42")),
        Probe::new("ecs:TagResource", ecs_arn("service/prod/checkout")).with_context("ecs:CreateAction", "RegisterTaskDefinition"),
    ];

    let mut failures = remediator_mismatches(&scope(), &allowed, "Allowed");
    failures.extend(remediator_mismatches(&scope(), &denied, "ImplicitlyDenied"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Context values are `&'static str`; a test process may leak the few it builds.
fn leak(value: String) -> &'static str {
    Box::leak(value.into_boxed_str())
}
