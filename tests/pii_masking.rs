//! The bad-deployment scenario's logs carry one value of each PII kind. After the
//! investigation, none of them is in the stored evidence, the report or the history, and the
//! audit trail counts what was masked.

mod common;

use causeflow_domain::audit::AuditEventType;

use common::{run_scenario, scan_items};

/// One value of each kind, exactly as the scenario's log lines carry them.
const PII_IN_SCENARIO_LOGS: [(&str, &str); 5] = [
    ("EMAIL", "ana.souza@example.com"),
    ("PHONE", "+55 11 99999-9999"),
    ("CPF", "123.456.789-09"),
    ("CREDIT_CARD", "4111 1111 1111 1111"),
    ("TOKEN", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_and_report_hold_no_pii() {
    let logs = std::fs::read_to_string(causeflow_local::scenario::scenarios_dir().join("bad-deployment/logs.json")).unwrap();
    for (_, value) in PII_IN_SCENARIO_LOGS {
        assert!(logs.contains(value), "the scenario's logs carry {value}");
    }

    let outcome = run_scenario("bad-deployment", None).await;

    let (report, markdown) = outcome.report.clone().expect("report stored");
    let mut places: Vec<(String, String)> = vec![
        ("report.json".into(), serde_json::to_string(&report).unwrap()),
        ("report.md".into(), markdown),
        ("execution history".into(), serde_json::to_string(&outcome.execution.history).unwrap()),
        ("investigations table".into(), scan_items(&outcome.platform, &outcome.platform.resources.investigations_table).await.join("\n")),
        ("audit table".into(), scan_items(&outcome.platform, &outcome.platform.resources.audit_table).await.join("\n")),
    ];
    for entry in std::fs::read_dir(&outcome.out_dir).unwrap() {
        let path = entry.unwrap().path();
        places.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default()));
    }
    assert!(places[3].1.contains("EVIDENCE#log_analyst"), "the evidence is among the places searched");

    for (kind, value) in PII_IN_SCENARIO_LOGS {
        for (place, text) in &places {
            assert!(!text.contains(value), "{kind} value {value} reached {place}");
        }
    }

    let collected = outcome
        .audit
        .iter()
        .find(|record| record.event_type == AuditEventType::EvidenceCollected && record.details["agent"] == "log_analyst")
        .expect("log_analyst recorded its evidence");
    for (kind, _) in PII_IN_SCENARIO_LOGS {
        let count = collected.details["masked"][kind].as_u64().unwrap_or(0);
        assert!(count >= 1, "masked count of {kind} is recorded, got {}", collected.details["masked"]);
    }
}
