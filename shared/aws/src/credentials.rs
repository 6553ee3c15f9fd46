//! Session credentials in memory. The secret parts are zeroized on drop and never printed.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Credentials of one agent session. `Debug` shows the access key id and expiry only.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct AgentCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    #[zeroize(skip)]
    pub expires_at: DateTime<Utc>,
}

impl AgentCredentials {
    pub fn to_sdk_credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            Some(self.session_token.clone()),
            Some(self.expires_at.into()),
            "causeflow-agent-session",
        )
    }
}

impl fmt::Debug for AgentCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_no_secret() {
        let credentials = AgentCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "very-secret-key".into(),
            session_token: "very-secret-token".into(),
            expires_at: Utc::now(),
        };
        let printed = format!("{credentials:?}");
        assert!(printed.contains("ASIAEXAMPLE"));
        assert!(!printed.contains("very-secret"));
    }
}
