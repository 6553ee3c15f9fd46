//! DynamoDB: the tenant registry, investigations with their evidence, reports and approval
//! requests, and the audit trail. Every key is built from a validated `TenantId`, starting with `T#<tenant_id>`.
//!
//! Items keep their domain payload as one JSON string attribute `body` beside the keys. The
//! domain types own the shape, and this module owns only keys and conditions.

mod approvals;
mod audit;
mod investigations;
mod tenants;

pub use approvals::ApprovalStore;
pub use audit::{AuditAppendError, AuditTrail};
pub use investigations::{InvestigationStatus, InvestigationStore, OpenOutcome};
pub use tenants::{TenantLookupError, TenantRegistry};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::AwsError;

pub(crate) const PK: &str = "pk";
pub(crate) const SK: &str = "sk";
pub(crate) const BODY: &str = "body";

pub(crate) fn string_attribute(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// Decodes the `body` attribute of an item into a domain type.
pub(crate) fn decode_body<T: serde::de::DeserializeOwned>(
    item: &std::collections::HashMap<String, AttributeValue>,
    table: &'static str,
) -> Result<T, AwsError> {
    let body = item
        .get(BODY)
        .and_then(|value| value.as_s().ok())
        .ok_or(AwsError::MissingField { service: "dynamodb", operation: table, field: "body" })?;
    serde_json::from_str(body).map_err(|error| AwsError::Permanent {
        service: "dynamodb",
        operation: table,
        message: format!("stored item does not decode: {error}"),
    })
}

pub(crate) fn encode_body<T: serde::Serialize>(value: &T) -> AttributeValue {
    AttributeValue::S(serde_json::to_string(value).unwrap_or_default())
}
