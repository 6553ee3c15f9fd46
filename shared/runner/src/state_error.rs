//! Errors raised while an execution runs, named as Step Functions names them.

/// Raised when the definition's data handling fails at run time, for example a path that does
/// not resolve; Step Functions never retries or catches it.
pub const STATES_RUNTIME: &str = "States.Runtime";
/// Raised when a task runs past `TimeoutSeconds`, or the execution past its own `TimeoutSeconds`.
pub const STATES_TIMEOUT: &str = "States.Timeout";
/// Raised when a task receives no heartbeat within `HeartbeatSeconds`.
pub const STATES_HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// Wildcard in `ErrorEquals` for every error except `States.Runtime`.
pub const STATES_ALL: &str = "States.ALL";
/// Wildcard in `ErrorEquals` for every task error except `States.Timeout` and `States.Runtime`.
pub const STATES_TASK_FAILED: &str = "States.TaskFailed";
/// Raised when a Choice state has no matching rule and no `Default`.
pub const STATES_NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// Raised when `ResultPath` cannot be applied to the state input.
pub const STATES_RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";

/// An error raised by a state: the `Error` and `Cause` that Retry, Catch and the final
/// execution result see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError {
    /// Error name, such as `States.Timeout` or a Lambda `errorType`.
    pub error: String,
    /// Human-readable detail.
    pub cause: String,
}

impl StateError {
    /// Builds an error with the given name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// Builds a `States.Runtime` error, which ends the execution whatever its Catch says.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(STATES_RUNTIME, cause)
    }

    /// Returns whether an `ErrorEquals` entry matches this error.
    pub fn matches(&self, pattern: &str) -> bool {
        if self.error == STATES_RUNTIME {
            // Step Functions documents that States.Runtime is never retried and never caught.
            return false;
        }
        match pattern {
            STATES_ALL => true,
            STATES_TASK_FAILED => self.error != STATES_TIMEOUT,
            exact => exact == self.error,
        }
    }
}
