//! The Slack credentials of a tenant, as the approval path reads them.

use crate::secret::SecretValue;
use crate::slot::{SecretName, SecretPurpose, SecretSlot};
use crate::store::{SecretStore, StoreError};
use crate::tenant::TenantId;

/// Name under which a tenant's single Slack app stores its secrets.
pub const DEFAULT_SLACK_SECRET_NAME: &str = "default";

/// A tenant's Slack bot token and signing secret. `Debug` prints `<redacted>` for both.
#[derive(Debug)]
pub struct SlackCredentials {
    /// The bot token (`xoxb-…`) for posting and updating approval messages.
    pub bot_token: SecretValue,
    /// The signing secret for verifying Slack's request signatures.
    pub signing_secret: SecretValue,
}

/// Returns the slots of a tenant's Slack secrets: bot token first, signing secret second.
pub fn slack_slots() -> (SecretSlot, SecretSlot) {
    // The constant passes SecretName's alphabet, so parsing it cannot fail.
    let name = SecretName::parse(DEFAULT_SLACK_SECRET_NAME).unwrap_or_else(|_| unreachable!());
    (
        SecretSlot::new(SecretPurpose::SlackBotToken, name.clone()),
        SecretSlot::new(SecretPurpose::SlackSigningSecret, name),
    )
}

/// Reads and decrypts `tenant`'s Slack bot token and signing secret.
pub async fn get_slack_credentials(store: &SecretStore, tenant: &TenantId) -> Result<SlackCredentials, StoreError> {
    let (bot_token_slot, signing_secret_slot) = slack_slots();
    let bot_token = store.get(tenant, &bot_token_slot).await?.value;
    let signing_secret = store.get(tenant, &signing_secret_slot).await?.value;
    Ok(SlackCredentials { bot_token, signing_secret })
}
