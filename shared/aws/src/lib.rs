//! AWS adapters: the only CauseFlow code that imports `aws_sdk_*`. Each module is named after
//! the service it speaks to and translates between that service and the domain types.
//!
//! Every client is built from the SDK's standard configuration chain, so pointing the whole
//! system at a local AWS (moto) is only a matter of `AWS_ENDPOINT_URL`.

pub mod cloudwatch;
pub mod config;
pub mod credentials;
pub mod dynamodb;
pub mod ec2;
pub mod ecs;
pub mod error;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod sfn;
pub mod sts;

pub use error::AwsError;
