//! The DynamoDB adapter: the `secrets` table, partition key `T#<tenant_id>`, sort key
//! `<purpose>#<name>`, one item per secret holding its envelope and metadata.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ReturnValue, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};

use crate::slot::SecretSlot;
use crate::table::{EnvelopeRecord, EnvelopeTable, TableError, WriteCondition};
use crate::tenant::TenantId;

/// The table's default name.
pub const DEFAULT_TABLE_NAME: &str = "secrets";

const PK: &str = "pk";
const SK: &str = "sk";
const ENVELOPE: &str = "envelope";
const KEY_ID: &str = "key_id";
const FORMAT_VERSION: &str = "format_version";
const CREATED_AT: &str = "created_at";
const UPDATED_AT: &str = "updated_at";
const ROTATED_AT: &str = "rotated_at";
const EXPIRES_AT: &str = "expires_at";

/// Builds the partition key `T#<tenant_id>` of `tenant`'s secrets.
pub fn partition_key(tenant: &TenantId) -> String {
    format!("T#{}", tenant.as_str())
}

/// Keeps envelopes in a DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoDbEnvelopeTable {
    client: Client,
    table_name: String,
}

impl DynamoDbEnvelopeTable {
    /// Uses the table `table_name` through `client`.
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self { client, table_name: table_name.into() }
    }

    /// Uses the table `table_name` through a client built from `config`.
    pub fn from_config(config: &aws_config::SdkConfig, table_name: impl Into<String>) -> Self {
        Self::new(Client::new(config), table_name)
    }

    /// Returns the table's name.
    pub fn table_name(&self) -> &str {
        &self.table_name
    }

    /// Creates the table with on-demand billing, for local runs and tests. Deployed stacks
    /// create it from the SAM template instead.
    pub async fn create_table(&self) -> Result<(), TableError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|error| service_error("CreateTable", error))
        };
        let key = |name: &str, key_type| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(key_type)
                .build()
                .map_err(|error| service_error("CreateTable", error))
        };
        self.client
            .create_table()
            .table_name(&self.table_name)
            .attribute_definitions(attribute(PK)?)
            .attribute_definitions(attribute(SK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .map_err(|error| service_error("CreateTable", DisplayErrorContext(error)))?;
        Ok(())
    }

    fn key(tenant: &TenantId, slot: &SecretSlot) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(partition_key(tenant))),
            (SK.to_owned(), AttributeValue::S(slot.sort_key())),
        ])
    }
}

fn service_error(operation: &'static str, message: impl std::fmt::Display) -> TableError {
    TableError::Service { operation, message: message.to_string() }
}

fn to_item(record: &EnvelopeRecord) -> HashMap<String, AttributeValue> {
    let mut item = DynamoDbEnvelopeTable::key(&record.tenant, &record.slot);
    item.insert(ENVELOPE.to_owned(), AttributeValue::B(Blob::new(record.envelope.clone())));
    item.insert(KEY_ID.to_owned(), AttributeValue::S(record.key_id.clone()));
    item.insert(FORMAT_VERSION.to_owned(), AttributeValue::N(record.format_version.to_string()));
    item.insert(CREATED_AT.to_owned(), AttributeValue::S(record.created_at.to_rfc3339()));
    item.insert(UPDATED_AT.to_owned(), AttributeValue::S(record.updated_at.to_rfc3339()));
    item.insert(ROTATED_AT.to_owned(), AttributeValue::S(record.rotated_at.to_rfc3339()));
    if let Some(expires_at) = record.expires_at {
        item.insert(EXPIRES_AT.to_owned(), AttributeValue::S(expires_at.to_rfc3339()));
    }
    item
}

struct ItemReader<'a> {
    tenant: &'a TenantId,
    sort_key: String,
    item: &'a HashMap<String, AttributeValue>,
}

impl ItemReader<'_> {
    fn malformed(&self, reason: String) -> TableError {
        TableError::Malformed { tenant: self.tenant.clone(), sort_key: self.sort_key.clone(), reason }
    }

    fn string(&self, name: &str) -> Result<&str, TableError> {
        match self.item.get(name) {
            Some(AttributeValue::S(value)) => Ok(value),
            _ => Err(self.malformed(format!("attribute `{name}` is missing or not a string"))),
        }
    }

    fn time(&self, name: &str) -> Result<DateTime<Utc>, TableError> {
        let value = self.string(name)?;
        DateTime::parse_from_rfc3339(value)
            .map(|time| time.with_timezone(&Utc))
            .map_err(|error| self.malformed(format!("attribute `{name}` is not RFC 3339 ({error})")))
    }

    fn record(&self) -> Result<EnvelopeRecord, TableError> {
        let slot = SecretSlot::parse_sort_key(&self.sort_key).map_err(|error| self.malformed(error.to_string()))?;
        let envelope = match self.item.get(ENVELOPE) {
            Some(AttributeValue::B(blob)) => blob.as_ref().to_vec(),
            _ => return Err(self.malformed(format!("attribute `{ENVELOPE}` is missing or not binary"))),
        };
        let format_version = match self.item.get(FORMAT_VERSION) {
            Some(AttributeValue::N(number)) => number
                .parse::<u8>()
                .map_err(|_| self.malformed(format!("attribute `{FORMAT_VERSION}` is {number:?}, not 0 to 255")))?,
            _ => return Err(self.malformed(format!("attribute `{FORMAT_VERSION}` is missing or not a number"))),
        };
        let expires_at = match self.item.get(EXPIRES_AT) {
            None => None,
            Some(_) => Some(self.time(EXPIRES_AT)?),
        };
        Ok(EnvelopeRecord {
            tenant: self.tenant.clone(),
            slot,
            envelope,
            key_id: self.string(KEY_ID)?.to_owned(),
            format_version,
            created_at: self.time(CREATED_AT)?,
            updated_at: self.time(UPDATED_AT)?,
            rotated_at: self.time(ROTATED_AT)?,
            expires_at,
        })
    }
}

fn from_item(tenant: &TenantId, item: &HashMap<String, AttributeValue>) -> Result<EnvelopeRecord, TableError> {
    let sort_key = match item.get(SK) {
        Some(AttributeValue::S(sort_key)) => sort_key.clone(),
        _ => String::new(),
    };
    ItemReader { tenant, sort_key, item }.record()
}

#[async_trait]
impl EnvelopeTable for DynamoDbEnvelopeTable {
    async fn get(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<Option<EnvelopeRecord>, TableError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(Self::key(tenant, slot)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| service_error("GetItem", DisplayErrorContext(error)))?;
        output.item().map(|item| from_item(tenant, item)).transpose()
    }

    async fn put(&self, record: &EnvelopeRecord, condition: WriteCondition) -> Result<(), TableError> {
        let request = self.client.put_item().table_name(&self.table_name).set_item(Some(to_item(record)));
        let request = match &condition {
            WriteCondition::MustNotExist => request.condition_expression("attribute_not_exists(#pk)").expression_attribute_names("#pk", PK),
            WriteCondition::MustExist => request.condition_expression("attribute_exists(#pk)").expression_attribute_names("#pk", PK),
            WriteCondition::EnvelopeIs(bytes) => request
                .condition_expression("#envelope = :expected")
                .expression_attribute_names("#envelope", ENVELOPE)
                .expression_attribute_values(":expected", AttributeValue::B(Blob::new(bytes.clone()))),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(TableError::ConditionFailed {
                    tenant: record.tenant.clone(),
                    slot: record.slot.clone(),
                    condition: condition.kind(),
                })
            }
            Err(error) => Err(service_error("PutItem", DisplayErrorContext(error))),
        }
    }

    async fn delete(&self, tenant: &TenantId, slot: &SecretSlot) -> Result<bool, TableError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(Self::key(tenant, slot)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|error| service_error("DeleteItem", DisplayErrorContext(error)))?;
        Ok(output.attributes().is_some_and(|attributes| !attributes.is_empty()))
    }

    async fn list(&self, tenant: &TenantId) -> Result<Vec<EnvelopeRecord>, TableError> {
        let mut records = Vec::new();
        let mut start_key = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table_name)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", AttributeValue::S(partition_key(tenant)))
                .consistent_read(true)
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|error| service_error("Query", DisplayErrorContext(error)))?;
            for item in output.items() {
                records.push(from_item(tenant, item)?);
            }
            start_key = output.last_evaluated_key().cloned();
            if start_key.is_none() {
                return Ok(records);
            }
        }
    }
}
