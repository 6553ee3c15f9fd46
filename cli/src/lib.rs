//! The `causeflow` command line: runs investigations locally, verifies audit trails and masks
//! PII in pipelines.

pub mod audit;
pub mod functions;
pub mod investigate;
pub mod mask;
pub mod progress;
pub mod report;
pub mod secrets;
