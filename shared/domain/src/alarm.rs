//! The EventBridge "CloudWatch Alarm State Change" event, parsed into what an investigation
//! needs. Single-metric, metric-math and composite alarms are all accepted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// EventBridge refuses events larger than 256 KB, so anything larger did not come from it.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

const DETAIL_TYPE: &str = "CloudWatch Alarm State Change";
const SOURCE: &str = "aws.cloudwatch";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AlarmEventError {
    #[error("alarm event is {0} bytes, more than EventBridge's limit of {MAX_EVENT_BYTES}")]
    TooLarge(usize),
    #[error("alarm event is not valid JSON: {0}")]
    NotJson(String),
    #[error("alarm event has no `{0}`")]
    MissingField(&'static str),
    #[error("alarm event field `{field}` must be {expected}")]
    WrongType { field: &'static str, expected: &'static str },
    #[error("event `detail-type` is `{0}`, expected `CloudWatch Alarm State Change` from `aws.cloudwatch`")]
    NotAnAlarmStateChange(String),
    #[error("alarm `{alarm}` moved to `{state}`; only transitions into ALARM open an investigation")]
    NotIntoAlarm { alarm: String, state: String },
    #[error("alarm event field `{field}` has an invalid timestamp `{value}`")]
    BadTimestamp { field: &'static str, value: String },
    #[error("alarm event field `account` must be a 12-digit AWS account id, got `{0}`")]
    BadAccount(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    SingleMetric,
    MetricMath,
    Composite,
}

/// One metric an alarm watches, as given in `detail.configuration.metrics[].metricStat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmMetric {
    pub id: String,
    pub namespace: String,
    pub name: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    pub period_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvent {
    pub event_id: String,
    pub account: String,
    pub region: String,
    pub alarm_name: String,
    pub alarm_arn: Option<String>,
    pub kind: AlarmKind,
    pub metrics: Vec<AlarmMetric>,
    /// Metric-math expressions, for example `m1 / m2 * 100`.
    pub expressions: Vec<String>,
    /// The rule of a composite alarm, for example `ALARM(api-errors) OR ALARM(api-latency)`.
    pub alarm_rule: Option<String>,
    pub state_reason: String,
    pub previous_state: Option<String>,
    /// When the alarm entered ALARM: the onset the investigation looks around.
    pub state_changed_at: DateTime<Utc>,
}

impl AlarmEvent {
    /// Parses the raw event bytes as EventBridge delivers them.
    pub fn parse_bytes(raw: &[u8]) -> Result<AlarmEvent, AlarmEventError> {
        if raw.len() > MAX_EVENT_BYTES {
            return Err(AlarmEventError::TooLarge(raw.len()));
        }
        let value: Value =
            serde_json::from_slice(raw).map_err(|error| AlarmEventError::NotJson(error.to_string()))?;
        AlarmEvent::parse(&value)
    }

    /// Parses an already-decoded event, such as the input of a state machine execution.
    pub fn parse(event: &Value) -> Result<AlarmEvent, AlarmEventError> {
        let encoded_len = serde_json::to_vec(event).map(|bytes| bytes.len()).unwrap_or(0);
        if encoded_len > MAX_EVENT_BYTES {
            return Err(AlarmEventError::TooLarge(encoded_len));
        }
        if !event.is_object() {
            return Err(AlarmEventError::WrongType { field: "(event)", expected: "a JSON object" });
        }

        let detail_type = required_str(event, "/detail-type", "detail-type")?;
        let source = required_str(event, "/source", "source")?;
        if detail_type != DETAIL_TYPE || source != SOURCE {
            return Err(AlarmEventError::NotAnAlarmStateChange(detail_type.to_string()));
        }

        let event_id = required_str(event, "/id", "id")?.to_string();
        let account = required_str(event, "/account", "account")?.to_string();
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(AlarmEventError::BadAccount(account));
        }
        let region = required_str(event, "/region", "region")?.to_string();
        let alarm_name = required_str(event, "/detail/alarmName", "detail.alarmName")?.to_string();
        let state = required_str(event, "/detail/state/value", "detail.state.value")?.to_string();
        if state != "ALARM" {
            return Err(AlarmEventError::NotIntoAlarm { alarm: alarm_name, state });
        }
        let state_reason = optional_str(event, "/detail/state/reason", "detail.state.reason")?
            .unwrap_or_default()
            .to_string();
        let timestamp =
            required_str(event, "/detail/state/timestamp", "detail.state.timestamp")?;
        let state_changed_at = parse_alarm_timestamp(timestamp)
            .ok_or_else(|| AlarmEventError::BadTimestamp {
                field: "detail.state.timestamp",
                value: timestamp.to_string(),
            })?;
        let previous_state =
            optional_str(event, "/detail/previousState/value", "detail.previousState.value")?
                .map(str::to_string);
        let alarm_arn = match event.pointer("/resources") {
            Some(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_string),
            Some(_) => {
                return Err(AlarmEventError::WrongType { field: "resources", expected: "an array" })
            }
            None => None,
        };

        let configuration = event
            .pointer("/detail/configuration")
            .ok_or(AlarmEventError::MissingField("detail.configuration"))?;
        if !configuration.is_object() {
            return Err(AlarmEventError::WrongType {
                field: "detail.configuration",
                expected: "an object",
            });
        }
        let alarm_rule = optional_str(configuration, "/alarmRule", "detail.configuration.alarmRule")?
            .map(str::to_string);
        let (metrics, expressions) = parse_metrics(configuration)?;

        let kind = if alarm_rule.is_some() {
            AlarmKind::Composite
        } else if !expressions.is_empty() {
            AlarmKind::MetricMath
        } else if !metrics.is_empty() {
            AlarmKind::SingleMetric
        } else {
            return Err(AlarmEventError::MissingField(
                "detail.configuration.metrics (or alarmRule for a composite alarm)",
            ));
        };

        Ok(AlarmEvent {
            event_id,
            account,
            region,
            alarm_name,
            alarm_arn,
            kind,
            metrics,
            expressions,
            alarm_rule,
            state_reason,
            previous_state,
            state_changed_at,
        })
    }
}

fn parse_metrics(configuration: &Value) -> Result<(Vec<AlarmMetric>, Vec<String>), AlarmEventError> {
    let entries = match configuration.get("metrics") {
        None | Some(Value::Null) => return Ok((Vec::new(), Vec::new())),
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            return Err(AlarmEventError::WrongType {
                field: "detail.configuration.metrics",
                expected: "an array",
            })
        }
    };

    let mut metrics = Vec::new();
    let mut expressions = Vec::new();
    for entry in entries {
        if let Some(expression) = entry.get("expression") {
            let expression = expression.as_str().ok_or(AlarmEventError::WrongType {
                field: "detail.configuration.metrics[].expression",
                expected: "a string",
            })?;
            expressions.push(expression.to_string());
            continue;
        }
        let stat = entry.get("metricStat").ok_or(AlarmEventError::MissingField(
            "detail.configuration.metrics[].metricStat (or expression)",
        ))?;
        let id = optional_str(entry, "/id", "detail.configuration.metrics[].id")?
            .unwrap_or("m1")
            .to_string();
        let namespace =
            required_str(stat, "/metric/namespace", "detail.configuration.metrics[].metricStat.metric.namespace")?;
        let name = required_str(stat, "/metric/name", "detail.configuration.metrics[].metricStat.metric.name")?;
        let stat_name = optional_str(stat, "/stat", "detail.configuration.metrics[].metricStat.stat")?
            .unwrap_or("Average");
        let period = match stat.get("period") {
            None => 60,
            Some(value) => value
                .as_u64()
                .and_then(|period| u32::try_from(period).ok())
                .ok_or(AlarmEventError::WrongType {
                    field: "detail.configuration.metrics[].metricStat.period",
                    expected: "a positive integer",
                })?,
        };
        let mut dimensions = BTreeMap::new();
        match stat.pointer("/metric/dimensions") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let value = value.as_str().ok_or(AlarmEventError::WrongType {
                        field: "detail.configuration.metrics[].metricStat.metric.dimensions",
                        expected: "an object of strings",
                    })?;
                    dimensions.insert(key.clone(), value.to_string());
                }
            }
            Some(_) => {
                return Err(AlarmEventError::WrongType {
                    field: "detail.configuration.metrics[].metricStat.metric.dimensions",
                    expected: "an object of strings",
                })
            }
        }
        metrics.push(AlarmMetric {
            id,
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions,
            stat: stat_name.to_string(),
            period_seconds: period,
        });
    }
    Ok((metrics, expressions))
}

fn required_str<'a>(
    value: &'a Value,
    pointer: &str,
    field: &'static str,
) -> Result<&'a str, AlarmEventError> {
    optional_str(value, pointer, field)?.ok_or(AlarmEventError::MissingField(field))
}

fn optional_str<'a>(
    value: &'a Value,
    pointer: &str,
    field: &'static str,
) -> Result<Option<&'a str>, AlarmEventError> {
    match value.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(AlarmEventError::WrongType { field, expected: "a string" }),
    }
}

/// CloudWatch writes state timestamps as `2024-05-02T17:04:40.989+0000`, without a colon in
/// the offset, which RFC 3339 parsers reject; both forms are accepted.
fn parse_alarm_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn single_metric_event() -> Value {
        json!({
            "version": "0",
            "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": "111122223333",
            "time": "2026-11-30T14:05:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:checkout-5xx"],
            "detail": {
                "alarmName": "checkout-5xx",
                "state": {"value": "ALARM", "reason": "Threshold Crossed", "timestamp": "2026-11-30T14:05:00.123+0000"},
                "previousState": {"value": "OK", "reason": "ok", "timestamp": "2026-11-30T13:00:00.000+0000"},
                "configuration": {
                    "metrics": [{
                        "id": "m1",
                        "metricStat": {
                            "metric": {"namespace": "AWS/ApplicationELB", "name": "HTTPCode_Target_5XX_Count",
                                       "dimensions": {"LoadBalancer": "app/checkout/abc"}},
                            "period": 60, "stat": "Sum"
                        },
                        "returnData": true
                    }]
                }
            }
        })
    }

    #[test]
    fn parses_single_metric_alarm() {
        let alarm = AlarmEvent::parse(&single_metric_event()).unwrap();
        assert_eq!(alarm.kind, AlarmKind::SingleMetric);
        assert_eq!(alarm.alarm_name, "checkout-5xx");
        assert_eq!(alarm.metrics[0].name, "HTTPCode_Target_5XX_Count");
        assert_eq!(alarm.metrics[0].dimensions["LoadBalancer"], "app/checkout/abc");
        assert_eq!(alarm.state_changed_at.to_rfc3339(), "2026-11-30T14:05:00.123+00:00");
    }

    #[test]
    fn parses_metric_math_alarm() {
        let mut event = single_metric_event();
        event["detail"]["configuration"]["metrics"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "e1", "expression": "m1 * 100", "label": "pct", "returnData": true}));
        let alarm = AlarmEvent::parse(&event).unwrap();
        assert_eq!(alarm.kind, AlarmKind::MetricMath);
        assert_eq!(alarm.expressions, vec!["m1 * 100".to_string()]);
    }

    #[test]
    fn parses_composite_alarm() {
        let mut event = single_metric_event();
        event["detail"]["configuration"] = json!({"alarmRule": "ALARM(a) OR ALARM(b)"});
        let alarm = AlarmEvent::parse(&event).unwrap();
        assert_eq!(alarm.kind, AlarmKind::Composite);
        assert!(alarm.metrics.is_empty());
    }

    #[test]
    fn rejects_transition_out_of_alarm() {
        let mut event = single_metric_event();
        event["detail"]["state"]["value"] = json!("OK");
        assert_eq!(
            AlarmEvent::parse(&event),
            Err(AlarmEventError::NotIntoAlarm { alarm: "checkout-5xx".into(), state: "OK".into() })
        );
    }

    #[test]
    fn rejects_missing_and_wrong_typed_fields() {
        let mut event = single_metric_event();
        event["detail"].as_object_mut().unwrap().remove("state");
        assert_eq!(AlarmEvent::parse(&event), Err(AlarmEventError::MissingField("detail.state.value")));

        let mut event = single_metric_event();
        event["account"] = json!(111122223333u64);
        assert_eq!(
            AlarmEvent::parse(&event),
            Err(AlarmEventError::WrongType { field: "account", expected: "a string" })
        );
    }

    #[test]
    fn rejects_truncated_and_oversized_bytes() {
        let raw = serde_json::to_vec(&single_metric_event()).unwrap();
        assert!(matches!(AlarmEvent::parse_bytes(&raw[..raw.len() / 2]), Err(AlarmEventError::NotJson(_))));
        let huge = vec![b' '; MAX_EVENT_BYTES + 1];
        assert_eq!(AlarmEvent::parse_bytes(&huge), Err(AlarmEventError::TooLarge(MAX_EVENT_BYTES + 1)));
    }
}
