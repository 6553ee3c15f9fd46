//! `revoke` under concurrency: investigations of one tenant that end at the same moment each
//! land in the stored revocation list and in the customer's revocation policy, expired entries
//! are pruned, and bad input changes nothing.

mod common;

use causeflow_domain::audit::{verify_chain, AuditEventType};
use causeflow_domain::investigation::Investigation;
use causeflow_domain::revocation::{RevocationEntry, RevocationList};
use causeflow_domain::InvestigationId;
use causeflow_lambda::Platform;
use causeflow_runner::{LambdaHandlers, LambdaInvoker, TaskFailure};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use common::{harness, written_items, Harness};

/// The condition key of the revocation policy's Deny statement.
const INVESTIGATION_TAG_KEY: &str = "aws:PrincipalTag/investigation_id";

/// IAM's limit on the stored versions of one managed policy.
const MAX_POLICY_VERSIONS: usize = 5;

/// Opens one investigation per event id from the scenario's alarm event.
async fn open_investigations(harness: &Harness, event_ids: &[String]) -> Vec<Investigation> {
    let mut investigations = Vec::new();
    for event_id in event_ids {
        let mut event = harness.loaded.alarm_event.clone();
        event["id"] = json!(event_id);
        let opened = open_investigation::handle(&harness.platform, json!({ "event": event })).await.expect("investigation opens");
        assert_eq!(opened["status"], "opened", "event {event_id} opened a new investigation");
        let investigation: Investigation = serde_json::from_value(opened["investigation"].clone()).expect("output holds the investigation");
        investigations.push(investigation);
    }
    investigations
}

fn event_ids(label: &str, count: usize) -> Vec<String> {
    (0..count).map(|index| format!("{label}-{index}")).collect()
}

// NOTE: the root package has no dev-dependency on the `revoke` crate, so the tests reach
// `revoke::handle` through the CLI's handler map, which calls it unchanged and keeps its
// error type in `TaskFailure::error`.
fn revoke_function(platform: &Platform) -> (LambdaHandlers, String) {
    (causeflow_cli::functions::handlers(platform), causeflow_cli::functions::function_arn(causeflow_cli::functions::REVOKE.1))
}

async fn revoke(platform: &Platform, input: Value) -> Result<Value, TaskFailure> {
    let (handlers, arn) = revoke_function(platform);
    handlers.invoke(&arn, input).await
}

/// Calls `revoke` for every investigation at once and returns each result with its id.
async fn revoke_all_at_once(platform: &Platform, investigations: &[Investigation]) -> Vec<(InvestigationId, Result<Value, TaskFailure>)> {
    let (handlers, arn) = revoke_function(platform);
    let mut tasks = JoinSet::new();
    for investigation in investigations {
        let handlers = handlers.clone();
        let arn = arn.clone();
        let id = investigation.investigation_id.clone();
        let input = json!({ "investigation": investigation });
        tasks.spawn(async move { (id, handlers.invoke(&arn, input).await) });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.expect("revoke task does not panic"));
    }
    results
}

async fn policy_document(harness: &Harness) -> String {
    let iam = causeflow_local::scenario::customer_iam(&harness.stack.sdk).await.expect("customer IAM client builds");
    iam.default_policy_document(&harness.loaded.tenant.revocation_policy_arn).await.expect("revocation policy is readable")
}

/// Reads the investigation ids that the customer's revocation policy denies, as IAM stores it.
async fn denied_in_policy(harness: &Harness) -> Vec<String> {
    let document = policy_document(harness).await;
    let parsed: Value = serde_json::from_str(&document).unwrap_or_else(|error| panic!("policy `{document}` is not JSON: {error}"));
    let values = &parsed["Statement"][0]["Condition"]["StringEquals"][INVESTIGATION_TAG_KEY];
    let Some(values) = values.as_array() else { panic!("policy `{document}` has no {INVESTIGATION_TAG_KEY} condition list") };
    values.iter().map(|value| value.as_str().unwrap_or_default().to_string()).collect()
}

async fn assert_revoked_and_closed(harness: &Harness, investigations: &[Investigation]) {
    let tenant = &harness.loaded.tenant.tenant_id;
    let list = harness.platform.investigations.revocations(tenant).await.expect("revocation list is readable");
    let denied = denied_in_policy(harness).await;

    for investigation in investigations {
        let id = &investigation.investigation_id;
        assert!(list.revokes(id), "stored list {:?} lacks {id}", list.entries);
        assert!(denied.contains(&id.to_string()), "policy denies {denied:?}, not {id}");

        let trail = harness.platform.audit.read(tenant, id).await.expect("audit trail is readable");
        let types: Vec<AuditEventType> = trail.iter().map(|record| record.event_type).collect();
        assert_eq!(
            types,
            vec![AuditEventType::InvestigationOpened, AuditEventType::CredentialsRevoked, AuditEventType::InvestigationClosed],
            "trail of {id}"
        );
        let summary = verify_chain(&trail).unwrap_or_else(|error| panic!("trail of {id} does not verify: {error}"));
        assert_eq!(summary.records, 3);

        let (_, status) = harness.platform.investigations.get(tenant, id).await.expect("investigation is readable").expect("investigation exists");
        assert_eq!(status, causeflow_aws::dynamodb::InvestigationStatus::Closed, "{id} is closed");
    }

    assert_eq!(list.entries.len(), investigations.len(), "list holds exactly the revoked investigations");
    assert_eq!(denied.len(), investigations.len(), "policy denies exactly the revoked investigations");
}

async fn revoke_concurrently_and_check(label: &str, count: usize) {
    let harness = harness("bad-deployment").await;
    let investigations = open_investigations(&harness, &event_ids(label, count)).await;

    let results = revoke_all_at_once(&harness.platform, &investigations).await;
    assert_eq!(results.len(), count);
    for (id, result) in &results {
        let output = result.as_ref().unwrap_or_else(|failure| panic!("revoke of {id} failed: {failure}"));
        assert_eq!(output["revoked"], true, "{id}");
        assert_eq!(output["outcome"], "completed", "{id}");
    }

    assert_revoked_and_closed(&harness, &investigations).await;
    let list = harness.platform.investigations.revocations(&harness.loaded.tenant.tenant_id).await.expect("revocation list is readable");
    assert_eq!(list.version, count as u64, "each revocation wrote the list once, starting from version 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_revocations_both_land() {
    revoke_concurrently_and_check("two-at-once", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_revocations_all_land() {
    revoke_concurrently_and_check("eight-at-once", 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_revocations_joined_in_one_task_both_land() {
    let harness = harness("bad-deployment").await;
    let investigations = open_investigations(&harness, &event_ids("joined", 2)).await;

    let (first, second) = tokio::join!(
        revoke(&harness.platform, json!({ "investigation": investigations[0] })),
        revoke(&harness.platform, json!({ "investigation": investigations[1] })),
    );
    first.expect("first revoke succeeds");
    second.expect("second revoke succeeds");

    assert_revoked_and_closed(&harness, &investigations).await;
    let list = harness.platform.investigations.revocations(&harness.loaded.tenant.tenant_id).await.expect("revocation list is readable");
    assert_eq!(list.version, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_revocations_land_with_full_versions() {
    let harness = harness("bad-deployment").await;
    let investigations = open_investigations(&harness, &event_ids("full-versions", 2)).await;

    // IAM keeps at most five versions of a managed policy, so each revocation from here on
    // has to delete one before it creates its own.
    // NOTE: this fails while `Iam::set_policy_document` lets concurrent writers race for the
    // version slots: the loser's CreatePolicyVersion gets LimitExceeded, a permanent AwsError.
    let iam = causeflow_local::scenario::customer_iam(&harness.stack.sdk).await.expect("customer IAM client builds");
    let empty_document = RevocationList::default().to_policy_json().expect("empty list fits the policy");
    for _ in 0..MAX_POLICY_VERSIONS {
        iam.set_policy_document(&harness.loaded.tenant.revocation_policy_arn, &empty_document).await.expect("policy version is written");
    }

    let results = revoke_all_at_once(&harness.platform, &investigations).await;
    for (id, result) in &results {
        let output = result.as_ref().unwrap_or_else(|failure| panic!("revoke of {id} failed: {failure}"));
        assert_eq!(output["revoked"], true, "{id}");
    }

    assert_revoked_and_closed(&harness, &investigations).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_entries_are_pruned_by_next_revocation() {
    let harness = harness("bad-deployment").await;
    let tenant = &harness.loaded.tenant;
    let investigations = open_investigations(&harness, &event_ids("after-expiry", 1)).await;
    let new_id = investigations[0].investigation_id.clone();

    // An entry whose sessions expired an hour ago, well past the prune margin.
    let old_id = InvestigationId::for_event(&tenant.tenant_id, "long-finished-event");
    let old_list = RevocationList {
        version: 1,
        entries: vec![RevocationEntry { investigation_id: old_id.clone(), sessions_expire_at: Utc::now() - Duration::hours(1) }],
    };
    let stored = harness.platform.investigations.replace_revocations(&tenant.tenant_id, 0, &old_list).await.expect("list is stored");
    assert!(stored, "no list existed before");
    let iam = causeflow_local::scenario::customer_iam(&harness.stack.sdk).await.expect("customer IAM client builds");
    let old_document = old_list.to_policy_json().expect("one entry fits the policy");
    iam.set_policy_document(&tenant.revocation_policy_arn, &old_document).await.expect("old policy is written");
    assert_eq!(denied_in_policy(&harness).await, vec![old_id.to_string()], "the old entry is in force before the revocation");

    revoke(&harness.platform, json!({ "investigation": investigations[0] })).await.expect("revoke succeeds");

    let list = harness.platform.investigations.revocations(&tenant.tenant_id).await.expect("revocation list is readable");
    assert!(!list.revokes(&old_id), "expired entry {old_id} is still stored");
    assert!(list.revokes(&new_id), "new entry {new_id} is missing");
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.version, 2, "pruning and adding are one write");
    assert_eq!(denied_in_policy(&harness).await, vec![new_id.to_string()]);

    let trail = harness.platform.audit.read(&tenant.tenant_id, &new_id).await.expect("audit trail is readable");
    let revoked = trail.iter().find(|record| record.event_type == AuditEventType::CredentialsRevoked).expect("credentials.revoked is recorded");
    assert_eq!(revoked.details["pruned_entries"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_without_investigation_changes_nothing() {
    let harness = harness("bad-deployment").await;
    let investigations = open_investigations(&harness, &event_ids("bad-input", 1)).await;
    let mut wrong_tenant = serde_json::to_value(&investigations[0]).expect("investigation encodes");
    wrong_tenant["tenant_id"] = json!("acme#other");

    let cases = [
        ("no investigation", json!({ "failure": { "Error": "States.Timeout", "Cause": "step timed out" } }), "investigation"),
        ("investigation is text", json!({ "investigation": "inv-0123" }), "inv-0123"),
        ("tenant id outside the alphabet", json!({ "investigation": wrong_tenant }), "acme#other"),
    ];
    for (label, input, named) in cases {
        let written_before = written_items(&harness.platform).await;
        let policy_before = policy_document(&harness).await;

        let failure = revoke(&harness.platform, input).await.expect_err(label);
        assert_eq!(failure.error, "InvalidInput", "{label}: {}", failure.cause);
        assert!(failure.cause.contains(named), "{label}: message `{}` names `{named}`", failure.cause);

        assert_eq!(written_items(&harness.platform).await, written_before, "{label}: nothing written to DynamoDB");
        assert_eq!(policy_document(&harness).await, policy_before, "{label}: revocation policy unchanged");
    }
}
