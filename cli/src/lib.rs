//! The `causeflow` command line: runs investigations locally, verifies audit trails and masks
//! PII in pipelines.

pub mod approval;
pub mod approval_driver;
pub mod audit;
pub mod click;
pub mod functions;
pub mod investigate;
pub mod mask;
pub mod progress;
pub mod report;
pub mod secrets;
pub mod slack_endpoint;
