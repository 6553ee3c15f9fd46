//! The HTTP side of the endpoint: the tenant from the path, the raw body, and the responses.

use aws_lambda_events::event::lambda_function_urls::{LambdaFunctionUrlRequest, LambdaFunctionUrlResponse};
use base64::Engine;
use causeflow_domain::approval::{ApprovalRequest, ApprovalStatus};
use causeflow_domain::TenantId;
use causeflow_lambda::Failure;
use chrono::{DateTime, Utc};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::HeaderMap;
use serde_json::{json, Value};

/// Path prefix of the interactivity URL each tenant's Slack app is given.
pub const INTERACTIONS_PATH_PREFIX: &str = "/slack/interactions/";

/// Reads the tenant id from `/slack/interactions/<tenant_id>`.
pub(crate) fn tenant_from_path(path: Option<&str>) -> Option<TenantId> {
    let raw = path?.strip_prefix(INTERACTIONS_PATH_PREFIX)?;
    TenantId::parse(raw.trim_end_matches('/')).ok()
}

/// Returns the body exactly as Slack sent it, which is what the signature covers.
pub(crate) fn raw_body(request: &LambdaFunctionUrlRequest) -> Result<Vec<u8>, String> {
    let body = request.body.as_deref().unwrap_or_default();
    if request.is_base64_encoded {
        base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| "request body is marked base64 but does not decode".to_string())
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// Reads a header as text; header names are case-insensitive.
pub(crate) fn header<'a>(request: &'a LambdaFunctionUrlRequest, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|value| value.to_str().ok())
}

/// An HTTP status and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: Value,
}

impl HttpAnswer {
    pub(crate) fn error(status: u16, message: String) -> HttpAnswer {
        HttpAnswer { status, body: json!({"error": message}) }
    }

    /// 503 for a dependency that failed; Slack shows an error and the person can click again.
    pub(crate) fn unavailable(failure: &Failure) -> HttpAnswer {
        HttpAnswer::error(503, format!("the decision could not be processed, click again: {}", failure.message))
    }

    /// 200 with the request's stored state. A repeated click gets the same body, because it
    /// is built only from what is stored.
    pub(crate) fn state(request: &ApprovalRequest, now: DateTime<Utc>) -> HttpAnswer {
        let status = match request.status {
            ApprovalStatus::Pending if request.is_past_expiry(now) => "expired",
            other => other.as_str(),
        };
        let body = json!({
            "approval_id": request.approval_id,
            "status": status,
            "decided_by": request.decision.as_ref().map(|decision| decision.by.clone()),
            "decided_at": request.decision.as_ref().map(|decision| decision.at),
            "approved_by": request.approvals.iter().map(|signed| signed.user_id.clone()).collect::<Vec<_>>(),
            "approvals_missing": if request.status == ApprovalStatus::Pending { request.approvals_missing() } else { 0 },
            "expires_at": request.expires_at,
        });
        HttpAnswer { status: 200, body }
    }

    pub fn into_response(self) -> LambdaFunctionUrlResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let mut response = LambdaFunctionUrlResponse::default();
        response.status_code = i64::from(self.status);
        response.headers = headers;
        response.body = Some(self.body.to_string());
        response.is_base64_encoded = false;
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_comes_from_the_path() {
        assert_eq!(tenant_from_path(Some("/slack/interactions/acme")), Some(TenantId::parse("acme").unwrap()));
        assert_eq!(tenant_from_path(Some("/slack/interactions/acme/")), Some(TenantId::parse("acme").unwrap()));
        assert_eq!(tenant_from_path(Some("/slack/interactions/ACME")), None);
        assert_eq!(tenant_from_path(Some("/slack/interactions/")), None);
        assert_eq!(tenant_from_path(Some("/other/acme")), None);
        assert_eq!(tenant_from_path(None), None);
    }
}
