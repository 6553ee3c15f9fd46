//! The audit trail in DynamoDB: concurrent appends keep one unbroken chain per
//! investigation, and a record changed or deleted behind CauseFlow's back is reported at its
//! position.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use causeflow_aws::dynamodb::AuditTrail;
use causeflow_domain::audit::{verify_chain, AuditEvent, AuditEventType, AuditRecord, ChainError};
use causeflow_domain::{InvestigationId, TenantId};
use chrono::Utc;
use serde_json::json;
use tokio::task::JoinSet;

use common::{harness, Harness};

const CONCURRENT_WRITERS: usize = 16;

fn event(actor: &str) -> AuditEvent {
    AuditEvent { event_type: AuditEventType::EvidenceCollected, actor: actor.to_string(), at: Utc::now(), details: json!({ "writer": actor }) }
}

fn tenant(harness: &Harness) -> TenantId {
    harness.loaded.tenant.tenant_id.clone()
}

/// Builds the audit table's partition key of one trail the way the DynamoDB adapter does.
fn trail_partition_key(tenant_id: &TenantId, investigation_id: &InvestigationId) -> String {
    format!("{}#I#{}", tenant_id.key_prefix(), investigation_id)
}

/// Runs one append per entry concurrently and returns the records the appends stored.
async fn append_all_at_once(trail: &AuditTrail, appends: Vec<(TenantId, InvestigationId, String)>) -> Vec<AuditRecord> {
    let mut tasks = JoinSet::new();
    for (tenant_id, investigation_id, actor) in appends {
        let trail = trail.clone();
        tasks.spawn(async move {
            let result = trail.append(&tenant_id, &investigation_id, event(&actor)).await;
            result.unwrap_or_else(|error| panic!("append by {actor} failed: {error}"))
        });
    }
    let mut records = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        records.push(joined.expect("append task does not panic"));
    }
    records
}

/// Appends `length` events one after another, so each test starts from a known chain.
async fn append_in_order(trail: &AuditTrail, tenant_id: &TenantId, investigation_id: &InvestigationId, length: usize) {
    for step in 0..length {
        trail.append(tenant_id, investigation_id, event(&format!("step-{step}"))).await.expect("append succeeds");
    }
}

fn actors(records: &[AuditRecord]) -> Vec<String> {
    let mut actors: Vec<String> = records.iter().map(|record| record.actor.clone()).collect();
    actors.sort();
    actors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_form_one_chain() {
    let harness = harness("bad-deployment").await;
    let tenant_id = tenant(&harness);
    let investigation_id = InvestigationId::for_event(&tenant_id, "concurrent-appends");
    let expected_actors: Vec<String> = (0..CONCURRENT_WRITERS).map(|index| format!("writer-{index:02}")).collect();

    let appends = expected_actors.iter().map(|actor| (tenant_id.clone(), investigation_id.clone(), actor.clone())).collect();
    let returned = append_all_at_once(&harness.platform.audit, appends).await;

    let mut seqs: Vec<u64> = returned.iter().map(|record| record.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..CONCURRENT_WRITERS as u64).collect::<Vec<_>>(), "each append took its own position");

    let stored = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");
    assert_eq!(stored.len(), CONCURRENT_WRITERS);
    assert_eq!(actors(&stored), expected_actors, "no append was lost or doubled");
    let summary = verify_chain(&stored).unwrap_or_else(|error| panic!("trail does not verify: {error}"));
    assert_eq!(summary.records, CONCURRENT_WRITERS);
    assert_eq!(summary.head_hash, stored[CONCURRENT_WRITERS - 1].hash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_appends_keep_chains_apart() {
    let harness = harness("bad-deployment").await;
    let tenant_id = tenant(&harness);
    let first = InvestigationId::for_event(&tenant_id, "interleaved-first");
    let second = InvestigationId::for_event(&tenant_id, "interleaved-second");
    let per_investigation = CONCURRENT_WRITERS / 2;

    let mut appends = Vec::new();
    for index in 0..per_investigation {
        appends.push((tenant_id.clone(), first.clone(), format!("first-{index:02}")));
        appends.push((tenant_id.clone(), second.clone(), format!("second-{index:02}")));
    }
    append_all_at_once(&harness.platform.audit, appends).await;

    for (investigation_id, prefix) in [(&first, "first-"), (&second, "second-")] {
        let stored = harness.platform.audit.read(&tenant_id, investigation_id).await.expect("trail is readable");
        let expected: Vec<String> = (0..per_investigation).map(|index| format!("{prefix}{index:02}")).collect();
        assert_eq!(actors(&stored), expected, "trail of {investigation_id} holds only its own events");
        assert!(stored.iter().all(|record| &record.investigation_id == investigation_id), "every record names {investigation_id}");
        let summary = verify_chain(&stored).unwrap_or_else(|error| panic!("trail of {investigation_id} does not verify: {error}"));
        assert_eq!(summary.records, per_investigation);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_changed_in_table_is_hash_mismatch() {
    let harness = harness("bad-deployment").await;
    let tenant_id = tenant(&harness);
    let investigation_id = InvestigationId::for_event(&tenant_id, "changed-in-table");
    append_in_order(&harness.platform.audit, &tenant_id, &investigation_id, 5).await;
    let stored = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");
    verify_chain(&stored).expect("trail verifies before the change");

    let mut changed = stored[2].clone();
    changed.actor = "someone-else".to_string();
    let body = serde_json::to_string(&changed).expect("record encodes");
    let dynamodb = aws_sdk_dynamodb::Client::new(&harness.platform.sdk);
    dynamodb
        .update_item()
        .table_name(&harness.platform.resources.audit_table)
        .key("pk", AttributeValue::S(trail_partition_key(&tenant_id, &investigation_id)))
        .key("sk", AttributeValue::N("2".to_string()))
        .update_expression("SET body = :body")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":body", AttributeValue::S(body))
        .send()
        .await
        .expect("record 2 is updated in place");

    let tampered = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");
    assert_eq!(tampered.len(), 5);
    assert_eq!(tampered[2].actor, "someone-else", "the read returns the changed record");
    assert_eq!(verify_chain(&tampered), Err(ChainError::HashMismatch { seq: 2 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_rehashed_in_table_breaks_next_link() {
    let harness = harness("bad-deployment").await;
    let tenant_id = tenant(&harness);
    let investigation_id = InvestigationId::for_event(&tenant_id, "rehashed-in-table");
    append_in_order(&harness.platform.audit, &tenant_id, &investigation_id, 5).await;
    let stored = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");

    // A writer who can run the hash function recomputes the changed record's hash, so only the
    // next record's prev_hash gives the change away.
    let mut changed = stored[1].clone();
    changed.details = json!({ "writer": "forged" });
    changed.hash = changed.compute_hash();
    let body = serde_json::to_string(&changed).expect("record encodes");
    let dynamodb = aws_sdk_dynamodb::Client::new(&harness.platform.sdk);
    dynamodb
        .update_item()
        .table_name(&harness.platform.resources.audit_table)
        .key("pk", AttributeValue::S(trail_partition_key(&tenant_id, &investigation_id)))
        .key("sk", AttributeValue::N("1".to_string()))
        .update_expression("SET body = :body")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":body", AttributeValue::S(body))
        .send()
        .await
        .expect("record 1 is updated in place");

    let tampered = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");
    assert_eq!(verify_chain(&tampered), Err(ChainError::BrokenLink { seq: 2, previous: 1 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_deleted_from_table_is_sequence_gap() {
    let harness = harness("bad-deployment").await;
    let tenant_id = tenant(&harness);
    let investigation_id = InvestigationId::for_event(&tenant_id, "deleted-from-table");
    append_in_order(&harness.platform.audit, &tenant_id, &investigation_id, 5).await;
    verify_chain(&harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable")).expect("trail verifies before the deletion");

    let dynamodb = aws_sdk_dynamodb::Client::new(&harness.platform.sdk);
    dynamodb
        .delete_item()
        .table_name(&harness.platform.resources.audit_table)
        .key("pk", AttributeValue::S(trail_partition_key(&tenant_id, &investigation_id)))
        .key("sk", AttributeValue::N("2".to_string()))
        .condition_expression("attribute_exists(pk)")
        .send()
        .await
        .expect("record 2 is deleted");

    let remaining = harness.platform.audit.read(&tenant_id, &investigation_id).await.expect("trail is readable");
    let seqs: Vec<u64> = remaining.iter().map(|record| record.seq).collect();
    assert_eq!(seqs, vec![0, 1, 3, 4]);
    assert_eq!(verify_chain(&remaining), Err(ChainError::SequenceGap { index: 2, expected: 2, found: 3 }));
}
