//! The audit table: one item per record, keyed by investigation and position.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put};
use causeflow_domain::audit::{AuditEvent, AuditRecord};
use causeflow_domain::{InvestigationId, TenantId};
use tracing::{info, warn};

use super::{decode_body, encode_body, string_attribute, BODY, PK, SK};
use crate::error::{classify, error_code};
use crate::AwsError;

/// How often an append re-reads the head after losing a race for a position. Each loss means
/// another writer appended, so this bounds contention, not failures.
const MAX_APPEND_ATTEMPTS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum AuditAppendError {
    #[error("audit trail of {investigation_id} stayed contended for {MAX_APPEND_ATTEMPTS} attempts; the event was not written")]
    Contended { investigation_id: String },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

#[derive(Clone)]
pub struct AuditTrail {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

pub(crate) fn trail_key(tenant_id: &TenantId, investigation_id: &InvestigationId) -> String {
    format!("{}#I#{}", tenant_id.key_prefix(), investigation_id)
}

impl AuditTrail {
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> AuditTrail {
        AuditTrail { client: aws_sdk_dynamodb::Client::new(config), table: table.into() }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Builds the put that writes `record` only if its position is still free.
    pub(crate) fn conditional_put(&self, record: &AuditRecord) -> Result<Put, AwsError> {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(record_item(record)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|error| AwsError::Permanent { service: "dynamodb", operation: "PutItem", message: error.to_string() })
    }

    /// Appends one event at the next free position. Two writers can never take the same
    /// position: the put is conditional, and the loser re-reads the head and tries again.
    #[tracing::instrument(skip_all, fields(tenant_id = %tenant_id, investigation_id = %investigation_id, event_type = event.event_type.as_str()))]
    pub async fn append(
        &self,
        tenant_id: &TenantId,
        investigation_id: &InvestigationId,
        event: AuditEvent,
    ) -> Result<AuditRecord, AuditAppendError> {
        for _ in 0..MAX_APPEND_ATTEMPTS {
            let head = self.head(tenant_id, investigation_id).await?;
            let record = AuditRecord::next(tenant_id, investigation_id, head.as_ref(), event.clone());
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(record_item(&record)))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .send()
                .await;
            match result {
                Ok(_) => {
                    info!(seq = record.seq, "appended audit record");
                    return Ok(record);
                }
                Err(error) if error_code(&error) == Some("ConditionalCheckFailedException") => {
                    warn!(seq = record.seq, "audit position taken by another writer; retrying");
                }
                Err(error) => return Err(classify("dynamodb", "PutItem", error).into()),
            }
        }
        Err(AuditAppendError::Contended { investigation_id: investigation_id.to_string() })
    }

    /// Builds a consistent query over one trail's records, in `seq` order.
    fn trail_query(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", string_attribute(trail_key(tenant_id, investigation_id)))
            .consistent_read(true)
    }

    /// Reads the last record of the trail, if any.
    pub async fn head(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> Result<Option<AuditRecord>, AwsError> {
        let output = self
            .trail_query(tenant_id, investigation_id)
            .scan_index_forward(false)
            .limit(1)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "Query", error))?;
        match output.items().first() {
            Some(item) => Ok(Some(decode_body(item, "audit")?)),
            None => Ok(None),
        }
    }

    /// Reads every record of one trail, in order.
    pub async fn read(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> Result<Vec<AuditRecord>, AwsError> {
        let mut records = Vec::new();
        let mut start_key: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let output = self
                .trail_query(tenant_id, investigation_id)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(|error| classify("dynamodb", "Query", error))?;
            for item in output.items() {
                records.push(decode_body(item, "audit")?);
            }
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start_key = Some(key.clone()),
                _ => break,
            }
        }
        Ok(records)
    }
}

fn record_item(record: &AuditRecord) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (PK.to_string(), string_attribute(trail_key(&record.tenant_id, &record.investigation_id))),
        (SK.to_string(), AttributeValue::N(record.seq.to_string())),
        ("event_type".to_string(), string_attribute(record.event_type.as_str())),
        ("hash".to_string(), string_attribute(record.hash.clone())),
        (BODY.to_string(), encode_body(record)),
    ])
}
