//! The Step Functions task-callback API over HTTP, in the awsJson1_0 protocol, so code using
//! `aws-sdk-sfn` with `endpoint_url` pointed here works unchanged.
//!
//! Limitation: request signatures are not checked, so the server binds only to loopback
//! addresses and must never be exposed beyond the local machine.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::task_token::{CallbackError, TaskCallbacks};

const AMZ_JSON: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// Reasons the callback server did not start.
#[derive(Debug, thiserror::Error)]
pub enum CallbackServerError {
    /// The address is not loopback; the server checks no signatures, so it must stay local.
    #[error("callback server address {address} is not a loopback address; use 127.0.0.1 or [::1] because the server does not check request signatures")]
    NotLoopback { address: SocketAddr },
    /// The socket could not be bound.
    #[error("could not bind the callback server to {address}: {source}")]
    Bind {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running callback server; it stops when shut down or dropped.
#[derive(Debug)]
pub struct CallbackServer {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl CallbackServer {
    /// Returns the bound address, with the real port when port 0 was requested.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Returns the URL to give an SDK client as `endpoint_url`, such as `http://127.0.0.1:41234`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting requests and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
    }
}

/// Binds `address` (loopback only; port 0 picks a free port) and serves the callback API.
pub async fn serve_task_callbacks(callbacks: TaskCallbacks, address: SocketAddr) -> Result<CallbackServer, CallbackServerError> {
    if !address.ip().is_loopback() {
        return Err(CallbackServerError::NotLoopback { address });
    }
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| CallbackServerError::Bind { address, source })?;
    let bound = listener.local_addr().map_err(|source| CallbackServerError::Bind { address, source })?;

    let app = Router::new().route("/", post(handle)).with_state(callbacks);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(error) = server.await {
            tracing::warn!(%error, "task callback server stopped with an error");
        }
    });
    tracing::info!(address = %bound, "task callback server listening");

    Ok(CallbackServer {
        address: bound,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

async fn handle(State(callbacks): State<TaskCallbacks>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let Some(operation) = target.strip_prefix(TARGET_PREFIX) else {
        return error_response("UnknownOperationException", &format!("X-Amz-Target `{target}` is not a Step Functions operation"));
    };
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request @ Value::Object(_)) => request,
        _ => return error_response("SerializationException", "the request body is not a JSON object"),
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    let Some(token) = text("taskToken") else {
        return error_response("ValidationException", "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null");
    };

    let result = match operation {
        "SendTaskSuccess" => match text("output") {
            Some(output) => callbacks.send_task_success(token, output),
            None => {
                return error_response("ValidationException", "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null")
            }
        },
        "SendTaskFailure" => callbacks.send_task_failure(token, text("error"), text("cause")),
        "SendTaskHeartbeat" => callbacks.send_task_heartbeat(token),
        other => {
            return error_response(
                "UnknownOperationException",
                &format!("operation `{other}` is not served by the local runner; it serves SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat"),
            )
        }
    };

    match result {
        Ok(()) => {
            tracing::info!(operation, "task callback accepted");
            json_response(StatusCode::OK, json!({}))
        }
        Err(error) => {
            tracing::warn!(operation, code = error.aws_error_code(), "task callback rejected");
            callback_error_response(&error)
        }
    }
}

fn callback_error_response(error: &CallbackError) -> Response {
    error_response(error.aws_error_code(), &error.to_string())
}

fn error_response(code: &str, message: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, json!({ "__type": code, "message": message }))
}

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
    if let Ok(request_id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("x-amzn-requestid", request_id);
    }
    response
}
