//! CloudWatch metrics: fetches the time series the metric analyst compares.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_smithy_types::DateTime as SmithyDateTime;
use chrono::{DateTime, Utc};
use tracing::info;

use crate::error::classify;
use crate::AwsError;

/// One metric to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    pub namespace: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    pub period_seconds: i32,
}

/// A fetched series, oldest point first.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    pub spec: MetricSpec,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

#[derive(Clone)]
pub struct CloudWatch {
    client: aws_sdk_cloudwatch::Client,
}

impl CloudWatch {
    pub fn new(config: &aws_config::SdkConfig) -> CloudWatch {
        CloudWatch { client: aws_sdk_cloudwatch::Client::new(config) }
    }

    /// Fetches every spec in one GetMetricData call (at most 500 queries per call).
    #[tracing::instrument(skip_all, fields(metrics = specs.len()))]
    pub async fn metric_data(&self, specs: &[MetricSpec], start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<MetricSeries>, AwsError> {
        // CloudWatch rounds the start down to the period for one-minute data. Doing it here
        // keeps every datapoint in the bucket of its own minute, whatever the server.
        let start_minute = start.timestamp() - start.timestamp().rem_euclid(60);
        let mut call = self
            .client
            .get_metric_data()
            .start_time(SmithyDateTime::from_secs(start_minute))
            .end_time(SmithyDateTime::from_secs(end.timestamp()));
        for (index, spec) in specs.iter().enumerate() {
            let dimensions: Vec<Dimension> = spec
                .dimensions
                .iter()
                .map(|(name, value)| Dimension::builder().name(name).value(value).build())
                .collect();
            let metric = Metric::builder().namespace(&spec.namespace).metric_name(&spec.name).set_dimensions(Some(dimensions)).build();
            let stat = MetricStat::builder().metric(metric).period(spec.period_seconds).stat(&spec.stat).build();
            call = call.metric_data_queries(MetricDataQuery::builder().id(format!("m{index}")).metric_stat(stat).return_data(true).build());
        }

        let mut series: Vec<MetricSeries> = specs.iter().map(|spec| MetricSeries { spec: spec.clone(), points: Vec::new() }).collect();
        let mut next_token: Option<String> = None;
        loop {
            let output = call
                .clone()
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|error| classify("cloudwatch", "GetMetricData", error))?;
            for result in output.metric_data_results() {
                let Some(index) = result.id().and_then(|id| id.strip_prefix('m')).and_then(|raw| raw.parse::<usize>().ok()) else { continue };
                let Some(target) = series.get_mut(index) else { continue };
                for (timestamp, value) in result.timestamps().iter().zip(result.values()) {
                    if let Some(time) = DateTime::<Utc>::from_timestamp(timestamp.secs(), timestamp.subsec_nanos()) {
                        target.points.push((time, *value));
                    }
                }
            }
            match output.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
                _ => break,
            }
        }
        for entry in &mut series {
            entry.points.sort_by_key(|(time, _)| *time);
        }
        info!(points = series.iter().map(|entry| entry.points.len()).sum::<usize>(), "fetched metric data");
        Ok(series)
    }
}
