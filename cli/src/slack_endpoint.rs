//! The `slack_callback` function behind a local HTTP endpoint, as a Lambda function URL puts
//! it behind HTTPS: each request becomes a function URL event and the function's output
//! becomes the HTTP response.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use causeflow_lambda::Platform;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running endpoint on 127.0.0.1. It stops when dropped or shut down.
pub struct SlackEndpoint {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SlackEndpoint {
    /// Serves `slack_callback` on `port` of 127.0.0.1 (0 picks a free port).
    pub async fn start(platform: Platform, port: u16) -> std::io::Result<SlackEndpoint> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let address = listener.local_addr()?;
        let router = Router::new().fallback(serve).with_state(platform);
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = signal.await;
            });
            if let Err(error) = serving.await {
                tracing::warn!(%error, "local Slack endpoint stopped with an error");
            }
        });
        Ok(SlackEndpoint { address, shutdown: Some(shutdown), task: Some(task) })
    }

    /// Returns the interactivity URL of `tenant`, such as
    /// `http://127.0.0.1:41234/slack/interactions/acme`.
    pub fn interactions_url(&self, tenant: &str) -> String {
        format!("http://{}{}{tenant}", self.address, slack_callback::INTERACTIONS_PATH_PREFIX)
    }

    pub async fn shutdown(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SlackEndpoint {
    fn drop(&mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
    }
}

async fn serve(State(platform): State<Platform>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let event = function_url_event(&method, &uri, &headers, &body);
    match slack_callback::handle(&platform, event).await {
        Ok(response) => to_http(&response),
        Err(failure) => (StatusCode::BAD_GATEWAY, failure.to_string()).into_response(),
    }
}

/// Builds the payload a function URL sends for this request (payload format 2.0).
fn function_url_event(method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Value {
    let mut header_map = Map::new();
    for (name, value) in headers {
        if let Ok(text) = value.to_str() {
            header_map.insert(name.as_str().to_ascii_lowercase(), Value::String(text.to_string()));
        }
    }
    let (body, is_base64_encoded) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(body), true),
    };
    json!({
        "version": "2.0",
        "rawPath": uri.path(),
        "rawQueryString": uri.query().unwrap_or_default(),
        "headers": header_map,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": "$default",
            "stage": "$default",
            "time": chrono::Utc::now().format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": chrono::Utc::now().timestamp_millis(),
            "http": {"method": method.as_str(), "path": uri.path(), "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "local"}
        },
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    })
}

fn to_http(response: &Value) -> Response {
    let status = response
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.get("body").and_then(Value::as_str).unwrap_or_default().to_string();
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}
