//! Step Functions task callbacks: how a decision reaches the execution that waits for it.

use serde_json::Value;
use tracing::{info, warn};

use crate::error::{classify, error_code};
use crate::AwsError;

/// Error codes with which Step Functions reports that the task no longer waits for this token.
const CLOSED_TASK_CODES: [&str; 3] = ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"];

/// The result of sending a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackDelivery {
    Delivered,
    /// The task had already ended (it timed out, or a callback for it arrived before), so
    /// Step Functions ignored this one. Carries the error code it returned.
    TaskClosed(String),
}

#[derive(Clone)]
pub struct StepFunctions {
    client: aws_sdk_sfn::Client,
}

impl StepFunctions {
    pub fn new(config: &aws_config::SdkConfig) -> StepFunctions {
        StepFunctions { client: aws_sdk_sfn::Client::new(config) }
    }

    /// Completes the waiting task with `output` as its result.
    #[tracing::instrument(skip_all)]
    pub async fn send_task_success(&self, task_token: &str, output: &Value) -> Result<CallbackDelivery, AwsError> {
        let result = self.client.send_task_success().task_token(task_token).output(output.to_string()).send().await;
        match result {
            Ok(_) => {
                info!("sent task success");
                Ok(CallbackDelivery::Delivered)
            }
            Err(error) => closed_or_error(error_code(&error).map(str::to_string), || classify("states", "SendTaskSuccess", error)),
        }
    }

    /// Fails the waiting task with a named error, which the state machine's Catch matches.
    #[tracing::instrument(skip_all, fields(error_name = error_name))]
    pub async fn send_task_failure(&self, task_token: &str, error_name: &str, cause: &str) -> Result<CallbackDelivery, AwsError> {
        let result = self.client.send_task_failure().task_token(task_token).error(error_name).cause(cause).send().await;
        match result {
            Ok(_) => {
                info!("sent task failure");
                Ok(CallbackDelivery::Delivered)
            }
            Err(error) => closed_or_error(error_code(&error).map(str::to_string), || classify("states", "SendTaskFailure", error)),
        }
    }
}

fn closed_or_error(code: Option<String>, classify: impl FnOnce() -> AwsError) -> Result<CallbackDelivery, AwsError> {
    match code {
        Some(code) if CLOSED_TASK_CODES.contains(&code.as_str()) => {
            warn!(code, "task no longer waits for this token; callback ignored");
            Ok(CallbackDelivery::TaskClosed(code))
        }
        _ => Err(classify()),
    }
}
