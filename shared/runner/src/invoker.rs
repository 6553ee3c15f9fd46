//! The boundary between the runner and the Lambda handlers it dispatches to.

use async_trait::async_trait;
use serde_json::Value;

/// A failed Lambda invocation, as Step Functions reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct TaskFailure {
    /// The Lambda `errorType`, matched by `ErrorEquals` in Retry and Catch.
    pub error: String,
    /// Detail of the failure, usually the Lambda error document as JSON text.
    pub cause: String,
}

impl TaskFailure {
    /// Builds a failure with the given error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// Runs the Lambda function that a Task names, in process.
///
/// The runner calls it for every `lambda:invoke` and `lambda:invoke.waitForTaskToken` task.
#[async_trait]
pub trait LambdaInvoker: Send + Sync {
    /// Invokes `function_name`, exactly the `FunctionName` of the Task's `Parameters` after
    /// substitution (usually a Lambda ARN), with the evaluated `Payload`.
    ///
    /// Returns the handler's output document, or the failure that Retry and Catch match on.
    async fn invoke(&self, function_name: &str, payload: Value) -> Result<Value, TaskFailure>;
}
