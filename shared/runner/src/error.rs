//! Errors in a state machine definition, found before any execution starts.

/// Where a top-level field error is reported, since it belongs to no state.
pub const STATE_MACHINE_SCOPE: &str = "<state machine>";

/// A definition the local runner cannot run exactly as Step Functions would.
///
/// Every variant names the state (or [`STATE_MACHINE_SCOPE`], or a Parallel branch) and,
/// where one is at fault, the field, so the definition can be fixed without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AslError {
    /// The definition text is not JSON after substitution.
    #[error("state machine definition is not valid JSON after substitution: {reason}")]
    InvalidJson { reason: String },

    /// A `${Name}` has no entry in the substitutions map.
    #[error("definition substitution `${{{name}}}` has no value; add `{name}` to the substitutions")]
    UnresolvedSubstitution { name: String },

    /// A `${` without its closing `}`.
    #[error("definition substitution starting at byte {offset} has no closing `}}`")]
    UnterminatedSubstitution { offset: usize },

    /// A required field is absent.
    #[error("state `{state}`: required field `{field}` is missing")]
    MissingField { state: String, field: String },

    /// A field that ASL does not define for this kind of state.
    #[error("state `{state}`: field `{field}` is not an ASL field of this state type; remove it or fix its spelling")]
    UnknownField { state: String, field: String },

    /// A field that ASL defines but the local runner does not execute.
    #[error("state `{state}`: field `{field}` is not supported by the local runner")]
    UnsupportedField { state: String, field: String },

    /// A field whose value has the wrong type or is out of range.
    #[error("state `{state}`: field `{field}` is invalid: {reason}")]
    InvalidField { state: String, field: String, reason: String },

    /// A `Type` that ASL does not define.
    #[error("state `{state}`: unknown state type `{state_type}`")]
    UnknownStateType { state: String, state_type: String },

    /// A `Type` that ASL defines but the local runner does not execute.
    #[error("state `{state}`: state type `{state_type}` is not supported by the local runner")]
    UnsupportedStateType { state: String, state_type: String },

    /// A state that needs a transition has neither `Next` nor `End: true`.
    #[error("state `{state}`: has neither `Next` nor `\"End\": true`; add one of them")]
    MissingTransition { state: String },

    /// A state has both `Next` and `End: true`.
    #[error("state `{state}`: has both `Next` and `\"End\": true`; keep one of them")]
    ConflictingTransition { state: String },

    /// A `Next`, `Default` or `StartAt` names a state that does not exist in its scope.
    #[error("state `{state}`: field `{field}` names state `{target}`, which does not exist in the same States block")]
    DanglingTransition { state: String, field: String, target: String },

    /// A Task `Resource` other than the Lambda integrations the runner executes.
    #[error("state `{state}`: field `Resource` is `{resource}`, which the local runner does not run; use `arn:aws:states:::lambda:invoke` or `arn:aws:states:::lambda:invoke.waitForTaskToken`")]
    UnsupportedResource { state: String, resource: String },

    /// An intrinsic function name that is not defined, or not implemented locally.
    #[error("state `{state}`: field `{field}` calls intrinsic function `{function}`, which the local runner does not know")]
    UnknownIntrinsic { state: String, field: String, function: String },

    /// The same state name appears twice; Step Functions requires unique names across the machine.
    #[error("state `{state}`: the name is used by more than one state; state names must be unique in the whole state machine")]
    DuplicateStateName { state: String },

    /// A state that no transition leads to; Step Functions rejects such definitions.
    #[error("state `{state}`: no transition leads to this state from `StartAt`; remove it or add a `Next` to it")]
    UnreachableState { state: String },
}
