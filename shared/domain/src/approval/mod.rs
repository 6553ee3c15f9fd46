//! Human approval of a proposed action: who may approve, the request that waits for a
//! decision, and the rules that bind one granted approval to exactly one change.
//!
//! The rules are pure functions over [`ApprovalRequest`]. The adapters store each new state
//! with a condition on the version they read, so two concurrent decisions cannot both apply.

mod config;
mod id;
mod request;
mod usage;

pub use config::{task_timeout_seconds, ApprovalConfig, ApprovalConfigError, DEFAULT_EXPIRY_SECONDS, MAX_EXPIRY_SECONDS, MIN_EXPIRY_SECONDS, TASK_TIMEOUT_GRACE_SECONDS};
pub use id::{ApprovalId, ApprovalIdError};
pub use request::{
    ApprovalRequest, ApprovalStatus, ApprovalSummary, Choice, Decision, DecisionOutcome, DecisionRefused, SlackMessageRef, SignedOff,
};
pub use usage::{ApprovalUse, UseRefused, GRANT_USE_WINDOW_SECONDS};
