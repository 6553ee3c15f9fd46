//! `remediate`: runs the approved action.
//!
//! Limitation: approvals are not built yet, so there is never an approval to check and this
//! refuses every request without touching ECS.

use causeflow_lambda::{Failure, Platform};
use serde_json::Value;
use tracing::warn;

pub const FUNCTION_NAME: &str = "remediate";

pub async fn handle(_platform: &Platform, _input: Value) -> Result<Value, Failure> {
    warn!("rejected remediation: no approval record exists");
    Err(Failure::new("ApprovalRequired", "remediation needs an approval.granted audit record bound to the action; none exists"))
}
