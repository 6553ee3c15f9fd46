//! The clients and settings a CauseFlow function needs, built once per Lambda container.

use aws_config::SdkConfig;
use causeflow_aws::config::{load_sdk_config, Resources};
use std::sync::Arc;

use causeflow_aws::dynamodb::{ApprovalStore, AuditTrail, InvestigationStore, TenantRegistry};
use causeflow_aws::kms::Kms;
use causeflow_aws::sfn::StepFunctions;
use causeflow_aws::sts::Sts;
use causeflow_domain::audit::{AuditEvent, AuditEventType, AuditRecord};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::{InvestigationId, TenantId};
use causeflow_secrets::dynamodb::DynamoDbEnvelopeTable;
use causeflow_secrets::kms::KmsDataKeyProvider;
use causeflow_secrets::{CachePolicy, SecretStore, SystemClock};
use causeflow_slack::SlackApi;
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
    pub approvals: ApprovalStore,
    pub kms: Kms,
    pub sts: Sts,
    pub sfn: StepFunctions,
    /// Integration secrets, with data keys cached for a few minutes per container.
    pub secrets: Arc<SecretStore>,
    pub slack: SlackApi,
    pub masker: Masker,
}

impl Platform {
    /// Reads resource names from the environment and builds the clients.
    pub async fn from_env() -> Result<Platform, Failure> {
        let resources = Resources::from_env().map_err(|error| Failure::new("Misconfigured", error.to_string()))?;
        let sdk = load_sdk_config().await;
        Platform::new(sdk, resources)
    }

    /// Builds the clients. Fails only when the Slack API URL is not an http or https URL.
    pub fn new(sdk: SdkConfig, resources: Resources) -> Result<Platform, Failure> {
        let slack = SlackApi::new(&resources.slack_api_url)
            .map_err(|error| Failure::new("Misconfigured", format!("{}: {error}", Resources::SLACK_API_URL)))?;
        let secrets = SecretStore::new(
            Arc::new(KmsDataKeyProvider::from_config(&sdk)),
            Arc::new(DynamoDbEnvelopeTable::from_config(&sdk, &resources.secrets_table)),
            CachePolicy::default(),
            Arc::new(SystemClock::new()),
        );
        Ok(Platform {
            tenants: TenantRegistry::new(&sdk, &resources.tenants_table),
            investigations: InvestigationStore::new(&sdk, &resources.investigations_table),
            audit: AuditTrail::new(&sdk, &resources.audit_table),
            approvals: ApprovalStore::new(&sdk, &resources.investigations_table),
            kms: Kms::new(&sdk),
            sts: Sts::new(&sdk),
            sfn: StepFunctions::new(&sdk),
            secrets: Arc::new(secrets),
            slack,
            masker: Masker::builtin(),
            sdk,
            resources,
        })
    }

    /// Appends one event to the investigation's audit trail.
    pub async fn record(
        &self,
        investigation: &Investigation,
        event_type: AuditEventType,
        actor: &str,
        details: Value,
    ) -> Result<AuditRecord, Failure> {
        self.record_for(&investigation.tenant_id, &investigation.investigation_id, event_type, actor, details).await
    }

    /// Appends one event to an audit trail named by its ids.
    pub async fn record_for(
        &self,
        tenant_id: &TenantId,
        investigation_id: &InvestigationId,
        event_type: AuditEventType,
        actor: &str,
        details: Value,
    ) -> Result<AuditRecord, Failure> {
        let event = AuditEvent { event_type, actor: actor.to_string(), at: chrono::Utc::now(), details };
        self.audit
            .append(tenant_id, investigation_id, event)
            .await
            .map_err(|error| match error {
                causeflow_aws::dynamodb::AuditAppendError::Aws(aws) => Failure::from(aws),
                other => Failure::new(crate::TRANSIENT_ERROR, other.to_string()),
            })
    }
}
