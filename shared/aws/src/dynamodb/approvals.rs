//! Approval requests, one item each, under the tenant's partition and the approval id. The
//! Slack callback has only the tenant (from its URL) and the approval id (from the button).

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use causeflow_domain::approval::{ApprovalId, ApprovalRequest};
use causeflow_domain::audit::AuditRecord;
use causeflow_domain::TenantId;
use tracing::info;

use super::audit::AuditTrail;
use super::{decode_body, encode_body, string_attribute, BODY, PK, SK};
use crate::error::{classify, error_code};
use crate::AwsError;

const APPROVAL_SK: &str = "APPROVAL";

#[derive(Clone)]
pub struct ApprovalStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn approval_key(tenant_id: &TenantId, approval_id: &ApprovalId) -> String {
    format!("{}#APPROVAL#{}", tenant_id.key_prefix(), approval_id)
}

impl ApprovalStore {
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> ApprovalStore {
        ApprovalStore { client: aws_sdk_dynamodb::Client::new(config), table: table.into() }
    }

    /// Stores a new request. Fails if one with the same id exists, which for a random id
    /// means a bug, not a collision.
    #[tracing::instrument(skip_all, fields(tenant_id = %request.tenant_id, investigation_id = %request.investigation_id, approval_id = %request.approval_id))]
    pub async fn create(&self, request: &ApprovalRequest) -> Result<(), AwsError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(request)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "PutItem", error))?;
        info!("stored approval request");
        Ok(())
    }

    pub async fn get(&self, tenant_id: &TenantId, approval_id: &ApprovalId) -> Result<Option<ApprovalRequest>, AwsError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(approval_key(tenant_id, approval_id)))
            .key(SK, string_attribute(APPROVAL_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        match output.item() {
            Some(item) => Ok(Some(decode_body(item, "approvals")?)),
            None => Ok(None),
        }
    }

    /// Stores `next` only if the stored request still has `next.version - 1`. Returns false
    /// when another writer changed it first; the caller re-reads and decides again.
    #[tracing::instrument(skip_all, fields(tenant_id = %next.tenant_id, investigation_id = %next.investigation_id, approval_id = %next.approval_id, status = next.status.as_str()))]
    pub async fn replace(&self, next: &ApprovalRequest) -> Result<bool, AwsError> {
        let expected = next.version.saturating_sub(1);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(next)))
            .condition_expression("attribute_exists(#pk) AND version = :expected")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => {
                info!(version = next.version, "updated approval request");
                Ok(true)
            }
            Err(error) if error_code(&error) == Some("ConditionalCheckFailedException") => {
                info!(version = next.version, "approval request changed by another writer; not updated");
                Ok(false)
            }
            Err(error) => Err(classify("dynamodb", "PutItem", error)),
        }
    }
}

impl ApprovalStore {
    /// Stores `next` and appends `record` to the audit trail in one transaction, so a
    /// decision is never stored without its audit record, nor recorded twice. The approval
    /// is conditional on the version read (`next.version - 1`) and the record on its position
    /// being free. Returns false when either condition failed; the caller re-reads both.
    #[tracing::instrument(skip_all, fields(tenant_id = %next.tenant_id, investigation_id = %next.investigation_id, approval_id = %next.approval_id, status = next.status.as_str(), seq = record.seq))]
    pub async fn replace_and_record(&self, next: &ApprovalRequest, audit: &AuditTrail, record: &AuditRecord) -> Result<bool, AwsError> {
        let expected = next.version.saturating_sub(1);
        let approval_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(next)))
            .condition_expression("attribute_exists(#pk) AND version = :expected")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
            .build()
            .map_err(|error| AwsError::Permanent { service: "dynamodb", operation: "build request", message: error.to_string() })?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(approval_put).build())
            .transact_items(TransactWriteItem::builder().put(audit.conditional_put(record)?).build())
            .send()
            .await;
        match result {
            Ok(_) => {
                info!(version = next.version, "updated approval request and recorded it");
                Ok(true)
            }
            Err(error) if error_code(&error) == Some("TransactionCanceledException") => {
                info!(version = next.version, "approval request or audit position changed by another writer; not updated");
                Ok(false)
            }
            Err(error) => Err(classify("dynamodb", "TransactWriteItems", error)),
        }
    }
}

fn item(request: &ApprovalRequest) -> std::collections::HashMap<String, AttributeValue> {
    std::collections::HashMap::from([
        (PK.to_string(), string_attribute(approval_key(&request.tenant_id, &request.approval_id))),
        (SK.to_string(), string_attribute(APPROVAL_SK)),
        ("version".to_string(), AttributeValue::N(request.version.to_string())),
        ("status".to_string(), string_attribute(request.status.as_str())),
        ("investigation_id".to_string(), string_attribute(request.investigation_id.to_string())),
        (BODY.to_string(), encode_body(request)),
    ])
}
