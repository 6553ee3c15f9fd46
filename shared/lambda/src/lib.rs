//! Code every CauseFlow Lambda function shares: how an error reaches Step Functions (its
//! `errorType` is what `Retry` and `Catch` match on), JSON tracing, and the runtime loop.

pub mod approval;
mod evidence;
mod platform;
mod sealing;

use std::future::Future;

use causeflow_aws::AwsError;
use serde_json::Value;

pub use evidence::{mask_evidence, store_evidence, EvidenceSummary};
pub use platform::Platform;
pub use sealing::{sealing_context, start_agent, unseal_for};

/// Error type names that the state machine retries.
pub const TRANSIENT_ERROR: &str = "TransientAwsError";

/// A handler failure as Step Functions receives it: an error name and a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {message}")]
pub struct Failure {
    pub error_type: String,
    pub message: String,
}

impl Failure {
    pub fn new(error_type: &str, message: impl Into<String>) -> Failure {
        Failure { error_type: error_type.to_string(), message: message.into() }
    }

    /// Invalid input: the handler changed nothing.
    pub fn invalid_input(message: impl Into<String>) -> Failure {
        Failure::new("InvalidInput", message)
    }
}

impl From<AwsError> for Failure {
    fn from(error: AwsError) -> Failure {
        let error_type = if error.is_transient() { TRANSIENT_ERROR } else { "AwsError" };
        Failure::new(error_type, error.to_string())
    }
}

/// Decodes a handler's input, naming the field at fault.
pub fn decode_input<T: serde::de::DeserializeOwned>(input: Value, function: &str) -> Result<T, Failure> {
    serde_json::from_value(input).map_err(|error| Failure::invalid_input(format!("{function} input is invalid: {error}")))
}

/// Encodes a handler's output.
pub fn encode_output<T: serde::Serialize>(output: &T) -> Result<Value, Failure> {
    serde_json::to_value(output).map_err(|error| Failure::new("InternalError", format!("output does not encode: {error}")))
}

/// JSON logs on stdout, as CloudWatch Logs expects from a Lambda function.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .try_init();
}

/// Runs the Lambda runtime loop with a handler over JSON values.
pub async fn serve<H, Fut>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(Value) -> Fut,
    Fut: Future<Output = Result<Value, Failure>>,
{
    init_tracing();
    lambda_runtime::run(lambda_runtime::service_fn(|event: lambda_runtime::LambdaEvent<Value>| {
        let future = handler(event.payload);
        async move {
            future.await.map_err(|failure| lambda_runtime::Diagnostic {
                error_type: failure.error_type,
                error_message: failure.message,
            })
        }
    }))
    .await
}

/// Defines `main` for a function binary: builds the [`Platform`] from the environment and
/// serves `handler` (an `async fn(&Platform, Value) -> Result<Value, Failure>`).
#[macro_export]
macro_rules! lambda_main {
    ($handler:path) => {
        #[tokio::main]
        async fn main() -> Result<(), lambda_runtime::Error> {
            let platform = $crate::Platform::from_env().await?;
            $crate::serve(move |input| {
                let platform = platform.clone();
                async move { $handler(&platform, input).await }
            })
            .await
        }
    };
}
