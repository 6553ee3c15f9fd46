//! A local stand-in for the Slack Web API, for tests and for running the
//! approval flow without a Slack workspace.
//!
//! It serves `POST /api/chat.postMessage` and `POST /api/chat.update` on
//! 127.0.0.1 with Slack's response shapes, records every request, and can be
//! scripted to fail or rate-limit the next calls. It checks the bearer token
//! against a SHA-256 digest, so the expected token is never held in memory
//! after [`SlackStandIn::start`] returns.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Reasons the stand-in could not start.
#[derive(Debug, Error)]
pub enum StandInError {
    #[error("could not bind the Slack stand-in to 127.0.0.1: {0}")]
    Bind(std::io::Error),
}

/// One request the stand-in received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// Web API method, such as `chat.postMessage`.
    pub method: String,
    /// Request body, or `Value::Null` when it was not JSON.
    pub body: Value,
    /// Whether the `Authorization` header carried the expected bot token.
    pub token_matched: bool,
}

/// A running Slack Web API stand-in. It stops when dropped or shut down.
pub struct SlackStandIn {
    base_url: String,
    state: Arc<Mutex<StandInState>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for SlackStandIn {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SlackStandIn")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

enum Scripted {
    Fail(String),
    RateLimit(u64),
}

struct StandInState {
    authorization_digest: [u8; 32],
    requests: Vec<RecordedRequest>,
    scripts: HashMap<String, VecDeque<Scripted>>,
    /// `(channel, ts)` of every posted message, so `chat.update` can return
    /// `message_not_found` as Slack does.
    messages: HashSet<(String, String)>,
    ts_seconds: i64,
    ts_sequence: u32,
}

impl SlackStandIn {
    /// Starts the stand-in on 127.0.0.1 with a free port. Requests must carry
    /// `Authorization: Bearer <expected_bot_token>`.
    pub async fn start(expected_bot_token: &str) -> Result<SlackStandIn, StandInError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(StandInError::Bind)?;
        let address = listener.local_addr().map_err(StandInError::Bind)?;

        let state = Arc::new(Mutex::new(StandInState {
            authorization_digest: digest(format!("Bearer {expected_bot_token}").as_bytes()),
            requests: Vec::new(),
            scripts: HashMap::new(),
            messages: HashSet::new(),
            ts_seconds: chrono::Utc::now().timestamp(),
            ts_sequence: 0,
        }));

        let router = Router::new()
            .route("/api/{method}", post(handle))
            .with_state(Arc::clone(&state));
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = shutdown_signal.await;
            });
            if let Err(error) = serving.await {
                tracing::warn!(error = %error, "Slack stand-in stopped with an error");
            }
        });

        Ok(SlackStandIn {
            base_url: format!("http://{address}/api"),
            state,
            shutdown: Some(shutdown),
            server: Some(server),
        })
    }

    /// Base URL for [`crate::SlackApi::new`], `http://127.0.0.1:PORT/api`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Returns every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Makes the next call of `method` return `{"ok": false, "error": error_code}`.
    pub fn fail_next(&self, method: &str, error_code: &str) {
        self.script(method, [Scripted::Fail(error_code.to_owned())]);
    }

    /// Makes the next `times` calls of `method` return HTTP 429 with
    /// `Retry-After: retry_after_seconds`.
    pub fn rate_limit_next(&self, method: &str, retry_after_seconds: u64, times: u32) {
        let scripted = (0..times).map(|_| Scripted::RateLimit(retry_after_seconds));
        self.script(method, scripted);
    }

    /// Stops serving and waits until the server task has ended.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    fn script(&self, method: &str, scripted: impl IntoIterator<Item = Scripted>) {
        lock(&self.state)
            .scripts
            .entry(method.to_owned())
            .or_default()
            .extend(scripted);
    }
}

impl Drop for SlackStandIn {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn lock(state: &Mutex<StandInState>) -> MutexGuard<'_, StandInState> {
    // A panic in another test thread must not hide the recorded requests.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

async fn handle(
    State(state): State<Arc<Mutex<StandInState>>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = lock(&state);

    let token_matched = headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| digest(value.as_bytes()) == state.authorization_digest);
    let request: Option<Value> = serde_json::from_slice(&body).ok();
    state.requests.push(RecordedRequest {
        method: method.clone(),
        body: request.clone().unwrap_or(Value::Null),
        token_matched,
    });

    let scripted = state.scripts.get_mut(&method).and_then(VecDeque::pop_front);
    match scripted {
        Some(Scripted::RateLimit(seconds)) => return rate_limited(seconds),
        Some(Scripted::Fail(code)) => return slack_error(&code),
        None => {}
    }

    if !matches!(method.as_str(), "chat.postMessage" | "chat.update") {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "ok": false, "error": "unknown_method" })),
        )
            .into_response();
    }
    if headers.get(header::AUTHORIZATION).is_none() {
        return slack_error("not_authed");
    }
    if !token_matched {
        return slack_error("invalid_auth");
    }
    let Some(request) = request else {
        return slack_error("invalid_json");
    };

    let channel = request["channel"].as_str().unwrap_or_default().to_owned();
    if channel.is_empty() {
        return slack_error("channel_not_found");
    }

    if method == "chat.postMessage" {
        let ts = state.next_ts();
        state.messages.insert((channel.clone(), ts.clone()));
        return slack_ok(json!({
            "ok": true,
            "channel": channel,
            "ts": ts,
            "message": {
                "type": "message",
                "bot_id": "B0STANDIN",
                "text": request["text"],
                "blocks": request["blocks"],
                "ts": ts
            }
        }));
    }

    let ts = request["ts"].as_str().unwrap_or_default().to_owned();
    if !state.messages.contains(&(channel.clone(), ts.clone())) {
        return slack_error("message_not_found");
    }
    slack_ok(json!({
        "ok": true,
        "channel": channel,
        "ts": ts,
        "text": request["text"],
        "message": {
            "text": request["text"],
            "blocks": request["blocks"]
        }
    }))
}

impl StandInState {
    /// Returns a message timestamp in Slack's `<unix seconds>.<6 digits>`
    /// form, increasing with every call.
    fn next_ts(&mut self) -> String {
        self.ts_sequence += 1;
        if self.ts_sequence == 1_000_000 {
            self.ts_seconds += 1;
            self.ts_sequence = 0;
        }
        format!("{}.{:06}", self.ts_seconds, self.ts_sequence)
    }
}

fn slack_ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

fn slack_error(code: &str) -> Response {
    (StatusCode::OK, Json(json!({ "ok": false, "error": code }))).into_response()
}

fn rate_limited(retry_after_seconds: u64) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({ "ok": false, "error": "ratelimited" })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
    response
}
