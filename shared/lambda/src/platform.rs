//! The clients and settings a CauseFlow function needs, built once per Lambda container.

use aws_config::SdkConfig;
use causeflow_aws::config::{load_sdk_config, Resources};
use causeflow_aws::dynamodb::{AuditTrail, InvestigationStore, TenantRegistry};
use causeflow_aws::kms::Kms;
use causeflow_aws::sts::Sts;
use causeflow_domain::audit::{AuditEvent, AuditEventType, AuditRecord};
use causeflow_domain::investigation::Investigation;
use causeflow_masking::Masker;
use serde_json::Value;

use crate::Failure;

#[derive(Clone)]
pub struct Platform {
    pub sdk: SdkConfig,
    pub resources: Resources,
    pub tenants: TenantRegistry,
    pub investigations: InvestigationStore,
    pub audit: AuditTrail,
    pub kms: Kms,
    pub sts: Sts,
    pub masker: Masker,
}

impl Platform {
    /// Reads resource names from the environment and builds the clients.
    pub async fn from_env() -> Result<Platform, Failure> {
        let resources = Resources::from_env().map_err(|error| Failure::new("Misconfigured", error.to_string()))?;
        let sdk = load_sdk_config().await;
        Ok(Platform::new(sdk, resources))
    }

    pub fn new(sdk: SdkConfig, resources: Resources) -> Platform {
        Platform {
            tenants: TenantRegistry::new(&sdk, &resources.tenants_table),
            investigations: InvestigationStore::new(&sdk, &resources.investigations_table),
            audit: AuditTrail::new(&sdk, &resources.audit_table),
            kms: Kms::new(&sdk),
            sts: Sts::new(&sdk),
            masker: Masker::builtin(),
            sdk,
            resources,
        }
    }

    /// Appends one event to the investigation's audit trail.
    pub async fn record(
        &self,
        investigation: &Investigation,
        event_type: AuditEventType,
        actor: &str,
        details: Value,
    ) -> Result<AuditRecord, Failure> {
        let event = AuditEvent { event_type, actor: actor.to_string(), at: chrono::Utc::now(), details };
        self.audit
            .append(&investigation.tenant_id, &investigation.investigation_id, event)
            .await
            .map_err(|error| match error {
                causeflow_aws::dynamodb::AuditAppendError::Aws(aws) => Failure::from(aws),
                other => Failure::new(crate::TRANSIENT_ERROR, other.to_string()),
            })
    }
}
