//! CloudWatch Logs: runs a Logs Insights query over a service's log groups.

use std::time::Duration;

use causeflow_domain::templating::LogLine;
use chrono::{DateTime, Utc};
use tracing::info;

use crate::error::classify;
use crate::AwsError;

/// Logs Insights returns at most 10,000 rows per query.
pub const MAX_QUERY_ROWS: i32 = 10_000;
/// How long to wait for a query to complete before giving up.
const QUERY_POLL_ATTEMPTS: u32 = 60;
const QUERY_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Fields only: the templating happens in CauseFlow, so the query needs no `filter` or
/// `stats` (which moto would ignore anyway).
const QUERY: &str = "fields @timestamp, @message, @log | sort @timestamp asc | limit 10000";

#[derive(Clone)]
pub struct Logs {
    client: aws_sdk_cloudwatchlogs::Client,
}

impl Logs {
    pub fn new(config: &aws_config::SdkConfig) -> Logs {
        Logs { client: aws_sdk_cloudwatchlogs::Client::new(config) }
    }

    /// Runs the query over `log_groups` between `start` and `end` and returns the messages.
    #[tracing::instrument(skip_all, fields(log_groups = log_groups.len()))]
    pub async fn query_messages(&self, log_groups: &[String], start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<LogLine>, AwsError> {
        let started = self
            .client
            .start_query()
            .set_log_group_names(Some(log_groups.to_vec()))
            .start_time(start.timestamp())
            .end_time(end.timestamp())
            .query_string(QUERY)
            .limit(MAX_QUERY_ROWS)
            .send()
            .await
            .map_err(|error| classify("logs", "StartQuery", error))?;
        let query_id = started
            .query_id()
            .ok_or(AwsError::MissingField { service: "logs", operation: "StartQuery", field: "queryId" })?
            .to_string();
        info!(query_id, "started Logs Insights query");

        for _ in 0..QUERY_POLL_ATTEMPTS {
            let results = self
                .client
                .get_query_results()
                .query_id(&query_id)
                .send()
                .await
                .map_err(|error| classify("logs", "GetQueryResults", error))?;
            use aws_sdk_cloudwatchlogs::types::QueryStatus;
            match results.status() {
                Some(QueryStatus::Complete) => {
                    let lines: Vec<LogLine> = results.results().iter().filter_map(|row| row_to_line(row, log_groups)).collect();
                    info!(rows = lines.len(), "Logs Insights query complete");
                    return Ok(lines);
                }
                Some(QueryStatus::Failed) | Some(QueryStatus::Cancelled) | Some(QueryStatus::Timeout) => {
                    return Err(AwsError::Permanent { service: "logs", operation: "GetQueryResults", message: format!("query {query_id} ended as {:?}", results.status()) });
                }
                _ => tokio::time::sleep(QUERY_POLL_INTERVAL).await,
            }
        }
        Err(AwsError::Transient { service: "logs", operation: "GetQueryResults", message: format!("query {query_id} did not complete in time") })
    }
}

fn row_to_line(row: &[aws_sdk_cloudwatchlogs::types::ResultField], log_groups: &[String]) -> Option<LogLine> {
    let field = |name: &str| row.iter().find(|field| field.field() == Some(name)).and_then(|field| field.value());
    let message = field("@message")?.to_string();
    let timestamp = parse_insights_timestamp(field("@timestamp")?)?;
    // `@log` is `account-id:log-group-name`; fall back to the only group queried.
    let log_group = field("@log")
        .map(|raw| raw.split_once(':').map(|(_, group)| group).unwrap_or(raw).to_string())
        .or_else(|| log_groups.first().cloned())
        .unwrap_or_default();
    Some(LogLine { timestamp, log_group, message })
}

/// Insights writes `@timestamp` as `2026-11-30 14:05:00.123`, in UTC; moto writes epoch
/// milliseconds. Both are accepted.
fn parse_insights_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(millis) = raw.parse::<i64>() {
        return DateTime::<Utc>::from_timestamp_millis(millis);
    }
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").ok().map(|naive| naive.and_utc())
}
