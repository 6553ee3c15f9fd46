//! The execution history: events named as in Step Functions' `GetExecutionHistory`, a live
//! feed of them, and a text rendering a person can read.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

/// Longest JSON document printed in full by the text rendering; longer ones are cut and marked.
const MAX_RENDERED_JSON_CHARS: usize = 400;

/// The type of a history event, spelled as Step Functions spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum HistoryEventType {
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    TaskStateEntered,
    TaskStateExited,
    TaskScheduled,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    ParallelStateEntered,
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    ParallelStateExited,
    ChoiceStateEntered,
    ChoiceStateExited,
    PassStateEntered,
    PassStateExited,
    WaitStateEntered,
    WaitStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
}

impl HistoryEventType {
    /// Returns the name as it appears in `GetExecutionHistory`, such as `TaskStateEntered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExecutionStarted => "ExecutionStarted",
            Self::ExecutionSucceeded => "ExecutionSucceeded",
            Self::ExecutionFailed => "ExecutionFailed",
            Self::ExecutionTimedOut => "ExecutionTimedOut",
            Self::TaskStateEntered => "TaskStateEntered",
            Self::TaskStateExited => "TaskStateExited",
            Self::TaskScheduled => "TaskScheduled",
            Self::TaskStarted => "TaskStarted",
            Self::TaskSubmitted => "TaskSubmitted",
            Self::TaskSucceeded => "TaskSucceeded",
            Self::TaskFailed => "TaskFailed",
            Self::TaskTimedOut => "TaskTimedOut",
            Self::ParallelStateEntered => "ParallelStateEntered",
            Self::ParallelStateStarted => "ParallelStateStarted",
            Self::ParallelStateSucceeded => "ParallelStateSucceeded",
            Self::ParallelStateFailed => "ParallelStateFailed",
            Self::ParallelStateExited => "ParallelStateExited",
            Self::ChoiceStateEntered => "ChoiceStateEntered",
            Self::ChoiceStateExited => "ChoiceStateExited",
            Self::PassStateEntered => "PassStateEntered",
            Self::PassStateExited => "PassStateExited",
            Self::WaitStateEntered => "WaitStateEntered",
            Self::WaitStateExited => "WaitStateExited",
            Self::SucceedStateEntered => "SucceedStateEntered",
            Self::SucceedStateExited => "SucceedStateExited",
            Self::FailStateEntered => "FailStateEntered",
        }
    }
}

impl fmt::Display for HistoryEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event of an execution's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEvent {
    /// Position in the history, starting at 1.
    pub id: u64,
    /// Wall-clock time the event was recorded.
    pub timestamp: DateTime<Utc>,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: HistoryEventType,
    /// The state the event belongs to; `None` for execution-level events.
    pub state_name: Option<String>,
    /// For task events, the Task's `Resource` or the Lambda function name.
    pub resource: Option<String>,
    /// The state input on `...StateEntered`, the request on `TaskScheduled`, the execution
    /// input on `ExecutionStarted`.
    pub input: Option<Value>,
    /// The state output on `...StateExited`, the task result on `TaskSucceeded`, the execution
    /// output on `ExecutionSucceeded`.
    pub output: Option<Value>,
    /// Error name on failure and timeout events.
    pub error: Option<String>,
    /// Error cause on failure and timeout events.
    pub cause: Option<String>,
}

/// The optional parts of an event; the recorder adds id, time and type.
#[derive(Debug, Default, Clone)]
pub(crate) struct EventDetails {
    pub(crate) state_name: Option<String>,
    pub(crate) resource: Option<String>,
    pub(crate) input: Option<Value>,
    pub(crate) output: Option<Value>,
    pub(crate) error: Option<String>,
    pub(crate) cause: Option<String>,
}

impl EventDetails {
    pub(crate) fn state(name: &str) -> Self {
        Self {
            state_name: Some(name.to_owned()),
            ..Self::default()
        }
    }

    pub(crate) fn input(mut self, input: &Value) -> Self {
        self.input = Some(input.clone());
        self
    }

    pub(crate) fn output(mut self, output: &Value) -> Self {
        self.output = Some(output.clone());
        self
    }

    pub(crate) fn resource(mut self, resource: &str) -> Self {
        self.resource = Some(resource.to_owned());
        self
    }

    pub(crate) fn failure(mut self, error: &str, cause: &str) -> Self {
        self.error = Some(error.to_owned());
        self.cause = Some(cause.to_owned());
        self
    }
}

/// Appends events to an execution's history and forwards each to the live feed.
#[derive(Clone)]
pub(crate) struct HistoryRecorder {
    events: Arc<Mutex<Vec<HistoryEvent>>>,
    feed: mpsc::UnboundedSender<HistoryEvent>,
}

impl HistoryRecorder {
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<HistoryEvent>) {
        let (feed, receiver) = mpsc::unbounded_channel();
        let recorder = Self {
            events: Arc::new(Mutex::new(Vec::new())),
            feed,
        };
        (recorder, receiver)
    }

    pub(crate) fn record(&self, event_type: HistoryEventType, details: EventDetails) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let event = HistoryEvent {
            id: events.len() as u64 + 1,
            timestamp: Utc::now(),
            event_type,
            state_name: details.state_name,
            resource: details.resource,
            input: details.input,
            output: details.output,
            error: details.error,
            cause: details.cause,
        };
        events.push(event.clone());
        // A dropped receiver means no caller reads the live feed, and the history still keeps the event.
        let _ = self.feed.send(event);
    }

    pub(crate) fn snapshot(&self) -> Vec<HistoryEvent> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

impl fmt::Display for HistoryEvent {
    /// Formats the event as one line: id, time, type, state, then error or documents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>4}  {}  {:<24}",
            self.id,
            self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.event_type.as_str()
        )?;
        if let Some(state) = &self.state_name {
            write!(f, "  {state}")?;
        }
        if let Some(resource) = &self.resource {
            write!(f, "  [{resource}]")?;
        }
        if let Some(error) = &self.error {
            write!(f, "  error={error}")?;
        }
        if let Some(cause) = &self.cause {
            write!(f, "  cause={}", shorten(cause))?;
        }
        if let Some(input) = &self.input {
            write!(f, "  input={}", shorten(&input.to_string()))?;
        }
        if let Some(output) = &self.output {
            write!(f, "  output={}", shorten(&output.to_string()))?;
        }
        Ok(())
    }
}

fn shorten(text: &str) -> String {
    let total = text.chars().count();
    if total <= MAX_RENDERED_JSON_CHARS {
        return text.to_owned();
    }
    let kept: String = text.chars().take(MAX_RENDERED_JSON_CHARS).collect();
    format!("{kept}… ({} more characters)", total - MAX_RENDERED_JSON_CHARS)
}

/// Renders a history as text, one event a line, with documents longer than
/// 400 characters cut and marked.
pub fn render_history(events: &[HistoryEvent]) -> String {
    let mut text = String::new();
    for event in events {
        let _ = writeln!(text, "{event}");
    }
    text
}
