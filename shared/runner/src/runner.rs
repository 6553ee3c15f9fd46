//! The runner: a validated definition, the Lambda handlers, and the executions started on it.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::callback_server::{serve_task_callbacks, CallbackServer, CallbackServerError};
use crate::definition::{parse_state_machine, StateMachine};
use crate::error::AslError;
use crate::execution::Execution;
use crate::history::HistoryRecorder;
use crate::interpreter::{now_rfc3339, ExecutionInfo, Interpreter};
use crate::invoker::LambdaInvoker;
use crate::substitution::substitute;
use crate::task_token::TaskCallbacks;

/// Region and account in the ARNs the runner makes up; nothing is sent to AWS.
const LOCAL_REGION: &str = "us-east-1";
const LOCAL_ACCOUNT_ID: &str = "123456789012";
const DEFAULT_STATE_MACHINE_NAME: &str = "local";
/// Maximum length of an execution name in Step Functions.
const MAX_EXECUTION_NAME_CHARS: usize = 80;
/// Characters Step Functions rejects in execution names, besides whitespace and control characters.
const FORBIDDEN_NAME_CHARACTERS: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// Reasons an execution could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartExecutionError {
    /// The name breaks Step Functions' naming rules.
    #[error("execution name `{name}` is invalid: {reason}")]
    InvalidName { name: String, reason: String },
    /// This runner already started an execution with the name.
    #[error("an execution named `{name}` was already started on this runner; pick a new name")]
    ExecutionAlreadyExists { name: String },
}

/// Executes one ASL definition locally, dispatching each Lambda task to an in-process handler.
///
/// Executions run on the tokio runtime that calls [`Runner::start_execution`].
pub struct Runner {
    machine: Arc<StateMachine>,
    invoker: Arc<dyn LambdaInvoker>,
    callbacks: TaskCallbacks,
    state_machine_name: String,
    started_names: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("state_machine_name", &self.state_machine_name).finish_non_exhaustive()
    }
}

impl Runner {
    /// Substitutes `${Name}` placeholders in `definition_json`, then parses and validates it.
    ///
    /// Fails on the first placeholder without a value, and on the first state, field,
    /// resource, path or intrinsic function the runner cannot execute as Step Functions would.
    pub fn new(
        definition_json: &str,
        substitutions: &HashMap<String, String>,
        invoker: Arc<dyn LambdaInvoker>,
    ) -> Result<Self, AslError> {
        let text = substitute(definition_json, substitutions)?;
        let definition: Value =
            serde_json::from_str(&text).map_err(|error| AslError::InvalidJson { reason: error.to_string() })?;
        let machine = parse_state_machine(&definition)?;
        Ok(Self {
            machine: Arc::new(machine),
            invoker,
            callbacks: TaskCallbacks::default(),
            state_machine_name: DEFAULT_STATE_MACHINE_NAME.to_owned(),
            started_names: Mutex::new(HashSet::new()),
        })
    }

    /// Sets the state machine name used in `$$.StateMachine` and in execution ARNs.
    pub fn with_state_machine_name(mut self, name: impl Into<String>) -> Self {
        self.state_machine_name = name.into();
        self
    }

    /// Returns the state machine ARN, also `$$.StateMachine.Id`.
    pub fn state_machine_arn(&self) -> String {
        format!("arn:aws:states:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:stateMachine:{}", self.state_machine_name)
    }

    /// Starts an execution named `name` with `input` on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime, as `tokio::spawn` does.
    pub fn start_execution(&self, name: &str, input: Value) -> Result<Execution, StartExecutionError> {
        check_execution_name(name)?;
        let is_new = self
            .started_names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(name.to_owned());
        if !is_new {
            return Err(StartExecutionError::ExecutionAlreadyExists { name: name.to_owned() });
        }

        let arn = format!(
            "arn:aws:states:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:execution:{}:{name}",
            self.state_machine_name
        );
        let (history, feed) = HistoryRecorder::new();
        let interpreter = Interpreter {
            machine: Arc::clone(&self.machine),
            execution: ExecutionInfo {
                arn: arn.clone(),
                name: name.to_owned(),
                start_time: now_rfc3339(),
                input: input.clone(),
                state_machine_arn: self.state_machine_arn(),
                state_machine_name: self.state_machine_name.clone(),
            },
            invoker: Arc::clone(&self.invoker),
            callbacks: self.callbacks.clone(),
            history: history.clone(),
        };
        let handle = tokio::spawn(interpreter.execute(input));

        Ok(Execution {
            arn,
            name: name.to_owned(),
            history,
            feed: Some(feed),
            handle,
        })
    }

    /// Returns the in-process task-callback API: `SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`.
    pub fn task_callbacks(&self) -> TaskCallbacks {
        self.callbacks.clone()
    }

    /// Serves the task-callback API over HTTP on `address`, which must be a loopback address.
    pub async fn serve_task_callbacks(&self, address: SocketAddr) -> Result<CallbackServer, CallbackServerError> {
        serve_task_callbacks(self.callbacks.clone(), address).await
    }
}

fn check_execution_name(name: &str) -> Result<(), StartExecutionError> {
    let invalid = |reason: &str| StartExecutionError::InvalidName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let length = name.chars().count();
    if length == 0 || length > MAX_EXECUTION_NAME_CHARS {
        return Err(invalid("it must have 1 to 80 characters"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN_NAME_CHARACTERS.contains(c)) {
        return Err(invalid("it must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /"));
    }
    Ok(())
}
