//! Response time of the Slack interactivity endpoint, against Slack's 3-second deadline.
//!
//! One investigation waits for approval in the local runner, and `REQUESTS` more approval
//! requests are stored for it, each with its own (unused) task token. Three kinds of request
//! go over HTTP to the local `slack_callback` endpoint:
//! - baseline: a click with a wrong signature, which the endpoint rejects with 401 after reading
//!   the signing secret and computing the HMAC;
//! - repeat: a click on a request decided before, which runs every check and reads the stored
//!   decision but writes nothing;
//! - decision: the first click on a pending request, which also writes the decision with its
//!   audit record, sends the task callback and updates the Slack message.
//!
//! The figures are medians and 95th percentiles, and each median as a ratio to the baseline's
//! median measured in the same run. moto and the Slack stand-in run on this machine, so the
//! AWS and Slack round trips are far shorter than in a deployment. The ratios therefore show
//! where the time goes, not what Slack will see.
//!
//! Run: `cargo bench -p causeflow-cli --bench slack_callback`

use std::time::{Duration, Instant};

use causeflow_cli::approval_driver::ApprovalMode;
use causeflow_cli::click::{click_body, send_signed, Click};
use causeflow_cli::investigate::{start_investigation, RunOptions};
use causeflow_local::scenario::{SLACK_APPROVERS, SLACK_SIGNING_SECRET, SLACK_TEAM_ID};
use causeflow_slack::interaction::ApprovalChoice;
use serde_json::json;

/// Pending requests decided, one click each.
const REQUESTS: usize = 40;
/// Slack's deadline for an interactivity response.
const SLACK_DEADLINE: Duration = Duration::from_secs(3);

fn percentile(values: &[Duration], fraction: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

async fn timed_click(url: &str, secret: &[u8], click: &Click, expected_status: u16) -> Duration {
    let body = click_body(click);
    let started = Instant::now();
    let answer = send_signed(url, secret, chrono::Utc::now().timestamp(), &body).await.expect("endpoint responds");
    let elapsed = started.elapsed();
    assert_eq!(answer.status, expected_status, "{}", answer.body);
    elapsed
}

#[tokio::main]
async fn main() {
    let mut options = RunOptions::new("bad-deployment", std::env::temp_dir().join("causeflow-bench-slack-callback"));
    options.approval = ApprovalMode::Manual;
    let running = start_investigation(&options).await.expect("investigation starts");
    let first = running.posted_approval_id().await.expect("approval posted");
    let investigation = running
        .platform
        .approvals
        .get(&causeflow_domain::TenantId::parse("acme").unwrap(), &causeflow_domain::approval::ApprovalId::parse(&first).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (opened, _) = running
        .platform
        .investigations
        .get(&investigation.tenant_id, &investigation.investigation_id)
        .await
        .unwrap()
        .expect("investigation stored");
    let digest = investigation.action_digest.clone();

    let mut approval_ids = Vec::new();
    for index in 0..REQUESTS {
        let input = json!({"investigation": opened, "report": {"action_digest": digest}, "task_token": format!("bench-token-{index}")});
        let output = request_approval::handle(&running.platform, input).await.expect("approval requested");
        approval_ids.push(output["approval_id"].as_str().unwrap().to_string());
    }

    let url = running.interactions_url.clone();
    let secret = SLACK_SIGNING_SECRET.as_bytes();
    let click = |approval_id: &str| Click {
        team_id: SLACK_TEAM_ID.into(),
        user_id: SLACK_APPROVERS[0].into(),
        approval_id: approval_id.to_string(),
        choice: ApprovalChoice::Approve,
    };

    let mut baseline = Vec::new();
    let mut decisions = Vec::new();
    let mut repeats = Vec::new();
    for approval_id in &approval_ids {
        baseline.push(timed_click(&url, b"wrong-signing-secret", &click(approval_id), 401).await);
        decisions.push(timed_click(&url, secret, &click(approval_id), 200).await);
        repeats.push(timed_click(&url, secret, &click(approval_id), 200).await);
    }

    // End the waiting investigation too, so its sessions are revoked as usual.
    timed_click(&url, secret, &click(&first), 200).await;
    running.finish().await.expect("investigation ends");

    let base = percentile(&baseline, 0.5);
    println!("{REQUESTS} requests of each kind, over HTTP on 127.0.0.1");
    println!();
    println!("| request | median | p95 | median / baseline | p95 share of Slack's 3 s |");
    println!("|---|---|---|---|---|");
    for (name, values) in [("baseline: wrong signature (401)", &baseline), ("repeat: decided before (200)", &repeats), ("decision (200)", &decisions)] {
        let median = percentile(values, 0.5);
        let p95 = percentile(values, 0.95);
        println!(
            "| {name} | {} | {} | {:.1}x | {:.1}% |",
            millis(median),
            millis(p95),
            median.as_secs_f64() / base.as_secs_f64(),
            100.0 * p95.as_secs_f64() / SLACK_DEADLINE.as_secs_f64()
        );
    }
}
