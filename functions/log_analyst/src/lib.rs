//! `log_analyst`: runs a Logs Insights query over the service's log groups around the alarm
//! and reports the message templates that are new or surging since before it.

use causeflow_aws::logs::Logs;
use causeflow_domain::evidence::Finding;
use causeflow_domain::templating::notable_templates;
use causeflow_domain::AgentKind;
use causeflow_lambda::{start_agent, store_evidence, Failure, Platform};
use serde_json::Value;

pub const FUNCTION_NAME: &str = "log_analyst";
const AGENT: AgentKind = AgentKind::LogAnalyst;

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let (investigation, config) = start_agent(platform, input, AGENT, FUNCTION_NAME).await?;
    let logs = Logs::new(&config);

    let lines = logs
        .query_messages(&investigation.service.log_groups, investigation.window_start, investigation.window_end)
        .await?;
    let findings = notable_templates(&lines, investigation.onset()).into_iter().map(Finding::LogTemplate).collect();
    store_evidence(platform, &investigation, AGENT, FUNCTION_NAME, findings).await
}
