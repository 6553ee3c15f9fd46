//! After a full run, the secret access key and session token of every issued session appear
//! nowhere: not in a log line, a stored item, the execution history or a report file.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use causeflow_aws::credentials::AgentCredentials;
use causeflow_domain::credentials::SealedCredentials;
use causeflow_lambda::sealing_context;

use common::{run_scenario, scan_items};

#[derive(Clone, Default)]
struct SharedLog(Arc<Mutex<Vec<u8>>>);

impl Write for SharedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_secrets_appear_nowhere() {
    let log = SharedLog::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .init();

    let outcome = run_scenario("bad-deployment", None).await;
    let investigation = outcome.investigation.clone().expect("investigation opened");

    // Recover each session's secrets by unsealing what the broker returned, as the agent does.
    let mut secrets = Vec::new();
    for event in &outcome.execution.history {
        let Some(payload) = event.output.as_ref().and_then(|output| output.get("Payload")) else { continue };
        let Ok(sealed) = serde_json::from_value::<SealedCredentials>(payload.clone()) else { continue };
        let context = sealing_context(&investigation, sealed.agent);
        let plaintext = outcome.platform.kms.unseal(&context, &sealed.sealed_blob).await.expect("sealed blob opens under its own context");
        let credentials: AgentCredentials = serde_json::from_slice(&plaintext).unwrap();
        secrets.push(credentials.secret_access_key.clone());
        secrets.push(credentials.session_token.clone());
    }
    assert_eq!(secrets.len(), 10, "five sessions (three agents, the remediator and its read-only inspector), two secrets each");
    // The Slack app's secrets, read by the approval functions from the secret store.
    secrets.push(causeflow_local::scenario::SLACK_BOT_TOKEN.to_string());
    secrets.push(causeflow_local::scenario::SLACK_SIGNING_SECRET.to_string());

    let mut places: Vec<(String, Vec<u8>)> = Vec::new();
    places.push(("log lines".into(), log.0.lock().unwrap().clone()));
    places.push(("execution history".into(), serde_json::to_vec(&outcome.execution.history).unwrap()));
    for table in [
        &outcome.platform.resources.tenants_table,
        &outcome.platform.resources.investigations_table,
        &outcome.platform.resources.audit_table,
        &outcome.platform.resources.secrets_table,
    ] {
        places.push((format!("table {table}"), scan_items(&outcome.platform, table).await.join("\n").into_bytes()));
    }
    for entry in std::fs::read_dir(&outcome.out_dir).unwrap() {
        let path = entry.unwrap().path();
        places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    assert!(places.iter().any(|(_, bytes)| contains(bytes, "credentials.issued")), "the search looks at real content");

    for secret in &secrets {
        assert!(secret.len() >= 16, "moto returns real-length secrets");
        for (place, bytes) in &places {
            assert!(!contains(bytes, secret), "a session secret leaked into {place}");
        }
    }

    // The approval's task token lets its holder decide the execution, so it is stored only
    // sealed. Step Functions' own history contains it, as it does in AWS.
    let history = serde_json::to_value(&outcome.execution.history).unwrap();
    let task_token = find_string(&history, "task_token").expect("the approval task received a token");
    for (place, bytes) in places.iter().filter(|(place, _)| place != "execution history") {
        assert!(!contains(bytes, &task_token), "the task token leaked into {place}");
    }
}

fn find_string(value: &serde_json::Value, key: &str) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .and_then(|found| found.as_str().map(str::to_string))
            .or_else(|| map.values().find_map(|nested| find_string(nested, key))),
        serde_json::Value::Array(items) => items.iter().find_map(|item| find_string(item, key)),
        _ => None,
    }
}
