//! Slack Web API client for posting and updating the approval message.
//!
//! Slack returns HTTP 200 for most failures and reports them as
//! `{"ok": false, "error": "<code>"}`. Rate limits come as HTTP 429 with a
//! `Retry-After` header in seconds. The bot token is sent only in the
//! `Authorization` header, marked sensitive, and never stored, logged or put
//! into an error.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::{json, Value};
use thiserror::Error;
use tracing::{info, warn};

use crate::message::MessageBody;

/// Timeout of one HTTP request to Slack. The interactivity callback must
/// respond to Slack within 3 seconds, and this leaves it half a second for
/// the rest of its work.
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(2_500);

/// Longest `Retry-After`, in seconds, that the client waits out before
/// retrying. A longer one is returned as [`SlackApiError::RateLimited`].
///
/// NOTE: a wait of this length already exceeds the 3-second budget of the
/// interactivity callback, so a rate-limited update from there responds to
/// Slack late. A caller on that budget should treat the update as best effort.
pub const MAX_RETRY_AFTER_SECONDS: u64 = 5;

/// Retries after HTTP 429 for one call, so a call makes at most three requests.
pub const MAX_RATE_LIMIT_RETRIES: u32 = 2;

const POST_MESSAGE: &str = "chat.postMessage";
const UPDATE_MESSAGE: &str = "chat.update";

/// Reasons a Slack Web API call failed. No variant contains the bot token.
#[derive(Debug, Error)]
pub enum SlackApiError {
    #[error("Slack API base URL {url:?} is invalid: {reason}")]
    InvalidBaseUrl { url: String, reason: String },

    #[error(
        "bot token for {method} is empty or contains characters not allowed in an HTTP header"
    )]
    InvalidToken { method: &'static str },

    #[error("could not build the HTTP client for Slack: {0}")]
    Client(String),

    #[error("Slack {method} returned error `{error}`")]
    Api { method: &'static str, error: String },

    #[error(
        "Slack rate-limited {method}{}; try again later",
        retry_after_seconds.map(|seconds| format!(" with Retry-After {seconds} s")).unwrap_or_default()
    )]
    RateLimited {
        method: &'static str,
        /// `Retry-After` of the last response, `None` when it was missing or
        /// not a whole number of seconds.
        retry_after_seconds: Option<u64>,
    },

    #[error("Slack {method} returned HTTP {status}")]
    Http { method: &'static str, status: u16 },

    #[error("Slack {method} did not answer within {timeout_ms} ms")]
    Timeout {
        method: &'static str,
        timeout_ms: u128,
    },

    #[error("request to Slack {method} failed: {reason}")]
    Transport {
        method: &'static str,
        reason: String,
    },

    #[error("Slack {method} returned a response that is not the expected JSON: {reason}")]
    InvalidResponse {
        method: &'static str,
        reason: String,
    },
}

/// Channel and timestamp of a posted or updated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedMessage {
    pub channel: String,
    /// Message timestamp, Slack's id for the message within its channel.
    pub ts: String,
}

/// Client for the Slack Web API methods this crate uses.
#[derive(Debug, Clone)]
pub struct SlackApi {
    base_url: String,
    client: reqwest::Client,
}

impl SlackApi {
    /// Creates a client for the Web API under `base_url`, such as
    /// `https://slack.com/api` in production or a local stand-in in tests.
    pub fn new(base_url: &str) -> Result<SlackApi, SlackApiError> {
        let base_url = validate_base_url(base_url)?;
        // The Web API does not redirect, and following a redirect would send
        // the request body to a host that was not configured.
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| SlackApiError::Client(error_chain(&error)))?;
        Ok(SlackApi { base_url, client })
    }

    /// Returns the validated base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Posts `body` to `channel` with `chat.postMessage`.
    pub async fn post_message(
        &self,
        bot_token: &str,
        channel: &str,
        body: &MessageBody,
    ) -> Result<PostedMessage, SlackApiError> {
        let request = json!({
            "channel": channel,
            "text": body.text,
            "blocks": body.blocks,
        });
        self.call(POST_MESSAGE, bot_token, &request).await
    }

    /// Replaces the message `ts` in `channel` with `body` using `chat.update`.
    pub async fn update_message(
        &self,
        bot_token: &str,
        channel: &str,
        ts: &str,
        body: &MessageBody,
    ) -> Result<PostedMessage, SlackApiError> {
        let request = json!({
            "channel": channel,
            "ts": ts,
            "text": body.text,
            "blocks": body.blocks,
        });
        self.call(UPDATE_MESSAGE, bot_token, &request).await
    }

    async fn call(
        &self,
        method: &'static str,
        bot_token: &str,
        request: &Value,
    ) -> Result<PostedMessage, SlackApiError> {
        let authorization = bearer(method, bot_token)?;
        let url = format!("{}/{method}", self.base_url);
        let payload = request.to_string();

        let mut retries = 0;
        loop {
            let result = self.send_once(method, &url, &authorization, &payload).await;
            match result {
                Err(SlackApiError::RateLimited {
                    retry_after_seconds: Some(seconds),
                    ..
                }) if seconds <= MAX_RETRY_AFTER_SECONDS && retries < MAX_RATE_LIMIT_RETRIES => {
                    retries += 1;
                    warn!(
                        method,
                        retry_after_seconds = seconds,
                        retry = retries,
                        "Slack rate-limited the call; retrying after Retry-After"
                    );
                    tokio::time::sleep(Duration::from_secs(seconds)).await;
                }
                Ok(posted) => {
                    info!(method, outcome = "ok", channel = %posted.channel, ts = %posted.ts, "Slack call succeeded");
                    return Ok(posted);
                }
                Err(error) => {
                    info!(method, outcome = "error", error = %error, "Slack call failed");
                    return Err(error);
                }
            }
        }
    }

    async fn send_once(
        &self,
        method: &'static str,
        url: &str,
        authorization: &HeaderValue,
        payload: &str,
    ) -> Result<PostedMessage, SlackApiError> {
        let response = self
            .client
            .post(url)
            .header(AUTHORIZATION, authorization.clone())
            // Slack documents the charset parameter and warns when it is missing.
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(payload.to_owned())
            .send()
            .await
            .map_err(|error| transport_error(method, &error))?;

        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after_seconds = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok());
            return Err(SlackApiError::RateLimited {
                method,
                retry_after_seconds,
            });
        }
        if !status.is_success() {
            return Err(SlackApiError::Http {
                method,
                status: status.as_u16(),
            });
        }

        let body = response
            .bytes()
            .await
            .map_err(|error| transport_error(method, &error))?;
        parse_answer(method, &body)
    }
}

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    error: Option<String>,
    channel: Option<String>,
    ts: Option<String>,
}

fn parse_answer(method: &'static str, body: &[u8]) -> Result<PostedMessage, SlackApiError> {
    let answer: Answer =
        serde_json::from_slice(body).map_err(|error| SlackApiError::InvalidResponse {
            method,
            reason: error.to_string(),
        })?;

    if !answer.ok {
        return Err(SlackApiError::Api {
            method,
            error: answer
                .error
                .unwrap_or_else(|| "(no error code given)".to_owned()),
        });
    }

    match (answer.channel, answer.ts) {
        (Some(channel), Some(ts)) => Ok(PostedMessage { channel, ts }),
        _ => Err(SlackApiError::InvalidResponse {
            method,
            reason: "`ok` is true but `channel` or `ts` is missing".to_owned(),
        }),
    }
}

fn validate_base_url(base_url: &str) -> Result<String, SlackApiError> {
    let invalid = |reason: &str| SlackApiError::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason: reason.to_owned(),
    };

    let parsed = Url::parse(base_url).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    // Credentials in the URL would show up in error messages and logs.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("the URL must not contain credentials"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("the URL must not have a query or fragment"));
    }

    Ok(base_url.trim_end_matches('/').to_owned())
}

fn bearer(method: &'static str, bot_token: &str) -> Result<HeaderValue, SlackApiError> {
    if bot_token.trim().is_empty() {
        return Err(SlackApiError::InvalidToken { method });
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {bot_token}"))
        .map_err(|_| SlackApiError::InvalidToken { method })?;
    // Keeps the value out of the Debug output of requests and headers.
    value.set_sensitive(true);
    Ok(value)
}

fn transport_error(method: &'static str, error: &reqwest::Error) -> SlackApiError {
    if error.is_timeout() {
        return SlackApiError::Timeout {
            method,
            timeout_ms: REQUEST_TIMEOUT.as_millis(),
        };
    }
    SlackApiError::Transport {
        method,
        reason: error_chain(error),
    }
}

/// Joins an error with its sources, because reqwest puts the useful part
/// (connection refused, DNS failure) in a source.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_accepts_http_and_https_and_trims_slash() {
        let api = SlackApi::new("https://slack.com/api/").expect("valid URL");
        assert_eq!(api.base_url(), "https://slack.com/api");
        let local = SlackApi::new("http://127.0.0.1:8080/api").expect("valid URL");
        assert_eq!(local.base_url(), "http://127.0.0.1:8080/api");
    }

    #[test]
    fn new_rejects_invalid_base_urls() {
        let cases = [
            ("slack.com/api", "relative URL without a base"),
            ("ftp://slack.com/api", "the scheme must be http or https"),
            (
                "https://user:pass@slack.com/api",
                "the URL must not contain credentials",
            ),
            (
                "https://slack.com/api?x=1",
                "the URL must not have a query or fragment",
            ),
            (
                "unix:/var/run/slack.sock",
                "the scheme must be http or https",
            ),
        ];
        for (url, reason) in cases {
            match SlackApi::new(url) {
                Err(SlackApiError::InvalidBaseUrl {
                    url: got,
                    reason: why,
                }) => {
                    assert_eq!(got, url);
                    assert_eq!(why, reason, "URL {url}");
                }
                other => panic!("URL {url}: expected InvalidBaseUrl, got {other:?}"),
            }
        }
    }

    #[test]
    fn bearer_rejects_empty_and_unprintable_tokens() {
        assert!(matches!(
            bearer(POST_MESSAGE, ""),
            Err(SlackApiError::InvalidToken {
                method: "chat.postMessage"
            })
        ));
        assert!(matches!(
            bearer(POST_MESSAGE, "xoxb-1\n2"),
            Err(SlackApiError::InvalidToken {
                method: "chat.postMessage"
            })
        ));
        let value = bearer(POST_MESSAGE, "xoxb-test").expect("valid token");
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
    }

    #[test]
    fn answer_with_ok_false_becomes_api_error() {
        let error = parse_answer(POST_MESSAGE, br#"{"ok":false,"error":"channel_not_found"}"#)
            .expect_err("ok is false");
        assert_eq!(
            error.to_string(),
            "Slack chat.postMessage returned error `channel_not_found`"
        );
    }

    #[test]
    fn answer_without_ts_is_invalid() {
        let error =
            parse_answer(UPDATE_MESSAGE, br#"{"ok":true,"channel":"C1"}"#).expect_err("ts missing");
        assert!(matches!(
            error,
            SlackApiError::InvalidResponse {
                method: "chat.update",
                ..
            }
        ));
    }

    #[test]
    fn answer_that_is_not_json_is_invalid() {
        let error = parse_answer(POST_MESSAGE, b"<html>bad gateway</html>").expect_err("not JSON");
        assert!(matches!(
            error,
            SlackApiError::InvalidResponse {
                method: "chat.postMessage",
                ..
            }
        ));
    }

    #[test]
    fn rate_limit_message_names_retry_after() {
        let error = SlackApiError::RateLimited {
            method: POST_MESSAGE,
            retry_after_seconds: Some(30),
        };
        assert_eq!(
            error.to_string(),
            "Slack rate-limited chat.postMessage with Retry-After 30 s; try again later"
        );
        let without = SlackApiError::RateLimited {
            method: POST_MESSAGE,
            retry_after_seconds: None,
        };
        assert_eq!(
            without.to_string(),
            "Slack rate-limited chat.postMessage; try again later"
        );
    }
}
