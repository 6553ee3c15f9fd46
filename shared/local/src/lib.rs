//! The local stack: moto on a free loopback port, CauseFlow's own tables and sealing key in
//! it, and scenarios loaded into a simulated customer account.
//!
//! This crate is development tooling. It calls the AWS SDK directly to seed moto, which
//! production code never does; production code reaches AWS only through `causeflow-aws`.

pub mod moto;
pub mod scenario;
pub mod stack;

pub use moto::MotoServer;
pub use scenario::Scenario;
pub use stack::LocalStack;
