//! CauseFlow's Slack side of remediation approval.
//!
//! `request_approval` builds an [`approval_request`] message and posts it with
//! [`SlackApi::post_message`]. `slack_callback` checks the request with
//! [`verify`], reads the click with [`parse_block_action`], and after deciding
//! replaces the message with [`decision_update`] through
//! [`SlackApi::update_message`]. The crate has no AWS code and does not
//! store approvals. It implements only Slack's side of the exchange.
//!
//! With the `stand-in` feature, `SlackStandIn` serves the two Web API
//! methods on 127.0.0.1 for tests and local runs.

pub mod api;
pub mod interaction;
pub mod message;
pub mod signature;
#[cfg(feature = "stand-in")]
pub mod stand_in;

pub use api::{
    PostedMessage, SlackApi, SlackApiError, MAX_RATE_LIMIT_RETRIES, MAX_RETRY_AFTER_SECONDS,
    REQUEST_TIMEOUT,
};
pub use interaction::{
    parse_block_action, ApprovalChoice, BlockAction, InteractionError, APPROVE_ACTION_ID,
    REJECT_ACTION_ID,
};
pub use message::{
    approval_request, decision_update, ApprovalMessage, ChangeSummary, DecisionSummary, Locale,
    MessageBody, MessageError, Outcome, ACTIONS_BLOCK_ID, MAX_EVIDENCE_LINES,
};
pub use signature::{
    sign, verify, SignatureError, MAX_CLOCK_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
#[cfg(feature = "stand-in")]
pub use stand_in::{RecordedRequest, SlackStandIn, StandInError};
