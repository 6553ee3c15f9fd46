//! Walks the states of an execution: transitions, Choice, Pass, Wait, Succeed, Fail, and the
//! Retry and Catch handling shared by Task and Parallel states.

use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::{json, Value};

use crate::data_flow::{error_output, merge_result, select};
use crate::definition::{Branch, ChoiceState, FailState, ParallelState, PassState, Seconds, State, StateKind, StateMachine, Text, WaitState};
use crate::execution::{ExecutionOutcome, ExecutionStatus};
use crate::history::{EventDetails, HistoryEventType as Event, HistoryRecorder};
use crate::invoker::LambdaInvoker;
use crate::retry::{first_match, Catcher, Retrier};
use crate::state_error::{StateError, STATES_NO_CHOICE_MATCHED, STATES_TIMEOUT};
use crate::task_token::TaskCallbacks;

/// Execution facts exposed through the context object `$$`.
#[derive(Debug, Clone)]
pub(crate) struct ExecutionInfo {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) start_time: String,
    pub(crate) input: Value,
    pub(crate) state_machine_arn: String,
    pub(crate) state_machine_name: String,
}

impl ExecutionInfo {
    /// Builds the context object for one attempt of one state.
    pub(crate) fn context(&self, state_name: &str, entered_time: &str, retry_count: u64, task_token: Option<&str>) -> Value {
        let mut context = json!({
            "Execution": {
                "Id": self.arn,
                "Name": self.name,
                "StartTime": self.start_time,
                "Input": self.input,
            },
            "StateMachine": {
                "Id": self.state_machine_arn,
                "Name": self.state_machine_name,
            },
            "State": {
                "Name": state_name,
                "EnteredTime": entered_time,
                "RetryCount": retry_count,
            },
        });
        if let Some(token) = task_token {
            context["Task"] = json!({ "Token": token });
        }
        context
    }
}

/// One execution's interpreter, owned by the tokio task that runs it.
pub(crate) struct Interpreter {
    pub(crate) machine: Arc<StateMachine>,
    pub(crate) execution: ExecutionInfo,
    pub(crate) invoker: Arc<dyn LambdaInvoker>,
    pub(crate) callbacks: TaskCallbacks,
    pub(crate) history: HistoryRecorder,
}

/// Transition taken after a state.
enum Step {
    Next(String, Value),
    End(Value),
}

pub(crate) fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Interpreter {
    /// Runs the execution to its end and records the closing event.
    pub(crate) async fn execute(self, input: Value) -> ExecutionOutcome {
        tracing::info!(execution = %self.execution.arn, "execution started");
        self.history.record(Event::ExecutionStarted, EventDetails::default().input(&input));

        let run = self.run_branch(&self.machine.root, input);
        let result = match self.machine.timeout_seconds {
            Some(seconds) => tokio::time::timeout(Duration::from_secs(seconds), run).await.ok(),
            None => Some(run.await),
        };

        let (status, output, error) = match result {
            None => {
                let error = StateError::new(STATES_TIMEOUT, "The execution ran past the state machine's TimeoutSeconds");
                self.history
                    .record(Event::ExecutionTimedOut, EventDetails::default().failure(&error.error, &error.cause));
                (ExecutionStatus::TimedOut, None, Some(error))
            }
            Some(Ok(output)) => {
                self.history.record(Event::ExecutionSucceeded, EventDetails::default().output(&output));
                (ExecutionStatus::Succeeded, Some(output), None)
            }
            Some(Err(error)) => {
                self.history
                    .record(Event::ExecutionFailed, EventDetails::default().failure(&error.error, &error.cause));
                (ExecutionStatus::Failed, None, Some(error))
            }
        };
        tracing::info!(execution = %self.execution.arn, status = ?status, "execution ended");

        ExecutionOutcome {
            status,
            output,
            error: error.as_ref().map(|e| e.error.clone()).filter(|name| !name.is_empty()),
            cause: error.map(|e| e.cause).filter(|cause| !cause.is_empty()),
            history: self.history.snapshot(),
        }
    }

    /// Runs a `StartAt`/`States` block from its start to an end, returning its output.
    pub(crate) fn run_branch<'a>(&'a self, branch: &'a Branch, input: Value) -> BoxFuture<'a, Result<Value, StateError>> {
        async move {
            let mut name = branch.start_at.clone();
            let mut input = input;
            loop {
                let state = branch
                    .states
                    .get(&name)
                    .ok_or_else(|| StateError::runtime(format!("state `{name}` does not exist in this branch")))?;
                match self.run_state(state, input).await? {
                    Step::Next(next, output) => {
                        name = next;
                        input = output;
                    }
                    Step::End(output) => return Ok(output),
                }
            }
        }
        .boxed()
    }

    async fn run_state(&self, state: &State, input: Value) -> Result<Step, StateError> {
        let entered_time = now_rfc3339();
        let context = self.execution.context(&state.name, &entered_time, 0, None);
        match &state.kind {
            StateKind::Task(task) => {
                self.run_guarded(state, &task.retry, &task.catch, input, &entered_time, Event::TaskStateEntered, Event::TaskStateExited)
                    .await
            }
            StateKind::Parallel(parallel) => {
                self.run_guarded(
                    state,
                    &parallel.retry,
                    &parallel.catch,
                    input,
                    &entered_time,
                    Event::ParallelStateEntered,
                    Event::ParallelStateExited,
                )
                .await
            }
            StateKind::Choice(choice) => self.run_choice(state, choice, input, &context),
            StateKind::Pass(pass) => self.run_pass(state, pass, input, &context),
            StateKind::Wait(wait) => self.run_wait(state, wait, input, &context).await,
            StateKind::Succeed => {
                self.history.record(Event::SucceedStateEntered, EventDetails::state(&state.name).input(&input));
                let effective = select(&state.input_path, "InputPath", &input, &context)?;
                let output = select(&state.output_path, "OutputPath", &effective, &context)?;
                self.history.record(Event::SucceedStateExited, EventDetails::state(&state.name).output(&output));
                Ok(Step::End(output))
            }
            StateKind::Fail(fail) => Err(self.run_fail(state, fail, &input, &context)),
        }
    }

    fn transition(state: &State, output: Value) -> Step {
        match &state.next {
            Some(next) => Step::Next(next.clone(), output),
            None => Step::End(output),
        }
    }

    /// Runs a Task or Parallel state, retrying and catching its errors.
    #[allow(clippy::too_many_arguments)]
    async fn run_guarded(
        &self,
        state: &State,
        retriers: &[Retrier],
        catchers: &[Catcher],
        raw_input: Value,
        entered_time: &str,
        entered: Event,
        exited: Event,
    ) -> Result<Step, StateError> {
        self.history.record(entered, EventDetails::state(&state.name).input(&raw_input));
        let mut attempts_per_retrier = vec![0u64; retriers.len()];
        let mut retry_count = 0u64;

        loop {
            let attempt = match &state.kind {
                StateKind::Task(task) => self.attempt_task(state, task, &raw_input, entered_time, retry_count).await,
                StateKind::Parallel(parallel) => self.attempt_parallel(state, parallel, &raw_input, entered_time, retry_count).await,
                _ => Err(StateError::runtime(format!("state `{}` is neither a Task nor a Parallel state", state.name))),
            };
            let error = match attempt {
                Ok(output) => {
                    self.history.record(exited, EventDetails::state(&state.name).output(&output));
                    return Ok(Self::transition(state, output));
                }
                Err(error) => error,
            };

            // Only the first retrier that matches counts, even when its attempts are used up.
            if let Some((index, retrier)) = first_match(retriers, &error, |retrier| &retrier.error_equals) {
                if attempts_per_retrier[index] < retrier.max_attempts {
                    let delay = retrier.delay(attempts_per_retrier[index]);
                    attempts_per_retrier[index] += 1;
                    retry_count += 1;
                    tracing::info!(
                        state = %state.name,
                        error = %error.error,
                        retry = retry_count,
                        delay_ms = delay.as_millis() as u64,
                        "retrying state"
                    );
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }

            if let Some((_, catcher)) = first_match(catchers, &error, |catcher| &catcher.error_equals) {
                tracing::info!(state = %state.name, error = %error.error, next = %catcher.next, "caught state error");
                let output = merge_result(&catcher.result_path, &raw_input, error_output(&error))?;
                self.history.record(exited, EventDetails::state(&state.name).output(&output));
                return Ok(Step::Next(catcher.next.clone(), output));
            }
            return Err(error);
        }
    }

    async fn attempt_parallel(
        &self,
        state: &State,
        parallel: &ParallelState,
        raw_input: &Value,
        entered_time: &str,
        retry_count: u64,
    ) -> Result<Value, StateError> {
        let context = self.execution.context(&state.name, entered_time, retry_count, None);
        let effective = select(&state.input_path, "InputPath", raw_input, &context)?;
        let branch_input = match &parallel.parameters {
            Some(template) => template.evaluate(&effective, &context)?,
            None => effective,
        };
        self.history.record(Event::ParallelStateStarted, EventDetails::state(&state.name));

        // Branches run concurrently on this task; the first failure drops the others, which
        // closes their task tokens.
        let runs = parallel.branches.iter().map(|branch| self.run_branch(branch, branch_input.clone()));
        let outputs = match futures::future::try_join_all(runs).await {
            Ok(outputs) => outputs,
            Err(error) => {
                self.history.record(
                    Event::ParallelStateFailed,
                    EventDetails::state(&state.name).failure(&error.error, &error.cause),
                );
                return Err(error);
            }
        };
        self.history.record(Event::ParallelStateSucceeded, EventDetails::state(&state.name));

        let result = Value::Array(outputs);
        let selected = match &parallel.result_selector {
            Some(template) => template.evaluate(&result, &context)?,
            None => result,
        };
        let merged = merge_result(&parallel.result_path, raw_input, selected)?;
        select(&state.output_path, "OutputPath", &merged, &context)
    }

    fn run_choice(&self, state: &State, choice: &ChoiceState, input: Value, context: &Value) -> Result<Step, StateError> {
        self.history.record(Event::ChoiceStateEntered, EventDetails::state(&state.name).input(&input));
        let effective = select(&state.input_path, "InputPath", &input, context)?;

        let mut next = None;
        for branch in &choice.choices {
            if branch.rule.evaluate(&effective, context)? {
                next = Some(branch.next.clone());
                break;
            }
        }
        let next = next.or_else(|| choice.default.clone()).ok_or_else(|| {
            StateError::new(
                STATES_NO_CHOICE_MATCHED,
                format!("No Choice rule matched the input of state '{}' and it has no Default", state.name),
            )
        })?;

        let output = select(&state.output_path, "OutputPath", &effective, context)?;
        self.history.record(Event::ChoiceStateExited, EventDetails::state(&state.name).output(&output));
        Ok(Step::Next(next, output))
    }

    fn run_pass(&self, state: &State, pass: &PassState, input: Value, context: &Value) -> Result<Step, StateError> {
        self.history.record(Event::PassStateEntered, EventDetails::state(&state.name).input(&input));
        let effective = select(&state.input_path, "InputPath", &input, context)?;
        let result = match (&pass.result, &pass.parameters) {
            (Some(result), _) => result.clone(),
            (None, Some(template)) => template.evaluate(&effective, context)?,
            (None, None) => effective,
        };
        let merged = merge_result(&pass.result_path, &input, result)?;
        let output = select(&state.output_path, "OutputPath", &merged, context)?;
        self.history.record(Event::PassStateExited, EventDetails::state(&state.name).output(&output));
        Ok(Self::transition(state, output))
    }

    async fn run_wait(&self, state: &State, wait: &WaitState, input: Value, context: &Value) -> Result<Step, StateError> {
        self.history.record(Event::WaitStateEntered, EventDetails::state(&state.name).input(&input));
        let effective = select(&state.input_path, "InputPath", &input, context)?;
        let until = |timestamp: chrono::DateTime<chrono::FixedOffset>| {
            (timestamp.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or(Duration::ZERO)
        };
        let duration = match wait {
            WaitState::Seconds(seconds) => resolve_seconds(seconds, "SecondsPath", &effective, context)?,
            WaitState::Timestamp(timestamp) => until(*timestamp),
            WaitState::TimestampPath(path) => {
                let value = path.resolve(&effective, context).and_then(Value::as_str).ok_or_else(|| {
                    StateError::runtime(format!("The TimestampPath '{path}' does not point to a timestamp string in the input"))
                })?;
                let timestamp = chrono::DateTime::parse_from_rfc3339(value)
                    .map_err(|error| StateError::runtime(format!("The TimestampPath '{path}' value '{value}' is not RFC 3339: {error}")))?;
                until(timestamp)
            }
        };
        tokio::time::sleep(duration).await;
        let output = select(&state.output_path, "OutputPath", &effective, context)?;
        self.history.record(Event::WaitStateExited, EventDetails::state(&state.name).output(&output));
        Ok(Self::transition(state, output))
    }

    fn run_fail(&self, state: &State, fail: &FailState, input: &Value, context: &Value) -> StateError {
        self.history.record(Event::FailStateEntered, EventDetails::state(&state.name).input(input));
        let text = |source: &Option<Text>, field: &str| -> Result<String, StateError> {
            match source {
                None => Ok(String::new()),
                Some(Text::Literal(text)) => Ok(text.clone()),
                Some(Text::Path(path)) => match path.resolve(input, context) {
                    Some(Value::String(text)) => Ok(text.clone()),
                    _ => Err(StateError::runtime(format!(
                        "The {field} '{path}' of state '{}' does not point to a string in the input",
                        state.name
                    ))),
                },
            }
        };
        match (text(&fail.error, "ErrorPath"), text(&fail.cause, "CausePath")) {
            (Ok(error), Ok(cause)) => StateError::new(error, cause),
            (Err(runtime), _) | (_, Err(runtime)) => runtime,
        }
    }
}

/// Resolves a literal number of seconds or a `...Path` to one.
pub(crate) fn resolve_seconds(seconds: &Seconds, field: &str, input: &Value, context: &Value) -> Result<Duration, StateError> {
    match seconds {
        Seconds::Fixed(value) => Ok(Duration::from_secs(*value)),
        Seconds::Path(path) => path
            .resolve(input, context)
            .and_then(Value::as_u64)
            .map(Duration::from_secs)
            .ok_or_else(|| StateError::runtime(format!("The {field} '{path}' does not point to a non-negative whole number in the input"))),
    }
}
