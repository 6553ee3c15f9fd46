//! Local Step Functions runner: executes an Amazon States Language definition in process.
//!
//! [`Runner::new`] substitutes `${Name}` placeholders (as SAM's `DefinitionSubstitutions`
//! does), then validates the whole definition up front. A state type, field, `Resource`,
//! path or intrinsic function that the runner cannot execute as Step Functions would is an
//! [`AslError`] naming the state and the field, never a silent skip.
//!
//! Supported: Task (`arn:aws:states:::lambda:invoke` and `...lambda:invoke.waitForTaskToken`,
//! each dispatched to a [`LambdaInvoker`]), Parallel, Choice, Pass, Wait, Succeed and Fail;
//! Retry, Catch, `TimeoutSeconds`, `HeartbeatSeconds`, InputPath, Parameters, ResultSelector,
//! ResultPath, OutputPath, the context object and the common intrinsic functions. Map and
//! JSONata are not supported.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::HashMap;
//! use std::sync::Arc;
//! use causeflow_runner::{LambdaHandlers, Runner};
//!
//! let handlers = LambdaHandlers::new().with("arn:aws:lambda:us-east-1:123456789012:function:greet", |payload| async move {
//!     Ok(serde_json::json!({ "greeting": format!("hello {}", payload["name"]) }))
//! });
//! let definition = r#"{"StartAt": "Greet", "States": {"Greet": {
//!     "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
//!     "Parameters": {"FunctionName": "${GreetArn}", "Payload.$": "$"},
//!     "ResultSelector": {"greeting.$": "$.Payload.greeting"}, "End": true}}}"#;
//! let substitutions = HashMap::from([(
//!     "GreetArn".to_owned(),
//!     "arn:aws:lambda:us-east-1:123456789012:function:greet".to_owned(),
//! )]);
//! let runner = Runner::new(definition, &substitutions, Arc::new(handlers))?;
//! let outcome = runner.start_execution("first", serde_json::json!({"name": "ada"}))?.await;
//! println!("{}", causeflow_runner::render_history(&outcome.history));
//! # Ok(()) }
//! ```

mod callback_server;
mod choice;
mod data_flow;
mod definition;
mod error;
mod execution;
mod fields;
mod handlers;
mod history;
mod interpreter;
mod intrinsic;
mod invoker;
mod jsonpath;
mod retry;
mod runner;
mod state_error;
mod substitution;
mod task;
mod task_token;
mod template;

pub use callback_server::{serve_task_callbacks, CallbackServer, CallbackServerError};
pub use definition::{LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN};
pub use error::{AslError, STATE_MACHINE_SCOPE};
pub use execution::{Execution, ExecutionOutcome, ExecutionStatus};
pub use handlers::{LambdaHandlers, RESOURCE_NOT_FOUND};
pub use history::{render_history, HistoryEvent, HistoryEventType};
pub use invoker::{LambdaInvoker, TaskFailure};
pub use runner::{Runner, StartExecutionError};
pub use state_error::{
    STATES_ALL, STATES_HEARTBEAT_TIMEOUT, STATES_NO_CHOICE_MATCHED, STATES_RESULT_PATH_MATCH_FAILURE, STATES_RUNTIME,
    STATES_TASK_FAILED, STATES_TIMEOUT,
};
pub use task::LAMBDA_UNKNOWN;
pub use task_token::{CallbackError, TaskCallbacks};
