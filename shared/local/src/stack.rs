//! CauseFlow's side of the local stack: moto, the tables and the sealing key.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use causeflow_aws::config::{load_sdk_config, Resources};

use crate::moto::{MotoError, MotoServer};

/// Names of the local tables; in AWS the template names them.
pub const TENANTS_TABLE: &str = "causeflow-tenants";
pub const INVESTIGATIONS_TABLE: &str = "causeflow-investigations";
pub const AUDIT_TABLE: &str = "causeflow-audit";
pub const SECRETS_TABLE: &str = "causeflow-secrets";

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Moto(#[from] MotoError),
    #[error("setting up the local stack failed at {step}: {message}")]
    Setup { step: &'static str, message: String },
}

pub(crate) fn setup_error(step: &'static str) -> impl Fn(&dyn std::fmt::Display) -> StackError {
    move |error| StackError::Setup { step, message: error.to_string() }
}

/// A running local stack. Dropping it stops moto.
pub struct LocalStack {
    pub moto: MotoServer,
    pub sdk: SdkConfig,
    pub resources: Resources,
}

impl LocalStack {
    /// Starts moto and creates CauseFlow's tables and sealing key in it. `slack_api_url` is
    /// where the functions reach Slack's Web API: a local stand-in, never Slack itself.
    ///
    /// Points the standard SDK settings of this process at moto (`AWS_ENDPOINT_URL`, dummy
    /// static credentials, `us-east-1`) and turns the instance metadata lookup off, so no
    /// client of this process reaches anything but 127.0.0.1. Call it before starting other
    /// threads that read the environment.
    pub async fn start(slack_api_url: &str) -> Result<LocalStack, StackError> {
        let moto = MotoServer::start()?;
        for (name, value) in [
            ("AWS_ENDPOINT_URL", moto.endpoint().as_str()),
            ("AWS_ACCESS_KEY_ID", "causeflow-local"),
            ("AWS_SECRET_ACCESS_KEY", "causeflow-local-secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ] {
            std::env::set_var(name, value);
        }
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        let sdk = load_sdk_config().await;

        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        create_table(&dynamodb, TENANTS_TABLE, ScalarAttributeType::S, false).await?;
        create_table(&dynamodb, INVESTIGATIONS_TABLE, ScalarAttributeType::S, false).await?;
        create_table(&dynamodb, AUDIT_TABLE, ScalarAttributeType::N, true).await?;
        create_table(&dynamodb, SECRETS_TABLE, ScalarAttributeType::S, false).await?;

        let kms = aws_sdk_kms::Client::new(&sdk);
        let key = kms
            .create_key()
            .description("CauseFlow local sealing key")
            .send()
            .await
            .map_err(|error| setup_error("kms CreateKey")(&error))?;
        let sealing_key_id = key
            .key_metadata()
            .map(|metadata| metadata.key_id().to_string())
            .ok_or_else(|| StackError::Setup { step: "kms CreateKey", message: "no key id returned".into() })?;

        let resources = Resources {
            tenants_table: TENANTS_TABLE.into(),
            investigations_table: INVESTIGATIONS_TABLE.into(),
            audit_table: AUDIT_TABLE.into(),
            sealing_key_id,
            secrets_table: SECRETS_TABLE.into(),
            slack_api_url: slack_api_url.into(),
        };
        for (name, value) in [
            (Resources::TENANTS_TABLE, resources.tenants_table.as_str()),
            (Resources::INVESTIGATIONS_TABLE, resources.investigations_table.as_str()),
            (Resources::AUDIT_TABLE, resources.audit_table.as_str()),
            (Resources::SEALING_KEY_ID, resources.sealing_key_id.as_str()),
            (Resources::SECRETS_TABLE, resources.secrets_table.as_str()),
            (Resources::SLACK_API_URL, resources.slack_api_url.as_str()),
        ] {
            std::env::set_var(name, value);
        }
        Ok(LocalStack { moto, sdk, resources })
    }
}

async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
    sort_key_type: ScalarAttributeType,
    with_stream: bool,
) -> Result<(), StackError> {
    let step = "dynamodb CreateTable";
    let mut call = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().map_err(|e| setup_error(step)(&e))?)
        .attribute_definitions(AttributeDefinition::builder().attribute_name("sk").attribute_type(sort_key_type).build().map_err(|e| setup_error(step)(&e))?)
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().map_err(|e| setup_error(step)(&e))?)
        .key_schema(KeySchemaElement::builder().attribute_name("sk").key_type(KeyType::Range).build().map_err(|e| setup_error(step)(&e))?);
    if with_stream {
        call = call.stream_specification(
            StreamSpecification::builder().stream_enabled(true).stream_view_type(StreamViewType::NewImage).build().map_err(|e| setup_error(step)(&e))?,
        );
    }
    call.send().await.map_err(|error| setup_error(step)(&error))?;
    Ok(())
}
