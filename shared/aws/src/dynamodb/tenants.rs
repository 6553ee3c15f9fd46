//! The tenant registry.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use causeflow_domain::tenant::TenantConfig;
use causeflow_domain::TenantId;
use tracing::info;

use super::{decode_body, encode_body, string_attribute, BODY, PK, SK};
use crate::error::classify;
use crate::AwsError;

const CONFIG_SK: &str = "CONFIG";
const ACCOUNT_SK: &str = "TENANT";

#[derive(Debug, thiserror::Error)]
pub enum TenantLookupError {
    #[error("no tenant is registered for AWS account {account} in region {region}")]
    UnknownAccount { account: String, region: String },
    #[error("tenant {0} is referenced but its configuration is missing")]
    MissingConfig(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

#[derive(Clone)]
pub struct TenantRegistry {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

/// Builds the key of the lookup item that maps a customer account and region to a tenant. It is the one key
/// that cannot start with the tenant id, because finding the tenant is what it is for.
fn account_key(account: &str, region: &str) -> String {
    format!("A#{account}#{region}")
}

impl TenantRegistry {
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> TenantRegistry {
        TenantRegistry { client: aws_sdk_dynamodb::Client::new(config), table: table.into() }
    }

    /// Registers (or replaces) a tenant and its account lookup in one transaction.
    #[tracing::instrument(skip_all, fields(tenant_id = %tenant.tenant_id))]
    pub async fn register(&self, tenant: &TenantConfig) -> Result<(), AwsError> {
        let config_item = Put::builder()
            .table_name(&self.table)
            .item(PK, string_attribute(tenant.tenant_id.key_prefix()))
            .item(SK, string_attribute(CONFIG_SK))
            .item(BODY, encode_body(tenant))
            .build()
            .map_err(|error| AwsError::Permanent { service: "dynamodb", operation: "TransactWriteItems", message: error.to_string() })?;
        let account_item = Put::builder()
            .table_name(&self.table)
            .item(PK, string_attribute(account_key(&tenant.account_id, &tenant.region)))
            .item(SK, string_attribute(ACCOUNT_SK))
            .item("tenant_id", string_attribute(tenant.tenant_id.as_str()))
            .build()
            .map_err(|error| AwsError::Permanent { service: "dynamodb", operation: "TransactWriteItems", message: error.to_string() })?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(config_item).build())
            .transact_items(TransactWriteItem::builder().put(account_item).build())
            .send()
            .await
            .map_err(|error| classify("dynamodb", "TransactWriteItems", error))?;
        info!("registered tenant");
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(account = %account, region = %region))]
    pub async fn find_by_account(&self, account: &str, region: &str) -> Result<TenantConfig, TenantLookupError> {
        let lookup = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(account_key(account, region)))
            .key(SK, string_attribute(ACCOUNT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        let unknown = || TenantLookupError::UnknownAccount { account: account.to_string(), region: region.to_string() };
        let item = lookup.item().ok_or_else(unknown)?;
        let raw_tenant = item.get("tenant_id").and_then(|value| value.as_s().ok()).ok_or_else(unknown)?;
        let tenant_id = TenantId::parse(raw_tenant).map_err(|_| TenantLookupError::MissingConfig(raw_tenant.clone()))?;
        self.get(&tenant_id).await
    }

    #[tracing::instrument(skip_all, fields(tenant_id = %tenant_id))]
    pub async fn get(&self, tenant_id: &TenantId) -> Result<TenantConfig, TenantLookupError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, string_attribute(tenant_id.key_prefix()))
            .key(SK, string_attribute(CONFIG_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| classify("dynamodb", "GetItem", error))?;
        let item = output.item().ok_or_else(|| TenantLookupError::MissingConfig(tenant_id.to_string()))?;
        Ok(decode_body(item, "tenants")?)
    }
}
