//! Investigations, their evidence and report, and each tenant's revocation list.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use causeflow_domain::audit::AuditRecord;
use causeflow_domain::evidence::Evidence;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::report::Report;
use causeflow_domain::revocation::RevocationList;
use causeflow_domain::{AgentKind, InvestigationId, TenantId};
use serde::{Deserialize, Serialize};
use tracing::info;

use super::audit::{trail_key, AuditTrail};
use super::{decode_body, encode_body, string_attribute, BODY, PK, SK};
use crate::error::{classify, error_code};
use crate::AwsError;

const INVESTIGATION_SK: &str = "INVESTIGATION";
const REPORT_SK: &str = "REPORT";
const REVOCATIONS_SK: &str = "REVOCATIONS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpenOutcome {
    Opened,
    /// The same alarm event was seen before; nothing was written.
    AlreadyOpen,
}

#[derive(Clone)]
pub struct InvestigationStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn investigation_key(tenant_id: &TenantId, investigation_id: &InvestigationId) -> String {
    trail_key(tenant_id, investigation_id)
}

fn build_error(error: impl std::fmt::Display) -> AwsError {
    AwsError::Permanent { service: "dynamodb", operation: "build request", message: error.to_string() }
}

impl InvestigationStore {
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> InvestigationStore {
        InvestigationStore { client: aws_sdk_dynamodb::Client::new(config), table: table.into() }
    }

    /// Creates the investigation and writes its first audit record in one transaction, both
    /// conditional on not existing, so a redelivered event writes nothing.
    #[tracing::instrument(skip_all, fields(tenant_id = %investigation.tenant_id, investigation_id = %investigation.investigation_id))]
    pub async fn open(&self, investigation: &Investigation, audit: &AuditTrail, first_record: &AuditRecord) -> Result<OpenOutcome, AwsError> {
        let investigation_put = Put::builder()
            .table_name(&self.table)
            .item(PK, string_attribute(investigation_key(&investigation.tenant_id, &investigation.investigation_id)))
            .item(SK, string_attribute(INVESTIGATION_SK))
            .item("status", encode_status(InvestigationStatus::Open))
            .item("event_id", string_attribute(&investigation.alarm.event_id))
            .item(BODY, encode_body(investigation))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(build_error)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(investigation_put).build())
            .transact_items(TransactWriteItem::builder().put(audit.conditional_put(first_record)?).build())
            .send()
            .await;
        match result {
            Ok(_) => {
                info!("opened investigation");
                Ok(OpenOutcome::Opened)
            }
            Err(error) if error_code(&error) == Some("TransactionCanceledException") => {
                info!("alarm event already opened an investigation; nothing written");
                Ok(OpenOutcome::AlreadyOpen)
            }
            Err(error) => Err(classify("dynamodb", "TransactWriteItems", error)),
        }
    }

    pub async fn get(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> Result<Option<(Investigation, InvestigationStatus)>, AwsError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(investigation_key(tenant_id, investigation_id)))
            .key(SK, string_attribute(INVESTIGATION_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        let Some(item) = output.item() else { return Ok(None) };
        let status = item
            .get("status")
            .and_then(|value| value.as_s().ok())
            .and_then(|raw| serde_json::from_value(serde_json::Value::String(raw.clone())).ok())
            .unwrap_or(InvestigationStatus::Open);
        Ok(Some((decode_body(item, "investigations")?, status)))
    }

    /// Marks the investigation closed. Closing twice is harmless.
    pub async fn close(&self, tenant_id: &TenantId, investigation_id: &InvestigationId, outcome: &str) -> Result<(), AwsError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, string_attribute(investigation_key(tenant_id, investigation_id)))
            .key(SK, string_attribute(INVESTIGATION_SK))
            .update_expression("SET #status = :closed, outcome = :outcome")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":closed", encode_status(InvestigationStatus::Closed))
            .expression_attribute_values(":outcome", string_attribute(outcome))
            .send()
            .await
            .map_err(|error| classify("dynamodb", "UpdateItem", error))?;
        info!(outcome, "closed investigation");
        Ok(())
    }

    /// Stores one agent's evidence, replacing what a retried run of the same agent stored.
    pub async fn put_evidence(&self, tenant_id: &TenantId, investigation_id: &InvestigationId, agent: AgentKind, evidence: &[Evidence]) -> Result<(), AwsError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PK, string_attribute(investigation_key(tenant_id, investigation_id)))
            .item(SK, string_attribute(format!("EVIDENCE#{}", agent.as_str())))
            .item(BODY, encode_body(&evidence))
            .send()
            .await
            .map_err(|error| classify("dynamodb", "PutItem", error))?;
        info!(agent = agent.as_str(), findings = evidence.len(), "stored evidence");
        Ok(())
    }

    /// Reads all evidence of an investigation, in agent order.
    pub async fn evidence(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> Result<Vec<Evidence>, AwsError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", string_attribute(investigation_key(tenant_id, investigation_id)))
            .expression_attribute_values(":prefix", string_attribute("EVIDENCE#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "Query", error))?;
        let mut all = Vec::new();
        for item in output.items() {
            let batch: Vec<Evidence> = decode_body(item, "investigations")?;
            all.extend(batch);
        }
        Ok(all)
    }

    pub async fn put_report(&self, report: &Report, markdown: &str) -> Result<(), AwsError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PK, string_attribute(investigation_key(&report.tenant_id, &report.investigation_id)))
            .item(SK, string_attribute(REPORT_SK))
            .item(BODY, encode_body(report))
            .item("markdown", string_attribute(markdown))
            .send()
            .await
            .map_err(|error| classify("dynamodb", "PutItem", error))?;
        info!("stored report");
        Ok(())
    }

    pub async fn report(&self, tenant_id: &TenantId, investigation_id: &InvestigationId) -> Result<Option<(Report, String)>, AwsError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(investigation_key(tenant_id, investigation_id)))
            .key(SK, string_attribute(REPORT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        let Some(item) = output.item() else { return Ok(None) };
        let markdown = item.get("markdown").and_then(|value| value.as_s().ok()).cloned().unwrap_or_default();
        Ok(Some((decode_body(item, "investigations")?, markdown)))
    }

    /// Reads the tenant's revocation list as last stored (empty at first).
    pub async fn revocations(&self, tenant_id: &TenantId) -> Result<RevocationList, AwsError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(tenant_id.key_prefix()))
            .key(SK, string_attribute(REVOCATIONS_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        match output.item() {
            Some(item) => decode_body(item, "investigations"),
            None => Ok(RevocationList::default()),
        }
    }

    /// Stores `next` only if the stored list still has version `expected_version`. Returns
    /// false when another writer got there first, so the caller re-reads and merges.
    pub async fn replace_revocations(&self, tenant_id: &TenantId, expected_version: u64, next: &RevocationList) -> Result<bool, AwsError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PK, string_attribute(tenant_id.key_prefix()))
            .item(SK, string_attribute(REVOCATIONS_SK))
            .item("version", AttributeValue::N(next.version.to_string()))
            .item(BODY, encode_body(next))
            .condition_expression("attribute_not_exists(#pk) OR version = :expected")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":expected", AttributeValue::N(expected_version.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if error_code(&error) == Some("ConditionalCheckFailedException") => Ok(false),
            Err(error) => Err(classify("dynamodb", "PutItem", error)),
        }
    }
}

fn encode_status(status: InvestigationStatus) -> AttributeValue {
    let raw = match status {
        InvestigationStatus::Open => "open",
        InvestigationStatus::Closed => "closed",
    };
    string_attribute(raw)
}
