//! Starts moto's server on a free loopback port for one test and stops it on drop.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

pub struct Moto {
    _server: causeflow_local::MotoServer,
    pub endpoint: String,
}

impl Moto {
    /// Starts moto through the project's launcher, which also makes KMS refuse keys that are
    /// disabled or pending deletion, as KMS does.
    pub async fn start() -> Moto {
        let server = causeflow_local::MotoServer::start().expect("moto starts: run scripts/setup-local");
        let endpoint = server.endpoint();
        Moto { _server: server, endpoint }
    }

    /// SDK configuration pointing at this server with dummy credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }
}
