//! One attempt of a Task state: build the request, invoke the Lambda handler, wait for the
//! task token when the resource is `.waitForTaskToken`, and enforce `TimeoutSeconds` and
//! `HeartbeatSeconds`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::data_flow::{merge_result, select};
use crate::definition::{State, TaskState};
use crate::history::{EventDetails, HistoryEventType as Event};
use crate::interpreter::{resolve_seconds, Interpreter};
use crate::invoker::{LambdaInvoker, TaskFailure};
use crate::state_error::{StateError, STATES_HEARTBEAT_TIMEOUT, STATES_TIMEOUT};
use crate::task_token::{PendingTask, Signal};

/// Error name given to a handler that panicked, the name Lambda uses for an unexpected failure.
pub const LAMBDA_UNKNOWN: &str = "Lambda.Unknown";

/// Event observed by the waiting loop.
enum Happening {
    Invoked(Result<Result<Value, TaskFailure>, tokio::task::JoinError>),
    Signalled(Option<Signal>),
    HeartbeatMissed,
}

impl Interpreter {
    pub(crate) async fn attempt_task(
        &self,
        state: &State,
        task: &TaskState,
        raw_input: &Value,
        entered_time: &str,
        retry_count: u64,
    ) -> Result<Value, StateError> {
        let pending = match task.integration {
            crate::definition::Integration::WaitForTaskToken => Some(self.callbacks.issue()),
            crate::definition::Integration::RequestResponse => None,
        };
        let token = pending.as_ref().map(|pending| pending.token().to_owned());
        let context = self.execution.context(&state.name, entered_time, retry_count, token.as_deref());

        let effective = select(&state.input_path, "InputPath", raw_input, &context)?;
        let parameters = task.parameters.evaluate(&effective, &context)?;
        let function_name = parameters
            .get("FunctionName")
            .and_then(Value::as_str)
            .ok_or_else(|| StateError::runtime(format!("The FunctionName of state '{}' did not evaluate to a string", state.name)))?
            .to_owned();
        // NOTE: Lambda receives an empty event when Payload is absent; `{}` is sent in its place.
        let payload = parameters.get("Payload").cloned().unwrap_or_else(|| json!({}));
        let timeout = task
            .timeout
            .as_ref()
            .map(|seconds| resolve_seconds(seconds, "TimeoutSecondsPath", &effective, &context))
            .transpose()?;
        let heartbeat = task
            .heartbeat
            .as_ref()
            .map(|seconds| resolve_seconds(seconds, "HeartbeatSecondsPath", &effective, &context))
            .transpose()?;

        self.history.record(
            Event::TaskScheduled,
            EventDetails::state(&state.name).resource(task.resource).input(&parameters),
        );
        self.history.record(Event::TaskStarted, EventDetails::state(&state.name).resource(task.resource));
        tracing::info!(state = %state.name, function = %function_name, retry = retry_count, "invoking Lambda handler");

        let work = self.perform(state, &function_name, payload, pending, heartbeat);
        let outcome = match timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                Err(StateError::new(
                    STATES_TIMEOUT,
                    format!("Task '{}' did not complete within TimeoutSeconds ({} s)", state.name, limit.as_secs()),
                ))
            }),
            None => work.await,
        };

        let result = match outcome {
            Ok(result) => result,
            Err(error) => {
                let event = if error.error == STATES_TIMEOUT || error.error == STATES_HEARTBEAT_TIMEOUT {
                    Event::TaskTimedOut
                } else {
                    Event::TaskFailed
                };
                self.history.record(
                    event,
                    EventDetails::state(&state.name).resource(task.resource).failure(&error.error, &error.cause),
                );
                return Err(error);
            }
        };
        self.history.record(
            Event::TaskSucceeded,
            EventDetails::state(&state.name).resource(task.resource).output(&result),
        );

        let selected = match &task.result_selector {
            Some(template) => template.evaluate(&result, &context)?,
            None => result,
        };
        let merged = merge_result(&task.result_path, raw_input, selected)?;
        select(&state.output_path, "OutputPath", &merged, &context)
    }

    /// Invokes the handler and, for a callback task, waits for the token's callback.
    ///
    /// The handler runs on its own tokio task and is never cancelled, because a Lambda
    /// invocation also runs on after Step Functions stops waiting for it.
    async fn perform(
        &self,
        state: &State,
        function_name: &str,
        payload: Value,
        mut pending: Option<PendingTask>,
        heartbeat: Option<Duration>,
    ) -> Result<Value, StateError> {
        let mut invocation: Option<JoinHandle<Result<Value, TaskFailure>>> =
            Some(spawn_invoke(Arc::clone(&self.invoker), function_name.to_owned(), payload));
        let mut heartbeat_deadline = heartbeat.map(|interval| Instant::now() + interval);

        loop {
            let happening = tokio::select! {
                joined = async {
                    match invocation.as_mut() {
                        Some(handle) => handle.await,
                        None => std::future::pending().await,
                    }
                } => Happening::Invoked(joined),
                signal = async {
                    match pending.as_mut() {
                        Some(pending) => pending.next_signal().await,
                        None => std::future::pending().await,
                    }
                } => Happening::Signalled(signal),
                () = async {
                    match heartbeat_deadline {
                        Some(deadline) => tokio::time::sleep_until(deadline).await,
                        None => std::future::pending().await,
                    }
                } => Happening::HeartbeatMissed,
            };

            match happening {
                Happening::Invoked(joined) => {
                    invocation = None;
                    let response = flatten_join(joined, function_name).map_err(|failure| StateError::new(failure.error, failure.cause))?;
                    if pending.is_none() {
                        return Ok(lambda_invoke_result(response));
                    }
                    self.history.record(Event::TaskSubmitted, EventDetails::state(&state.name).output(&lambda_invoke_result(response)));
                }
                Happening::Signalled(Some(Signal::Success(output))) => return Ok(output),
                Happening::Signalled(Some(Signal::Failure { error, cause })) => return Err(StateError::new(error, cause)),
                Happening::Signalled(Some(Signal::Heartbeat)) => {
                    heartbeat_deadline = heartbeat.map(|interval| Instant::now() + interval);
                }
                Happening::Signalled(None) => {
                    return Err(StateError::runtime(format!("The task token of state '{}' was closed while the task waited", state.name)))
                }
                Happening::HeartbeatMissed => {
                    return Err(StateError::new(
                        STATES_HEARTBEAT_TIMEOUT,
                        format!(
                            "Task '{}' received no heartbeat within HeartbeatSeconds ({} s)",
                            state.name,
                            heartbeat.unwrap_or_default().as_secs()
                        ),
                    ))
                }
            }
        }
    }
}

fn spawn_invoke(invoker: Arc<dyn LambdaInvoker>, function_name: String, payload: Value) -> JoinHandle<Result<Value, TaskFailure>> {
    tokio::spawn(async move { invoker.invoke(&function_name, payload).await })
}

fn flatten_join(joined: Result<Result<Value, TaskFailure>, tokio::task::JoinError>, function_name: &str) -> Result<Value, TaskFailure> {
    match joined {
        Ok(result) => result,
        Err(join_error) => {
            let detail = if join_error.is_panic() {
                let panic = join_error.into_panic();
                panic
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned())
            } else {
                "the handler task was cancelled".to_owned()
            };
            tracing::warn!(function = %function_name, detail = %detail, "Lambda handler panicked");
            Err(TaskFailure::new(LAMBDA_UNKNOWN, format!("The handler for {function_name} stopped unexpectedly: {detail}")))
        }
    }
}

/// Wraps a handler's output the way Step Functions' `lambda:invoke` integration returns the
/// Lambda `Invoke` response, so `ResultSelector` paths such as `$.Payload` work unchanged.
pub(crate) fn lambda_invoke_result(payload: Value) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Type": ["application/json"],
                "Date": [date],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {
            "RequestId": request_id,
        },
        "StatusCode": 200,
    })
}
