//! `metric_analyst`: the alarm's own metrics and the service's related metrics around the
//! alarm, with when each changed.

use causeflow_aws::cloudwatch::{CloudWatch, MetricSpec};
use causeflow_domain::evidence::{Finding, MetricChangeFinding};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::metric_change::detect_change;
use causeflow_domain::AgentKind;
use causeflow_lambda::{start_agent, store_evidence, Failure, Platform};
use serde_json::Value;

pub const FUNCTION_NAME: &str = "metric_analyst";
const AGENT: AgentKind = AgentKind::MetricAnalyst;

/// ECS publishes service metrics at one-minute resolution.
const SERVICE_METRIC_PERIOD_SECONDS: i32 = 60;
const SERVICE_METRICS: [&str; 2] = ["CPUUtilization", "MemoryUtilization"];

pub async fn handle(platform: &Platform, input: Value) -> Result<Value, Failure> {
    let (investigation, config) = start_agent(platform, input, AGENT, FUNCTION_NAME).await?;
    let cloudwatch = CloudWatch::new(&config);

    let specs = metric_specs(&investigation);
    let alarm_metric_count = investigation.alarm.metrics.len();
    let series = cloudwatch.metric_data(&specs, investigation.window_start, investigation.window_end).await?;

    let findings = series
        .into_iter()
        .enumerate()
        .filter(|(_, series)| !series.points.is_empty())
        .map(|(index, series)| {
            let (baseline, peak, direction, changed_at) = detect_change(&series.points, investigation.onset());
            Finding::MetricChange(MetricChangeFinding {
                namespace: series.spec.namespace,
                metric_name: series.spec.name,
                dimensions: series.spec.dimensions,
                stat: series.spec.stat,
                is_alarm_metric: index < alarm_metric_count,
                baseline,
                peak,
                direction,
                changed_at,
            })
        })
        .collect();
    store_evidence(platform, &investigation, AGENT, FUNCTION_NAME, findings).await
}

/// Lists the metrics to fetch: the alarm's first, then the ECS service's CPU and memory and the
/// service's related metrics, without duplicates.
fn metric_specs(investigation: &Investigation) -> Vec<MetricSpec> {
    let mut specs: Vec<MetricSpec> = investigation
        .alarm
        .metrics
        .iter()
        .map(|metric| MetricSpec {
            namespace: metric.namespace.clone(),
            name: metric.name.clone(),
            dimensions: metric.dimensions.clone(),
            stat: metric.stat.clone(),
            period_seconds: i32::try_from(metric.period_seconds).unwrap_or(SERVICE_METRIC_PERIOD_SECONDS),
        })
        .collect();
    let service_metrics = SERVICE_METRICS.into_iter().map(|name| MetricSpec {
        namespace: "AWS/ECS".into(),
        name: name.into(),
        dimensions: [
            ("ClusterName".to_string(), investigation.service.cluster.clone()),
            ("ServiceName".to_string(), investigation.service.service.clone()),
        ]
        .into(),
        stat: "Average".into(),
        period_seconds: SERVICE_METRIC_PERIOD_SECONDS,
    });
    let related_metrics = investigation.service.related_metrics.iter().map(|metric| MetricSpec {
        namespace: metric.namespace.clone(),
        name: metric.name.clone(),
        dimensions: metric.dimensions.clone(),
        stat: metric.stat.clone(),
        period_seconds: SERVICE_METRIC_PERIOD_SECONDS,
    });
    for spec in service_metrics.chain(related_metrics) {
        if !specs.iter().any(|existing| existing.namespace == spec.namespace && existing.name == spec.name && existing.dimensions == spec.dimensions) {
            specs.push(spec);
        }
    }
    specs
}
