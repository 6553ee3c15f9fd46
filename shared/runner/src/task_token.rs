//! Task tokens of `.waitForTaskToken` tasks, and the `SendTask*` calls that complete them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::mpsc;

/// Length of a token: 64 hexadecimal digits from two random version 4 UUIDs, so 244 random bits.
const TOKEN_HEX_DIGITS: usize = 64;
/// Limits that the Step Functions API enforces on `SendTaskSuccess` and `SendTaskFailure`.
const MAX_OUTPUT_BYTES: usize = 262_144;
const MAX_ERROR_CHARS: usize = 256;
const MAX_CAUSE_CHARS: usize = 32_768;

/// A callback delivered to a waiting task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Signal {
    Success(Value),
    Failure { error: String, cause: String },
    Heartbeat,
}

/// A `SendTask*` call that Step Functions would reject, with the error code it returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The token is not one this runner could have issued.
    #[error("task token is not valid: expected the token from the context object `$$.Task.Token`")]
    InvalidToken,
    /// The token has the right form but no task was ever given it.
    #[error("no task has this task token; check that the token comes from this runner")]
    TaskDoesNotExist,
    /// The task already completed, failed or timed out.
    #[error("the task for this token has already been closed (it completed, failed or timed out)")]
    TaskTimedOut,
    /// `output` is not a JSON document.
    #[error("task output is not valid JSON: {reason}")]
    InvalidOutput { reason: String },
    /// A parameter is too long.
    #[error("parameter `{parameter}` is too long: {length} exceeds the limit of {limit}")]
    TooLong { parameter: &'static str, length: usize, limit: usize },
}

impl CallbackError {
    /// Returns the error code Step Functions puts in `__type` for this error.
    pub fn aws_error_code(&self) -> &'static str {
        match self {
            Self::InvalidToken => "InvalidToken",
            Self::TaskDoesNotExist => "TaskDoesNotExist",
            Self::TaskTimedOut => "TaskTimedOut",
            Self::InvalidOutput { .. } => "InvalidOutput",
            Self::TooLong { .. } => "ValidationException",
        }
    }
}

enum TokenState {
    Open(mpsc::UnboundedSender<Signal>),
    Closed,
}

/// The task tokens of one runner, shared by its executions and its callback server.
#[derive(Clone, Default)]
pub struct TaskCallbacks {
    tokens: Arc<Mutex<HashMap<String, TokenState>>>,
}

impl std::fmt::Debug for TaskCallbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskCallbacks").finish_non_exhaustive()
    }
}

/// A task waiting for its token; dropping it closes the token, so a late callback gets
/// `TaskTimedOut` as it would from Step Functions.
pub(crate) struct PendingTask {
    token: String,
    signals: mpsc::UnboundedReceiver<Signal>,
    callbacks: TaskCallbacks,
}

impl PendingTask {
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Waits for the next callback. `None` means the token's sender is gone, which the
    /// registry prevents while the token is open.
    pub(crate) async fn next_signal(&mut self) -> Option<Signal> {
        self.signals.recv().await
    }
}

impl Drop for PendingTask {
    fn drop(&mut self) {
        self.callbacks.close(&self.token);
    }
}

impl TaskCallbacks {
    /// Issues a fresh random token for a task that is about to wait.
    pub(crate) fn issue(&self) -> PendingTask {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let (sender, signals) = mpsc::unbounded_channel();
        self.lock().insert(token.clone(), TokenState::Open(sender));
        PendingTask {
            token,
            signals,
            callbacks: self.clone(),
        }
    }

    /// Completes the task with `output`, which must be a JSON document.
    ///
    /// Invalid output leaves the task waiting, as in Step Functions.
    pub fn send_task_success(&self, token: &str, output: &str) -> Result<(), CallbackError> {
        check_length("output", output.len(), MAX_OUTPUT_BYTES)?;
        let sender = self.open_sender(token)?;
        let output: Value = serde_json::from_str(output).map_err(|error| CallbackError::InvalidOutput {
            reason: error.to_string(),
        })?;
        self.deliver(token, &sender, Signal::Success(output), true)
    }

    /// Fails the task with `error` and `cause`; Retry and Catch then apply as to any task error.
    pub fn send_task_failure(&self, token: &str, error: Option<&str>, cause: Option<&str>) -> Result<(), CallbackError> {
        let error = error.unwrap_or_default();
        let cause = cause.unwrap_or_default();
        check_length("error", error.chars().count(), MAX_ERROR_CHARS)?;
        check_length("cause", cause.chars().count(), MAX_CAUSE_CHARS)?;
        let sender = self.open_sender(token)?;
        let signal = Signal::Failure {
            error: error.to_owned(),
            cause: cause.to_owned(),
        };
        self.deliver(token, &sender, signal, true)
    }

    /// Resets the task's `HeartbeatSeconds` clock.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        let sender = self.open_sender(token)?;
        self.deliver(token, &sender, Signal::Heartbeat, false)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TokenState>> {
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn open_sender(&self, token: &str) -> Result<mpsc::UnboundedSender<Signal>, CallbackError> {
        if token.len() != TOKEN_HEX_DIGITS || !token.bytes().all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase()) {
            return Err(CallbackError::InvalidToken);
        }
        match self.lock().get(token) {
            None => Err(CallbackError::TaskDoesNotExist),
            Some(TokenState::Closed) => Err(CallbackError::TaskTimedOut),
            Some(TokenState::Open(sender)) => Ok(sender.clone()),
        }
    }

    /// Sends `signal`, closing the token first when it ends the task so that a second call
    /// racing this one gets `TaskTimedOut`.
    fn deliver(&self, token: &str, sender: &mpsc::UnboundedSender<Signal>, signal: Signal, closes: bool) -> Result<(), CallbackError> {
        if closes {
            let mut tokens = self.lock();
            match tokens.get(token) {
                Some(TokenState::Open(_)) => {
                    tokens.insert(token.to_owned(), TokenState::Closed);
                }
                _ => return Err(CallbackError::TaskTimedOut),
            }
        }
        sender.send(signal).map_err(|_| CallbackError::TaskTimedOut)
    }

    fn close(&self, token: &str) {
        if let Some(state) = self.lock().get_mut(token) {
            *state = TokenState::Closed;
        }
    }
}

fn check_length(parameter: &'static str, length: usize, limit: usize) -> Result<(), CallbackError> {
    if length > limit {
        return Err(CallbackError::TooLong { parameter, length, limit });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn success_is_delivered_once() {
        let callbacks = TaskCallbacks::default();
        let mut pending = callbacks.issue();
        let token = pending.token().to_owned();

        callbacks.send_task_success(&token, r#"{"approved": true}"#).unwrap();
        let replay = callbacks.send_task_success(&token, r#"{"approved": false}"#);

        assert_eq!(pending.next_signal().await, Some(Signal::Success(json!({"approved": true}))));
        assert_eq!(replay, Err(CallbackError::TaskTimedOut));
    }

    #[test]
    fn invalid_output_keeps_task_open() {
        let callbacks = TaskCallbacks::default();
        let pending = callbacks.issue();

        let error = callbacks.send_task_success(pending.token(), "{not json").unwrap_err();

        assert!(matches!(error, CallbackError::InvalidOutput { .. }), "{error}");
        assert_eq!(callbacks.send_task_heartbeat(pending.token()), Ok(()));
    }

    #[test]
    fn malformed_and_unknown_tokens() {
        let callbacks = TaskCallbacks::default();

        assert_eq!(callbacks.send_task_heartbeat("short"), Err(CallbackError::InvalidToken));
        assert_eq!(callbacks.send_task_heartbeat(&"a".repeat(64)), Err(CallbackError::TaskDoesNotExist));
    }

    #[test]
    fn dropped_task_closes_token() {
        let callbacks = TaskCallbacks::default();
        let token = callbacks.issue().token().to_owned();

        assert_eq!(callbacks.send_task_success(&token, "{}"), Err(CallbackError::TaskTimedOut));
    }

    #[test]
    fn tokens_are_distinct() {
        let callbacks = TaskCallbacks::default();

        let first = callbacks.issue();
        let second = callbacks.issue();

        assert_ne!(first.token(), second.token());
        assert_eq!(first.token().len(), 64);
    }
}
