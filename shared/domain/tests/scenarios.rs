//! Checks every scenario under `scenarios/`: its files are well-formed AWS input, and the
//! evidence the agents would extract from them leads `analyze` to the scenario's expected
//! cause and action.
//!
//! The evidence is built here by small pure helpers standing in for the agents: log events
//! go through the templater, metric data through `detect_change`, and the ECS state becomes
//! deployment, stopped-task and service-state findings.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use causeflow_domain::action::ProposedAction;
use causeflow_domain::alarm::{AlarmEvent, AlarmKind};
use causeflow_domain::analysis::analyze;
use causeflow_domain::evidence::{
    DeploymentFinding, Ec2InstanceSummary, Ec2InstancesFinding, Evidence, Finding, MetricChangeFinding,
    ServiceStateFinding, StoppedTasksFinding,
};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::markdown::render_markdown;
use causeflow_domain::metric_change::detect_change;
use causeflow_domain::report::CauseKind;
use causeflow_domain::templating::{notable_templates, LogLine};
use causeflow_domain::tenant::ServiceConfig;
use causeflow_domain::{AgentKind, TenantId};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

const SCENARIOS: [&str; 5] = ["bad-deployment", "oom-killed", "dependency-failure", "no-anomaly", "traffic-surge"];
const MAX_FILE_BYTES: u64 = 300 * 1024;
const MINUTES_OF_METRICS: usize = 76;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn read_json(scenario: &str, file: &str) -> Value {
    let path = scenarios_dir().join(scenario).join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{} is not valid JSON: {error}", path.display()))
}

fn optional_json(scenario: &str, file: &str) -> Option<Value> {
    scenarios_dir().join(scenario).join(file).exists().then(|| read_json(scenario, file))
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("missing string at {pointer}"))
}

fn alarm_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap()
}

fn parse_time(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).unwrap_or_else(|error| panic!("bad timestamp {raw}: {error}")).with_timezone(&Utc)
}

fn from_millis(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis).single().unwrap_or_else(|| panic!("bad millisecond timestamp {millis}"))
}

// ------------------------------------------------------------------------------------------
// Well-formedness

#[test]
fn scenario_files_are_small() {
    for scenario in SCENARIOS {
        for entry in fs::read_dir(scenarios_dir().join(scenario)).unwrap() {
            let entry = entry.unwrap();
            let size = entry.metadata().unwrap().len();
            assert!(size < MAX_FILE_BYTES, "{scenario}/{:?} is {size} bytes", entry.file_name());
        }
    }
}

#[test]
fn scenario_descriptions_are_complete() {
    for scenario in SCENARIOS {
        let description = read_json(scenario, "scenario.json");

        assert_eq!(str_at(&description, "/name"), scenario);
        assert!(!str_at(&description, "/description").is_empty(), "{scenario}: empty description");
        assert!(!str_at(&description, "/conclusion").is_empty(), "{scenario}: empty conclusion");
        assert_eq!(parse_time(str_at(&description, "/reference_time")), Utc.with_ymd_and_hms(2026, 11, 30, 14, 1, 0).unwrap());
        let cause: Result<CauseKind, _> = serde_json::from_value(description["expected"]["top_cause"].clone());
        assert!(cause.is_ok(), "{scenario}: unknown expected.top_cause");
        let action = &description["expected"]["action"];
        assert!(
            action.is_null() || ["rollback_service", "raise_memory_limit", "scale_out"].contains(&action.as_str().unwrap_or("")),
            "{scenario}: unknown expected.action {action}"
        );
        let service: Result<ServiceConfig, _> = serde_json::from_value(description["service"].clone());
        assert!(service.is_ok(), "{scenario}: service block does not match ServiceConfig");
    }
}

#[test]
fn alarm_events_parse_as_delivered() {
    let mut kinds = BTreeSet::new();
    for scenario in SCENARIOS {
        let description = read_json(scenario, "scenario.json");
        let raw = fs::read(scenarios_dir().join(scenario).join("alarm-event.json")).unwrap();

        let alarm = AlarmEvent::parse_bytes(&raw).unwrap_or_else(|error| panic!("{scenario}: {error}"));

        assert_eq!(alarm.account, "111122223333");
        assert_eq!(alarm.region, "us-east-1");
        assert_eq!(alarm.state_changed_at.timestamp(), alarm_time().timestamp(), "{scenario}: onset");
        assert_eq!(alarm.previous_state.as_deref(), Some("OK"));
        let alarm_names: Vec<&str> =
            description["service"]["alarm_names"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(alarm_names.contains(&alarm.alarm_name.as_str()), "{scenario}: alarm not listed for the service");
        kinds.insert(format!("{:?}", alarm.kind));
    }
    let expected: BTreeSet<String> =
        [AlarmKind::SingleMetric, AlarmKind::MetricMath, AlarmKind::Composite].iter().map(|kind| format!("{kind:?}")).collect();
    assert_eq!(kinds, expected);
}

#[test]
fn log_batches_are_put_log_events_shaped() {
    let start = Utc.with_ymd_and_hms(2026, 11, 30, 13, 5, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 11, 30, 14, 21, 0).unwrap();
    for scenario in SCENARIOS {
        let description = read_json(scenario, "scenario.json");
        let log_groups: Vec<&str> =
            description["service"]["log_groups"].as_array().unwrap().iter().filter_map(Value::as_str).collect();

        let batches = read_json(scenario, "logs.json");
        let batches = batches.as_array().unwrap_or_else(|| panic!("{scenario}: logs.json is not an array"));
        assert!(!batches.is_empty());
        let mut total = 0;
        for batch in batches {
            assert!(log_groups.contains(&str_at(batch, "/logGroupName")), "{scenario}: unknown log group");
            assert!(!str_at(batch, "/logStreamName").is_empty());
            let events = batch["events"].as_array().unwrap();
            let mut previous = i64::MIN;
            for event in events {
                let timestamp = event["timestamp"].as_i64().unwrap_or_else(|| panic!("{scenario}: timestamp is not an integer"));
                assert!(timestamp >= previous, "{scenario}: events of a stream must be in time order for PutLogEvents");
                previous = timestamp;
                let time = from_millis(timestamp);
                assert!(time >= start, "{scenario}: event at {time} is before 13:05");
                assert!(time < end, "{scenario}: event at {time} is after 14:21");
                assert!(!str_at(event, "/message").is_empty());
            }
            total += events.len();
        }
        assert!((200..2000).contains(&total), "{scenario}: {total} log events");
    }
}

#[test]
fn bad_deployment_logs_carry_every_pii_kind() {
    let logs = read_json("bad-deployment", "logs.json").to_string();

    for needle in ["ana.souza@example.com", "4111 1111 1111 1111", "+55 11 99999-9999", "123.456.789-09", "Authorization: Bearer eyJ"] {
        assert!(logs.contains(needle), "bad-deployment logs lack {needle}");
    }
}

#[test]
fn metric_batches_are_put_metric_data_shaped() {
    for scenario in SCENARIOS {
        let batches = read_json(scenario, "metrics.json");
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for batch in batches.as_array().unwrap() {
            let namespace = str_at(batch, "/Namespace");
            for datum in batch["MetricData"].as_array().unwrap() {
                let name = str_at(datum, "/MetricName");
                parse_time(str_at(datum, "/Timestamp"));
                assert!(datum["Value"].is_number(), "{scenario}: {name} value is not a number");
                assert!(!str_at(datum, "/Unit").is_empty());
                for dimension in datum["Dimensions"].as_array().unwrap() {
                    str_at(dimension, "/Name");
                    str_at(dimension, "/Value");
                }
                *counts.entry((namespace.to_string(), name.to_string())).or_default() += 1;
            }
        }

        for metric in ["CPUUtilization", "MemoryUtilization"] {
            assert_eq!(counts.get(&("AWS/ECS".to_string(), metric.to_string())), Some(&MINUTES_OF_METRICS), "{scenario}: {metric}");
        }
        let alarm = AlarmEvent::parse(&read_json(scenario, "alarm-event.json")).unwrap();
        for metric in &alarm.metrics {
            assert_eq!(
                counts.get(&(metric.namespace.clone(), metric.name.clone())),
                Some(&MINUTES_OF_METRICS),
                "{scenario}: alarm metric {}",
                metric.name
            );
        }
    }
}

#[test]
fn ecs_state_is_create_service_shaped() {
    for scenario in SCENARIOS {
        let ecs = read_json(scenario, "ecs.json");

        assert_eq!(str_at(&ecs, "/cluster"), "prod");
        let definitions = ecs["task_definitions"].as_array().unwrap();
        assert!(!definitions.is_empty());
        for definition in definitions {
            assert_eq!(str_at(definition, "/family"), "checkout");
            let containers = definition["containerDefinitions"].as_array().unwrap();
            assert!(containers.iter().all(|container| container["memory"].as_u64().is_some()));
        }
        assert_eq!(str_at(&ecs, "/service/serviceName"), "checkout");
        assert_eq!(str_at(&ecs, "/service/taskDefinition"), "checkout:1");
        assert!(ecs["service"]["desiredCount"].as_u64().is_some_and(|count| count > 0));
        let launch_type = str_at(&ecs, "/service/launchType");
        assert!(["FARGATE", "EC2"].contains(&launch_type));
        assert!(ecs["deploy_task_definition"].is_null() || ecs["deploy_task_definition"].is_string());
        for stopped in ecs["stopped_tasks"].as_array().unwrap() {
            assert!(stopped["count"].as_u64().is_some());
            str_at(stopped, "/task_definition");
            str_at(stopped, "/reason");
        }
        assert_eq!(launch_type == "EC2", optional_json(scenario, "ec2.json").is_some(), "{scenario}: ec2.json exactly when EC2-backed");
    }
}

// ------------------------------------------------------------------------------------------
// Evidence, as the agents would extract it

struct Loaded {
    investigation: Investigation,
    evidence: Vec<Evidence>,
    expected_cause: Value,
    expected_action: Value,
}

fn load(scenario: &str) -> Loaded {
    let description = read_json(scenario, "scenario.json");
    let alarm = AlarmEvent::parse(&read_json(scenario, "alarm-event.json")).unwrap();
    let service: ServiceConfig = serde_json::from_value(description["service"].clone()).unwrap();
    let reference_time = parse_time(str_at(&description, "/reference_time"));
    let investigation = Investigation::open(
        TenantId::parse("acme").unwrap(),
        alarm.account.clone(),
        alarm.region.clone(),
        alarm,
        service,
        alarm_time(),
    );

    let mut evidence = Vec::new();
    evidence.extend(log_evidence(&read_json(scenario, "logs.json"), &investigation));
    evidence.extend(metric_evidence(&read_json(scenario, "metrics.json"), &investigation));
    evidence.extend(infra_evidence(&read_json(scenario, "ecs.json"), optional_json(scenario, "ec2.json"), reference_time));

    Loaded {
        investigation,
        evidence,
        expected_cause: description["expected"]["top_cause"].clone(),
        expected_action: description["expected"]["action"].clone(),
    }
}

fn log_evidence(batches: &Value, investigation: &Investigation) -> Vec<Evidence> {
    let mut lines = Vec::new();
    for batch in batches.as_array().unwrap() {
        for event in batch["events"].as_array().unwrap() {
            lines.push(LogLine {
                timestamp: from_millis(event["timestamp"].as_i64().unwrap()),
                log_group: str_at(batch, "/logGroupName").to_string(),
                message: str_at(event, "/message").to_string(),
            });
        }
    }
    notable_templates(&lines, investigation.onset())
        .into_iter()
        .enumerate()
        .map(|(index, finding)| Evidence {
            id: format!("logs-{}", index + 1),
            agent: AgentKind::LogAnalyst,
            finding: Finding::LogTemplate(finding),
        })
        .collect()
}

fn metric_evidence(batches: &Value, investigation: &Investigation) -> Vec<Evidence> {
    type SeriesKey = (String, String, BTreeMap<String, String>);
    let mut series: BTreeMap<SeriesKey, Vec<(DateTime<Utc>, f64)>> = BTreeMap::new();
    for batch in batches.as_array().unwrap() {
        let namespace = str_at(batch, "/Namespace");
        for datum in batch["MetricData"].as_array().unwrap() {
            let dimensions = datum["Dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|dimension| (str_at(dimension, "/Name").to_string(), str_at(dimension, "/Value").to_string()))
                .collect();
            let key = (namespace.to_string(), str_at(datum, "/MetricName").to_string(), dimensions);
            series.entry(key).or_default().push((parse_time(str_at(datum, "/Timestamp")), datum["Value"].as_f64().unwrap()));
        }
    }

    series
        .into_iter()
        .enumerate()
        .map(|(index, ((namespace, metric_name, dimensions), points))| {
            let alarm_metric = investigation.alarm.metrics.iter().find(|metric| {
                metric.namespace == namespace && metric.name == metric_name && metric.dimensions == dimensions
            });
            let (baseline, peak, direction, changed_at) = detect_change(&points, investigation.onset());
            Evidence {
                id: format!("metrics-{}", index + 1),
                agent: AgentKind::MetricAnalyst,
                finding: Finding::MetricChange(MetricChangeFinding {
                    namespace,
                    metric_name,
                    dimensions,
                    stat: alarm_metric.map_or_else(|| "Average".to_string(), |metric| metric.stat.clone()),
                    is_alarm_metric: alarm_metric.is_some(),
                    baseline,
                    peak,
                    direction,
                    changed_at,
                }),
            }
        })
        .collect()
}

/// Numbers the task definitions as registered in order, the first being the service's.
fn revisions(ecs: &Value) -> BTreeMap<String, &Value> {
    let first = str_at(ecs, "/service/taskDefinition");
    let (family, revision) = first.split_once(':').unwrap();
    let first_revision: u32 = revision.parse().unwrap();
    ecs["task_definitions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, definition)| (format!("{family}:{}", first_revision + index as u32), definition))
        .collect()
}

fn container_fields(definition: &Value) -> BTreeMap<String, (String, u64)> {
    definition["containerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|container| {
            (
                str_at(container, "/name").to_string(),
                (str_at(container, "/image").to_string(), container["memory"].as_u64().unwrap()),
            )
        })
        .collect()
}

fn infra_evidence(ecs: &Value, ec2: Option<Value>, reference_time: DateTime<Utc>) -> Vec<Evidence> {
    let definitions = revisions(ecs);
    let initial = str_at(ecs, "/service/taskDefinition").to_string();
    let deployed = ecs["deploy_task_definition"].as_str().map(str::to_string);
    let current = deployed.clone().unwrap_or_else(|| initial.clone());
    let mut findings = Vec::new();

    if let Some(deployed) = &deployed {
        let before = container_fields(definitions[&initial]);
        let after = container_fields(definitions[deployed]);
        let mut changes = Vec::new();
        for (name, (image, memory)) in &after {
            if let Some((old_image, old_memory)) = before.get(name) {
                if old_image != image {
                    changes.push(format!("container {name} image: {old_image} -> {image}"));
                }
                if old_memory != memory {
                    changes.push(format!("container {name} memory: {old_memory} -> {memory}"));
                }
            }
        }
        findings.push(Finding::Deployment(DeploymentFinding {
            cluster: str_at(ecs, "/cluster").to_string(),
            service: str_at(ecs, "/service/serviceName").to_string(),
            deployment_id: "ecs-svc/9876543210987654321".to_string(),
            status: "PRIMARY".to_string(),
            task_definition: deployed.clone(),
            previous_task_definition: Some(initial.clone()),
            started_at: reference_time,
            changes,
        }));
    }

    for stopped in ecs["stopped_tasks"].as_array().unwrap() {
        let reason = str_at(stopped, "/reason").to_string();
        findings.push(Finding::StoppedTasks(StoppedTasksFinding {
            task_definition: str_at(stopped, "/task_definition").to_string(),
            count: u32::try_from(stopped["count"].as_u64().unwrap()).unwrap(),
            out_of_memory: reason.contains("OutOfMemory"),
            stopped_reason: "Essential container in task exited".to_string(),
            container_reasons: vec![reason],
            exit_codes: stopped["exit_code"].as_i64().map(|code| vec![i32::try_from(code).unwrap()]).unwrap_or_default(),
            first_stopped_at: Some(reference_time),
            last_stopped_at: Some(reference_time),
        }));
    }

    let desired = u32::try_from(ecs["service"]["desiredCount"].as_u64().unwrap()).unwrap();
    findings.push(Finding::ServiceState(ServiceStateFinding {
        cluster: str_at(ecs, "/cluster").to_string(),
        service: str_at(ecs, "/service/serviceName").to_string(),
        service_arn: "arn:aws:ecs:us-east-1:111122223333:service/prod/checkout".to_string(),
        task_definition: current.clone(),
        desired_count: desired,
        running_count: desired,
        container_memory_mib: container_fields(definitions[&current])
            .into_iter()
            .map(|(name, (_, memory))| (name, u32::try_from(memory).unwrap()))
            .collect(),
        task_definition_roles: ["taskRoleArn", "executionRoleArn"]
            .iter()
            .filter_map(|field| definitions[&current][*field].as_str().map(str::to_string))
            .collect(),
    }));

    if let Some(ec2) = ec2 {
        let instances = ec2["instances"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(index, instance)| Ec2InstanceSummary {
                instance_id: format!("i-0{index:016x}"),
                instance_type: str_at(instance, "/InstanceType").to_string(),
                state: "running".to_string(),
            })
            .collect();
        findings.push(Finding::Ec2Instances(Ec2InstancesFinding { instances }));
    }

    findings
        .into_iter()
        .enumerate()
        .map(|(index, finding)| Evidence { id: format!("infra-{}", index + 1), agent: AgentKind::InfraInspector, finding })
        .collect()
}

// ------------------------------------------------------------------------------------------
// Analysis

fn action_type(action: &Option<ProposedAction>) -> Value {
    action.as_ref().map_or(Value::Null, |action| serde_json::to_value(action).unwrap()["type"].clone())
}

#[test]
fn every_scenario_reaches_expected_cause_and_action() {
    for scenario in SCENARIOS {
        let loaded = load(scenario);

        let report = analyze(&loaded.investigation, &loaded.evidence, alarm_time());

        let top = report.top_hypothesis().unwrap();
        assert_eq!(serde_json::to_value(top.cause).unwrap(), loaded.expected_cause, "{scenario}: {:#?}", report.hypotheses);
        assert_eq!(action_type(&report.proposed_action), loaded.expected_action, "{scenario}: {:?}", report.proposed_action);
        assert!(!top.evidence_ids.is_empty(), "{scenario}: top hypothesis cites nothing");
        for id in &top.evidence_ids {
            assert!(loaded.evidence.iter().any(|item| &item.id == id), "{scenario}: cites unknown evidence {id}");
        }
        let markdown = render_markdown(&report);
        assert!(markdown.contains("**Verdict: "), "{scenario}: markdown has no verdict");
    }
}

#[test]
fn bad_deployment_rolls_back_to_previous_revision() {
    let loaded = load("bad-deployment");

    let report = analyze(&loaded.investigation, &loaded.evidence, alarm_time());

    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "checkout:2".into(),
            to_task_definition: "checkout:1".into(),
        })
    );
    let templates: Vec<&str> = loaded
        .evidence
        .iter()
        .filter_map(|item| match &item.finding {
            Finding::LogTemplate(template) if template.is_new => Some(template.template.as_str()),
            _ => None,
        })
        .collect();
    assert!(templates.contains(&"ERROR [http] POST /api/checkout <*> <*> request_id=<*> order_id=<*>"), "{templates:#?}");
}

#[test]
fn oom_killed_doubles_memory_limit() {
    let loaded = load("oom-killed");

    let report = analyze(&loaded.investigation, &loaded.evidence, alarm_time());

    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::RaiseMemoryLimit {
            cluster: "prod".into(),
            service: "checkout".into(),
            task_definition: "checkout:1".into(),
            container: "checkout".into(),
            from_mib: 512,
            to_mib: 1024,
            pass_roles: vec![
                "arn:aws:iam::111122223333:role/checkout-task".into(),
                "arn:aws:iam::111122223333:role/ecsTaskExecutionRole".into(),
            ],
        })
    );
}

#[test]
fn traffic_surge_doubles_desired_count() {
    let loaded = load("traffic-surge");

    let report = analyze(&loaded.investigation, &loaded.evidence, alarm_time());

    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::ScaleOut { cluster: "prod".into(), service: "checkout".into(), from_count: 4, to_count: 8 })
    );
}

#[test]
fn no_anomaly_reports_no_templates_or_changes() {
    let loaded = load("no-anomaly");

    let changed: Vec<&str> = loaded
        .evidence
        .iter()
        .filter(|item| match &item.finding {
            Finding::LogTemplate(_) => true,
            Finding::MetricChange(metric) => metric.changed_at.is_some(),
            _ => false,
        })
        .map(|item| item.id.as_str())
        .collect();
    assert_eq!(changed, Vec::<&str>::new());
}
