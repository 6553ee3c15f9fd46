//! `log_analyst`: runs a Logs Insights query over the service's log groups around the alarm
//! and reports the message templates that are new or surging since before it.

use causeflow_aws::config::config_for_agent;
use causeflow_aws::logs::Logs;
use causeflow_domain::credentials::SealedCredentials;
use causeflow_domain::evidence::Finding;
use causeflow_domain::investigation::Investigation;
use causeflow_domain::templating::notable_templates;
use causeflow_domain::AgentKind;
use causeflow_lambda::{store_evidence, unseal_for, Failure, Platform};
use serde::Deserialize;
use serde_json::Value;

pub const FUNCTION_NAME: &str = "log_analyst";
const AGENT: AgentKind = AgentKind::LogAnalyst;

#[derive(Debug, Deserialize)]
struct Input {
    investigation: Investigation,
    credentials: SealedCredentials,
}

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let Input { investigation, credentials } = causeflow_lambda::decode_input(input, FUNCTION_NAME)?;
    let session = unseal_for(platform, &investigation, AGENT, &credentials).await?;
    let logs = Logs::new(&config_for_agent(&platform.sdk, &session, &investigation.region));
    drop(session);

    let lines = logs
        .query_messages(&investigation.service.log_groups, investigation.window_start, investigation.window_end)
        .await?;
    let findings = notable_templates(&lines, investigation.onset()).into_iter().map(Finding::LogTemplate).collect();
    store_evidence(platform, &investigation, AGENT, FUNCTION_NAME, findings).await
}
