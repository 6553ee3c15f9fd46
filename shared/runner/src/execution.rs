//! A running execution: its handle, its live event feed and its final outcome.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::history::{HistoryEvent, HistoryRecorder};
use crate::state_error::STATES_RUNTIME;

/// Final status of an execution, as `DescribeExecution` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    Succeeded,
    Failed,
    TimedOut,
}

/// The result of a finished execution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionOutcome {
    /// Final status.
    pub status: ExecutionStatus,
    /// The final output; only on success.
    pub output: Option<Value>,
    /// The error name on failure or timeout; `None` when a Fail state gave no `Error`.
    pub error: Option<String>,
    /// The error cause on failure or timeout; `None` when there was none.
    pub cause: Option<String>,
    /// Every event of the execution, in order.
    pub history: Vec<HistoryEvent>,
}

/// A started execution. Await it (or call [`Execution::outcome`]) for the result.
pub struct Execution {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) history: HistoryRecorder,
    pub(crate) feed: Option<mpsc::UnboundedReceiver<HistoryEvent>>,
    pub(crate) handle: JoinHandle<ExecutionOutcome>,
}

impl std::fmt::Debug for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Execution").field("arn", &self.arn).finish_non_exhaustive()
    }
}

impl Execution {
    /// Returns the execution ARN, also `$$.Execution.Id`.
    pub fn execution_arn(&self) -> &str {
        &self.arn
    }

    /// Returns the execution name given to `start_execution`, also `$$.Execution.Name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns a copy of the events recorded so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.history.snapshot()
    }

    /// Takes the live feed, which yields every event as it is recorded, from
    /// `ExecutionStarted` on; `None` after the first call.
    pub fn take_event_feed(&mut self) -> Option<mpsc::UnboundedReceiver<HistoryEvent>> {
        self.feed.take()
    }

    /// Waits for the execution to end.
    pub async fn outcome(self) -> ExecutionOutcome {
        match self.handle.await {
            Ok(outcome) => outcome,
            // Only a panic inside the runner itself lands here; handler panics become task errors.
            Err(join_error) => ExecutionOutcome {
                status: ExecutionStatus::Failed,
                output: None,
                error: Some(STATES_RUNTIME.to_owned()),
                cause: Some(format!("The local runner stopped this execution unexpectedly: {join_error}")),
                history: self.history.snapshot(),
            },
        }
    }
}

impl IntoFuture for Execution {
    type Output = ExecutionOutcome;
    type IntoFuture = Pin<Box<dyn Future<Output = ExecutionOutcome> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.outcome())
    }
}
