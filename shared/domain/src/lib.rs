//! CauseFlow's domain: the rules of an investigation as plain types, free of any AWS SDK type.
//!
//! The AWS adapters in `causeflow-aws` translate between these types and the services.

pub mod action;
pub mod agent;
pub mod alarm;
pub mod audit;
pub mod canonical;
pub mod credentials;
pub mod evidence;
pub mod ids;
pub mod infra;
pub mod investigation;
pub mod policy;
pub mod revocation;
pub mod tenant;

pub use agent::AgentKind;
pub use ids::{InvestigationId, TenantId};
pub mod analysis;
pub mod approval;
pub mod markdown;
pub mod metric_change;
pub mod report;
pub mod templating;
