//! The infra inspector's EC2 path: in `traffic-surge`, checkout's four tasks run on two EC2
//! container instances, and the inspector reports both without changing the conclusion.

mod common;

use causeflow_domain::evidence::{Ec2InstanceSummary, Finding};
use causeflow_domain::AgentKind;
use causeflow_runner::ExecutionStatus;

use common::run_scenario;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_surge_reports_ec2_instances() {
    let outcome = run_scenario("traffic-surge", None).await;

    assert_eq!(outcome.execution.status, ExecutionStatus::Succeeded, "{:?} {:?}", outcome.execution.error, outcome.execution.cause);
    let launched = &outcome.loaded.ec2_instance_ids;
    assert_eq!(launched.len(), 2, "ec2.json lists two instances: {launched:?}");

    let investigation = outcome.investigation.as_ref().expect("investigation stored");
    let evidence = outcome.platform.investigations.evidence(&investigation.tenant_id, &investigation.investigation_id).await.expect("evidence readable");
    let findings: Vec<&Vec<Ec2InstanceSummary>> = evidence
        .iter()
        .filter(|item| item.agent == AgentKind::InfraInspector)
        .filter_map(|item| match &item.finding {
            Finding::Ec2Instances(finding) => Some(&finding.instances),
            _ => None,
        })
        .collect();
    assert_eq!(findings.len(), 1, "one EC2 finding from the infra inspector");

    let mut reported = findings[0].clone();
    reported.sort_by(|left, right| left.instance_id.cmp(&right.instance_id));
    let mut expected: Vec<Ec2InstanceSummary> = launched
        .iter()
        .map(|id| Ec2InstanceSummary { instance_id: id.clone(), instance_type: "m5.large".into(), state: "running".into() })
        .collect();
    expected.sort_by(|left, right| left.instance_id.cmp(&right.instance_id));
    assert_eq!(reported, expected);

    // The instances add evidence but change nothing in the scenario's conclusion.
    let (report, _) = outcome.report.clone().expect("report stored");
    let top = report.top_hypothesis().expect("at least one hypothesis");
    assert_eq!(serde_json::to_value(top.cause).unwrap(), serde_json::Value::String("saturation".into()));
    let action = report.proposed_action.as_ref().map(|action| serde_json::to_value(action).unwrap()["type"].clone());
    assert_eq!(action, Some(serde_json::Value::String("scale_out".into())));
}
