use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::action::ProposedAction;
use crate::alarm::{AlarmEvent, AlarmKind};
use crate::evidence::{
    ChangeDirection, DeploymentFinding, Ec2InstanceSummary, Ec2InstancesFinding, Finding, LogTemplateFinding,
    MetricChangeFinding, ServiceStateFinding, StoppedTasksFinding,
};
use crate::report::CauseKind;
use crate::tenant::ServiceConfig;
use crate::{AgentKind, TenantId};

fn onset() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap()
}

fn minutes(offset: i64) -> DateTime<Utc> {
    onset() + Duration::minutes(offset)
}

fn investigation() -> Investigation {
    let alarm = AlarmEvent {
        event_id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92".into(),
        account: "111122223333".into(),
        region: "us-east-1".into(),
        alarm_name: "checkout-5xx".into(),
        alarm_arn: None,
        kind: AlarmKind::SingleMetric,
        metrics: vec![],
        expressions: vec![],
        alarm_rule: None,
        state_reason: "Threshold Crossed".into(),
        previous_state: Some("OK".into()),
        state_changed_at: onset(),
    };
    let service = ServiceConfig {
        name: "checkout".into(),
        cluster: "prod".into(),
        service: "checkout".into(),
        log_groups: vec!["/ecs/checkout".into()],
        alarm_names: vec!["checkout-5xx".into()],
        related_metrics: vec![],
    };
    Investigation::open(
        TenantId::parse("acme").unwrap(),
        "111122223333".into(),
        "us-east-1".into(),
        alarm,
        service,
        minutes(1),
    )
}

fn evidence(id: &str, finding: Finding) -> Evidence {
    let agent = match &finding {
        Finding::LogTemplate(_) => AgentKind::LogAnalyst,
        Finding::MetricChange(_) => AgentKind::MetricAnalyst,
        _ => AgentKind::InfraInspector,
    };
    Evidence { id: id.into(), agent, finding }
}

fn deployment(started: i64) -> Finding {
    Finding::Deployment(DeploymentFinding {
        cluster: "prod".into(),
        service: "checkout".into(),
        deployment_id: "ecs-svc/4112960112345678901".into(),
        status: "PRIMARY".into(),
        task_definition: "checkout:8".into(),
        previous_task_definition: Some("checkout:7".into()),
        started_at: minutes(started),
        changes: vec!["container checkout image: checkout:1.4.2 -> checkout:1.5.0".into()],
    })
}

fn template(text: &str, first_seen: i64, is_new: bool) -> Finding {
    Finding::LogTemplate(LogTemplateFinding {
        template: text.into(),
        count_before: if is_new { 0 } else { 4 },
        count_after: 40,
        first_seen: minutes(first_seen),
        is_new,
        log_group: "/ecs/checkout".into(),
        sample: text.replace("<*>", "7"),
    })
}

fn metric(name: &str, is_alarm_metric: bool, baseline: f64, peak: f64, direction: ChangeDirection, changed: Option<i64>) -> Finding {
    Finding::MetricChange(MetricChangeFinding {
        namespace: "AWS/ECS".into(),
        metric_name: name.into(),
        dimensions: BTreeMap::from([("ClusterName".into(), "prod".into()), ("ServiceName".into(), "checkout".into())]),
        stat: "Average".into(),
        is_alarm_metric,
        baseline,
        peak,
        direction,
        changed_at: changed.map(minutes),
    })
}

fn oom_kills(task_definition: &str, count: u32) -> Finding {
    Finding::StoppedTasks(StoppedTasksFinding {
        task_definition: task_definition.into(),
        count,
        stopped_reason: "Essential container in task exited".into(),
        container_reasons: vec!["OutOfMemoryError: Container killed due to memory usage".into()],
        exit_codes: vec![137],
        out_of_memory: true,
        first_stopped_at: Some(minutes(-3)),
        last_stopped_at: Some(minutes(2)),
    })
}

fn service_state(task_definition: &str, desired: u32, memory: &[(&str, u32)]) -> Finding {
    Finding::ServiceState(ServiceStateFinding {
        cluster: "prod".into(),
        service: "checkout".into(),
        service_arn: "arn:aws:ecs:us-east-1:111122223333:service/prod/checkout".into(),
        task_definition: task_definition.into(),
        desired_count: desired,
        running_count: desired,
        container_memory_mib: memory.iter().map(|(name, mib)| (name.to_string(), *mib)).collect(),
        task_definition_roles: vec!["arn:aws:iam::111122223333:role/checkout-task".into()],
    })
}

fn causes(report: &Report) -> Vec<CauseKind> {
    report.hypotheses.iter().map(|hypothesis| hypothesis.cause).collect()
}

#[test]
fn deployment_with_new_errors_proposes_rollback() {
    let evidence = vec![
        evidence("infra-1", deployment(-4)),
        evidence("infra-2", service_state("checkout:8", 4, &[("checkout", 512)])),
        evidence("logs-1", template("ERROR POST /api/checkout <*> failed: NullPointerException", -3, true)),
        evidence("metrics-1", metric("HTTPCode_Target_5XX_Count", true, 0.2, 180.0, ChangeDirection::Up, Some(-3))),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::BadDeployment]);
    let top = &report.hypotheses[0];
    assert_eq!(top.rank, 1);
    assert_eq!(top.confidence, 0.95);
    assert_eq!(top.evidence_ids, vec!["infra-1", "logs-1", "metrics-1"]);
    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::RollbackService {
            cluster: "prod".into(),
            service: "checkout".into(),
            from_task_definition: "checkout:8".into(),
            to_task_definition: "checkout:7".into(),
        })
    );
}

#[test]
fn deployment_long_before_onset_is_ignored() {
    let evidence = vec![
        evidence("infra-1", deployment(-(DEPLOYMENT_WINDOW_MINUTES + 1))),
        evidence("metrics-1", metric("HTTPCode_Target_5XX_Count", true, 0.2, 0.9, ChangeDirection::Unchanged, None)),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::NoAnomaly]);
    assert_eq!(report.proposed_action, None);
}

#[test]
fn deployment_without_previous_revision_proposes_nothing() {
    let mut finding = deployment(-4);
    if let Finding::Deployment(deployment) = &mut finding {
        deployment.previous_task_definition = None;
    }
    let report = analyze(&investigation(), &[evidence("infra-1", finding)], minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::BadDeployment]);
    assert_eq!(report.proposed_action, None);
}

#[test]
fn oom_kills_propose_doubled_memory() {
    let evidence = vec![
        evidence("infra-1", oom_kills("checkout:7", 3)),
        evidence("infra-2", service_state("checkout:7", 4, &[("checkout", 512), ("envoy", 128)])),
        evidence("metrics-1", metric("MemoryUtilization", false, 55.0, 97.0, ChangeDirection::Up, Some(-15))),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(report.hypotheses[0].cause, CauseKind::OutOfMemory);
    assert_eq!(report.hypotheses[0].confidence, 0.9);
    assert_eq!(report.hypotheses[0].evidence_ids, vec!["infra-1", "metrics-1"]);
    // Memory at 97% also makes saturation a hypothesis, far behind.
    assert_eq!(causes(&report), vec![CauseKind::OutOfMemory, CauseKind::Saturation]);
    assert_eq!(report.hypotheses[1].confidence, 0.1);
    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::RaiseMemoryLimit {
            cluster: "prod".into(),
            service: "checkout".into(),
            task_definition: "checkout:7".into(),
            container: "checkout".into(),
            from_mib: 512,
            to_mib: 1024,
            pass_roles: vec!["arn:aws:iam::111122223333:role/checkout-task".into()],
        })
    );
}

#[test]
fn memory_step_is_capped() {
    let evidence = vec![
        evidence("infra-1", oom_kills("worker:3", 2)),
        evidence("infra-2", service_state("worker:3", 2, &[("sidecar", 256), ("worker", 6144)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    // No container is named after the service, so the largest one is raised.
    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::RaiseMemoryLimit {
            cluster: "prod".into(),
            service: "checkout".into(),
            task_definition: "worker:3".into(),
            container: "worker".into(),
            from_mib: 6144,
            to_mib: 6144 + MAX_MEMORY_STEP_MIB,
            pass_roles: vec!["arn:aws:iam::111122223333:role/checkout-task".into()],
        })
    );
}

#[test]
fn oom_on_new_revision_blames_deployment() {
    let evidence = vec![
        evidence("infra-1", deployment(-10)),
        evidence("infra-2", oom_kills("checkout:8", 3)),
        evidence("infra-3", service_state("checkout:8", 4, &[("checkout", 512)])),
        evidence("metrics-1", metric("MemoryUtilization", false, 50.0, 70.0, ChangeDirection::Up, Some(-8))),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::BadDeployment, CauseKind::OutOfMemory]);
    assert_eq!(report.hypotheses[0].confidence, 0.8);
    assert_eq!(report.hypotheses[1].confidence, 0.7);
    assert!(matches!(report.proposed_action, Some(ProposedAction::RollbackService { .. })));
}

#[test]
fn dependency_failure_proposes_nothing() {
    let evidence = vec![
        evidence("logs-1", template("upstream payments-api timed out after <*>", -4, true)),
        evidence("logs-2", template("connect ECONNREFUSED <*> (payments-api)", -3, true)),
        evidence("metrics-1", metric("TargetResponseTime", false, 0.2, 5.1, ChangeDirection::Up, Some(-4))),
        evidence("metrics-2", metric("HTTPCode_Target_5XX_Count", true, 0.1, 90.0, ChangeDirection::Up, Some(-4))),
        evidence("infra-1", service_state("checkout:7", 4, &[("checkout", 512)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::DependencyFailure]);
    assert_eq!(report.hypotheses[0].confidence, 0.9);
    assert_eq!(report.hypotheses[0].evidence_ids, vec!["logs-1", "logs-2", "metrics-1", "metrics-2"]);
    assert_eq!(report.proposed_action, None);
}

#[test]
fn dependency_errors_after_deployment_blame_deployment() {
    let evidence = vec![
        evidence("infra-1", deployment(-6)),
        evidence("logs-1", template("dial tcp <*>: connection refused", -5, true)),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::BadDeployment, CauseKind::DependencyFailure]);
    assert_eq!(report.hypotheses[0].confidence, 0.9);
    assert_eq!(report.hypotheses[1].confidence, 0.3);
    assert!(matches!(report.proposed_action, Some(ProposedAction::RollbackService { .. })));
}

#[test]
fn saturation_without_change_scales_out() {
    let evidence = vec![
        evidence("metrics-1", metric("CPUUtilization", true, 38.0, 96.0, ChangeDirection::Up, Some(-7))),
        evidence("metrics-2", metric("RequestCount", false, 1200.0, 3100.0, ChangeDirection::Up, Some(-8))),
        evidence("metrics-3", metric("MemoryUtilization", false, 48.0, 52.0, ChangeDirection::Unchanged, None)),
        evidence("infra-1", service_state("checkout:7", 4, &[("checkout", 1024)])),
        evidence(
            "infra-2",
            Finding::Ec2Instances(Ec2InstancesFinding {
                instances: vec![Ec2InstanceSummary {
                    instance_id: "i-0abc".into(),
                    instance_type: "m5.large".into(),
                    state: "running".into(),
                }],
            }),
        ),
        evidence("logs-1", template("GET /api/products/<*> <*> <*>", -8, false)),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::Saturation]);
    assert_eq!(report.hypotheses[0].confidence, 0.7);
    assert_eq!(report.hypotheses[0].evidence_ids, vec!["metrics-1", "metrics-2", "infra-2"]);
    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::ScaleOut { cluster: "prod".into(), service: "checkout".into(), from_count: 4, to_count: 8 })
    );
}

#[test]
fn scale_out_step_is_capped() {
    let evidence = vec![
        evidence("metrics-1", metric("CPUUtilization", true, 38.0, 96.0, ChangeDirection::Up, Some(-7))),
        evidence("metrics-2", metric("RequestCount", false, 1200.0, 3100.0, ChangeDirection::Up, Some(-8))),
        evidence("infra-1", service_state("checkout:7", 25, &[("checkout", 1024)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(
        report.proposed_action,
        Some(ProposedAction::ScaleOut { cluster: "prod".into(), service: "checkout".into(), from_count: 25, to_count: 35 })
    );
}

#[test]
fn saturation_with_new_errors_does_not_scale_out() {
    let evidence = vec![
        evidence("metrics-1", metric("CPUUtilization", true, 38.0, 96.0, ChangeDirection::Up, Some(-7))),
        evidence("metrics-2", metric("RequestCount", false, 1200.0, 3100.0, ChangeDirection::Up, Some(-8))),
        evidence("logs-1", template("ERROR render failed: <*>", -6, true)),
        evidence("infra-1", service_state("checkout:7", 4, &[("checkout", 1024)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::Saturation]);
    assert_eq!(report.hypotheses[0].confidence, 0.5);
    assert_eq!(report.proposed_action, None);
}

#[test]
fn cpu_below_saturation_is_not_a_cause() {
    let evidence = vec![
        evidence("metrics-1", metric("CPUUtilization", false, 30.0, 70.0, ChangeDirection::Up, Some(-7))),
        evidence("metrics-2", metric("TargetResponseTime", true, 0.3, 0.4, ChangeDirection::Unchanged, None)),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::NoAnomaly]);
    assert_eq!(report.hypotheses[0].confidence, 0.8);
}

#[test]
fn steady_alarm_metric_is_no_anomaly() {
    let evidence = vec![
        evidence("metrics-1", metric("TargetResponseTime", true, 0.31, 1.4, ChangeDirection::Unchanged, None)),
        evidence("metrics-2", metric("CPUUtilization", false, 35.0, 37.0, ChangeDirection::Unchanged, None)),
        evidence("logs-1", template("GET /health <*>", -2, false)),
        evidence("infra-1", service_state("checkout:7", 4, &[("checkout", 512)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::NoAnomaly]);
    assert_eq!(report.hypotheses[0].title, "Nothing anomalous: the alarm fired on a brief blip");
    assert_eq!(report.hypotheses[0].confidence, 0.8);
    assert_eq!(report.hypotheses[0].evidence_ids, vec!["metrics-1"]);
    assert_eq!(report.proposed_action, None);
}

#[test]
fn changed_alarm_metric_without_cause_has_low_confidence() {
    let evidence =
        vec![evidence("metrics-1", metric("HTTPCode_Target_5XX_Count", true, 0.0, 30.0, ChangeDirection::Up, Some(-2)))];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::NoAnomaly]);
    assert_eq!(report.hypotheses[0].confidence, 0.3);
    assert_eq!(report.hypotheses[0].title, "The alarm metric changed but no cause was found");
}

#[test]
fn no_evidence_is_no_anomaly_with_low_confidence() {
    let report = analyze(&investigation(), &[], minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::NoAnomaly]);
    assert_eq!(report.hypotheses[0].confidence, 0.2);
    assert_eq!(report.proposed_action, None);
    assert_eq!(report.timeline.len(), 1);
}

#[test]
fn equal_confidence_ranks_deployment_before_oom() {
    // Deployment without listed changes: 0.5 + 0.3 for the error template = 0.8. One OOM kill
    // on the old revision: 0.6 + 0.2 for memory up = 0.8.
    let evidence = vec![
        evidence("infra-1", Finding::Deployment(DeploymentFinding { changes: vec![], ..deployment_finding() })),
        evidence("logs-1", template("ERROR checkout failed", -2, true)),
        evidence("infra-2", oom_kills("checkout:7", 1)),
        evidence("metrics-1", metric("MemoryUtilization", false, 50.0, 75.0, ChangeDirection::Up, Some(-6))),
        evidence("infra-3", service_state("checkout:8", 4, &[("checkout", 512)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(report.hypotheses[0].confidence, report.hypotheses[1].confidence);
    assert_eq!(causes(&report), vec![CauseKind::BadDeployment, CauseKind::OutOfMemory]);
    assert!(matches!(report.proposed_action, Some(ProposedAction::RollbackService { .. })));
}

#[test]
fn equal_confidence_ranks_oom_before_dependency() {
    // OOM: 0.6 + 0.1 for repeated kills = 0.7. Dependency: 0.5 + 0.1 for no deployment
    // + 0.1 for the alarm metric = 0.7.
    let evidence = vec![
        evidence("infra-1", oom_kills("checkout:7", 2)),
        evidence("logs-1", template("upstream payments-api timed out after <*>", -2, true)),
        evidence("metrics-1", metric("HTTPCode_Target_5XX_Count", true, 0.0, 12.0, ChangeDirection::Up, Some(-2))),
        evidence("infra-2", service_state("checkout:7", 4, &[("checkout", 512)])),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    assert_eq!(causes(&report), vec![CauseKind::OutOfMemory, CauseKind::DependencyFailure]);
    assert_eq!(report.hypotheses[0].confidence, 0.7);
    assert_eq!(report.hypotheses[1].confidence, 0.7);
    assert_eq!(report.hypotheses[1].rank, 2);
    assert!(matches!(report.proposed_action, Some(ProposedAction::RaiseMemoryLimit { .. })));
}

#[test]
fn timeline_orders_findings_and_alarm() {
    let evidence = vec![
        evidence("logs-1", template("ERROR checkout failed", -3, true)),
        evidence("infra-1", deployment(-4)),
        evidence("infra-2", service_state("checkout:8", 4, &[("checkout", 512)])),
        evidence("metrics-1", metric("HTTPCode_Target_5XX_Count", true, 0.2, 180.0, ChangeDirection::Up, Some(0))),
    ];

    let report = analyze(&investigation(), &evidence, minutes(6));

    let ids: Vec<Option<&str>> = report.timeline.iter().map(|entry| entry.evidence_id.as_deref()).collect();
    assert_eq!(ids, vec![Some("infra-1"), Some("logs-1"), Some("metrics-1"), None]);
    assert_eq!(report.timeline[3].text, "Alarm checkout-5xx entered ALARM: Threshold Crossed");
    assert_eq!(
        report.timeline[0].text,
        "Deployment ecs-svc/4112960112345678901 started: checkout:7 -> checkout:8 (container checkout image: checkout:1.4.2 -> checkout:1.5.0)"
    );
    assert_eq!(report.timeline[1].text, "New log template in /ecs/checkout (40 times): ERROR checkout failed");
    assert_eq!(report.timeline[2].text, "HTTPCode_Target_5XX_Count rose from 0.20 to 180.00");
}

#[test]
fn report_carries_investigation_fields() {
    let investigation = investigation();
    let report = analyze(&investigation, &[], minutes(6));

    assert_eq!(report.tenant_id, investigation.tenant_id);
    assert_eq!(report.investigation_id, investigation.investigation_id);
    assert_eq!(report.alarm_name, "checkout-5xx");
    assert_eq!(report.service, "checkout");
    assert_eq!(report.onset, onset());
    assert_eq!(report.generated_at, minutes(6));
}

fn deployment_finding() -> DeploymentFinding {
    match deployment(-4) {
        Finding::Deployment(finding) => finding,
        _ => unreachable!("deployment() builds a deployment finding"),
    }
}
