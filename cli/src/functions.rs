//! The Lambda functions as the local runner reaches them: each `FunctionName` of the state
//! machine mapped to the function's handler, called in process.

use std::collections::HashMap;
use std::future::Future;

use causeflow_lambda::{Failure, Platform};
use causeflow_runner::{LambdaHandlers, TaskFailure};
use serde_json::Value;

/// Region and account of CauseFlow's own side in the local stack (moto's default account).
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// Each `${...}` substitution of the definition and the function it names.
pub const FUNCTIONS: [(&str, &str); 9] = [
    ("OpenInvestigationFunctionArn", open_investigation::FUNCTION_NAME),
    ("IssueCredentialsFunctionArn", issue_credentials::FUNCTION_NAME),
    ("LogAnalystFunctionArn", log_analyst::FUNCTION_NAME),
    ("MetricAnalystFunctionArn", metric_analyst::FUNCTION_NAME),
    ("InfraInspectorFunctionArn", infra_inspector::FUNCTION_NAME),
    ("AnalyzeFunctionArn", analyze::FUNCTION_NAME),
    ("RequestApprovalFunctionArn", request_approval::FUNCTION_NAME),
    ("ExpireApprovalFunctionArn", expire_approval::FUNCTION_NAME),
    ("RemediateFunctionArn", remediate::FUNCTION_NAME),
];

/// The `revoke` substitution, kept apart so that fault injection can never target it by
/// accident in the list above.
pub const REVOKE: (&str, &str) = ("RevokeFunctionArn", revoke::FUNCTION_NAME);

pub fn function_arn(function: &str) -> String {
    format!("arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT}:function:causeflow-{function}")
}

/// Builds the values SAM's `DefinitionSubstitutions` would give.
pub fn substitutions() -> HashMap<String, String> {
    FUNCTIONS.iter().chain(std::iter::once(&REVOKE)).map(|(key, function)| (key.to_string(), function_arn(function))).collect()
}

fn to_task_failure(failure: Failure) -> TaskFailure {
    TaskFailure { error: failure.error_type, cause: failure.message }
}

fn register<F, Fut>(handlers: LambdaHandlers, platform: &Platform, function: &str, handler: F) -> LambdaHandlers
where
    F: Fn(Platform, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, Failure>> + Send + 'static,
{
    let platform = platform.clone();
    handlers.with(function_arn(function), move |payload| {
        let call = handler(platform.clone(), payload);
        async move { call.await.map_err(to_task_failure) }
    })
}

/// Every function, each behind its ARN.
pub fn handlers(platform: &Platform) -> LambdaHandlers {
    let handlers = LambdaHandlers::new();
    let handlers = register(handlers, platform, open_investigation::FUNCTION_NAME, |p, input| async move { open_investigation::handle(&p, input).await });
    let handlers = register(handlers, platform, issue_credentials::FUNCTION_NAME, |p, input| async move { issue_credentials::handle(&p, input).await });
    let handlers = register(handlers, platform, log_analyst::FUNCTION_NAME, |p, input| async move { log_analyst::handle(&p, input).await });
    let handlers = register(handlers, platform, metric_analyst::FUNCTION_NAME, |p, input| async move { metric_analyst::handle(&p, input).await });
    let handlers = register(handlers, platform, infra_inspector::FUNCTION_NAME, |p, input| async move { infra_inspector::handle(&p, input).await });
    let handlers = register(handlers, platform, analyze::FUNCTION_NAME, |p, input| async move { analyze::handle(&p, input).await });
    let handlers = register(handlers, platform, request_approval::FUNCTION_NAME, |p, input| async move { request_approval::handle(&p, input).await });
    let handlers = register(handlers, platform, expire_approval::FUNCTION_NAME, |p, input| async move { expire_approval::handle(&p, input).await });
    let handlers = register(handlers, platform, remediate::FUNCTION_NAME, |p, input| async move { remediate::handle(&p, input).await });
    register(handlers, platform, revoke::FUNCTION_NAME, |p, input| async move { revoke::handle(&p, input).await })
}
