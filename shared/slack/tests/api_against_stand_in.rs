//! `SlackApi` against the local Slack stand-in and against small raw TCP
//! servers on 127.0.0.1 for the failures the stand-in does not script.

use causeflow_slack::{MessageBody, PostedMessage, SlackApi, SlackApiError, SlackStandIn};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "xoxb-stand-in-token";
const POST: &str = "chat.postMessage";
const UPDATE: &str = "chat.update";

fn body(text: &str) -> MessageBody {
    MessageBody {
        text: text.to_owned(),
        blocks: json!([
            { "type": "section", "text": { "type": "mrkdwn", "text": text } }
        ]),
    }
}

async fn started() -> (SlackStandIn, SlackApi) {
    let stand_in = SlackStandIn::start(TOKEN).await.expect("stand-in starts");
    let api = SlackApi::new(stand_in.base_url()).expect("stand-in URL is valid");
    (stand_in, api)
}

/// Splits a Slack message timestamp into seconds and the 6-digit sequence.
fn ts_parts(ts: &str) -> (i64, u32) {
    let (seconds, sequence) = ts.split_once('.').expect("ts has a dot");
    assert_eq!(sequence.len(), 6, "ts {ts}");
    (
        seconds.parse().expect("seconds are digits"),
        sequence.parse().expect("sequence is digits"),
    )
}

#[tokio::test]
async fn base_url_is_loopback_api_path() {
    let (stand_in, _api) = started().await;
    let url = stand_in.base_url();
    assert!(url.starts_with("http://127.0.0.1:"), "base URL {url}");
    assert!(url.ends_with("/api"), "base URL {url}");
}

#[tokio::test]
async fn post_message_returns_channel_and_ts() {
    let (stand_in, api) = started().await;
    let message = body("Approval needed");

    let posted = api
        .post_message(TOKEN, "C0INCIDENTS", &message)
        .await
        .expect("post succeeds");

    assert_eq!(posted.channel, "C0INCIDENTS");
    ts_parts(&posted.ts);
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, POST);
    assert!(requests[0].token_matched);
    assert_eq!(requests[0].body["channel"], "C0INCIDENTS");
    assert_eq!(requests[0].body["text"], "Approval needed");
    assert_eq!(requests[0].body["blocks"], message.blocks);
}

#[tokio::test]
async fn posted_timestamps_increase() {
    let (_stand_in, api) = started().await;

    let first = api
        .post_message(TOKEN, "C1", &body("one"))
        .await
        .expect("first post");
    let second = api
        .post_message(TOKEN, "C1", &body("two"))
        .await
        .expect("second post");

    assert!(
        ts_parts(&second.ts) > ts_parts(&first.ts),
        "{} then {}",
        first.ts,
        second.ts
    );
}

#[tokio::test]
async fn update_message_replaces_posted_message() {
    let (stand_in, api) = started().await;
    let posted = api
        .post_message(TOKEN, "C1", &body("pending"))
        .await
        .expect("post");

    let updated = api
        .update_message(TOKEN, "C1", &posted.ts, &body("approved"))
        .await
        .expect("update succeeds");

    assert_eq!(
        updated,
        PostedMessage {
            channel: "C1".to_owned(),
            ts: posted.ts.clone()
        }
    );
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].method, UPDATE);
    assert_eq!(requests[1].body["ts"], posted.ts.as_str());
    assert_eq!(requests[1].body["text"], "approved");
}

#[tokio::test]
async fn update_of_unknown_message_is_api_error() {
    let (_stand_in, api) = started().await;

    let error = api
        .update_message(TOKEN, "C1", "1700000000.000001", &body("approved"))
        .await
        .expect_err("no such message");

    assert!(
        matches!(&error, SlackApiError::Api { method: UPDATE, error } if error == "message_not_found"),
        "got {error:?}"
    );
}

#[tokio::test]
async fn ok_false_answer_becomes_api_error() {
    let (stand_in, api) = started().await;
    stand_in.fail_next(POST, "channel_not_found");

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("scripted failure");

    assert!(
        matches!(&error, SlackApiError::Api { method: POST, error } if error == "channel_not_found"),
        "got {error:?}"
    );
    assert_eq!(
        error.to_string(),
        "Slack chat.postMessage returned error `channel_not_found`"
    );
    assert_eq!(stand_in.requests().len(), 1);

    let next = api.post_message(TOKEN, "C1", &body("x")).await;
    assert!(next.is_ok(), "script applies once, got {next:?}");
}

#[tokio::test]
async fn missing_channel_is_channel_not_found() {
    let (_stand_in, api) = started().await;

    let error = api
        .post_message(TOKEN, "", &body("x"))
        .await
        .expect_err("no channel");

    assert!(
        matches!(&error, SlackApiError::Api { method: POST, error } if error == "channel_not_found"),
        "got {error:?}"
    );
}

#[tokio::test]
async fn rate_limit_within_bound_is_retried() {
    let (stand_in, api) = started().await;
    stand_in.rate_limit_next(POST, 1, 1);

    let posted = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect("succeeds after one retry");

    assert_eq!(posted.channel, "C1");
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|request| request.method == POST));
}

#[tokio::test]
async fn rate_limit_is_retried_at_most_twice() {
    let (stand_in, api) = started().await;
    stand_in.rate_limit_next(UPDATE, 1, 3);

    let error = api
        .update_message(TOKEN, "C1", "1700000000.000001", &body("x"))
        .await
        .expect_err("third 429 is returned");

    assert!(
        matches!(
            error,
            SlackApiError::RateLimited {
                method: UPDATE,
                retry_after_seconds: Some(1)
            }
        ),
        "got {error:?}"
    );
    assert_eq!(stand_in.requests().len(), 3);
}

#[tokio::test]
async fn rate_limit_beyond_bound_is_returned_at_once() {
    let (stand_in, api) = started().await;
    stand_in.rate_limit_next(POST, 30, 1);

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("Retry-After above the bound");

    assert!(
        matches!(
            error,
            SlackApiError::RateLimited {
                method: POST,
                retry_after_seconds: Some(30)
            }
        ),
        "got {error:?}"
    );
    assert_eq!(stand_in.requests().len(), 1);
}

#[tokio::test]
async fn wrong_token_is_invalid_auth_and_never_echoed() {
    let (stand_in, api) = started().await;
    let wrong = "xoxb-wrong-token-5e1c";

    let error = api
        .post_message(wrong, "C1", &body("x"))
        .await
        .expect_err("wrong token");

    assert!(
        matches!(&error, SlackApiError::Api { method: POST, error } if error == "invalid_auth"),
        "got {error:?}"
    );
    assert!(!error.to_string().contains(wrong));
    assert!(!format!("{error:?}").contains(wrong));
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].token_matched);
}

#[tokio::test]
async fn empty_token_is_rejected_before_sending() {
    let (stand_in, api) = started().await;

    let error = api
        .post_message("", "C1", &body("x"))
        .await
        .expect_err("empty token");

    assert!(
        matches!(error, SlackApiError::InvalidToken { method: POST }),
        "got {error:?}"
    );
    assert!(stand_in.requests().is_empty());
}

#[tokio::test]
async fn stand_in_debug_shows_no_token() {
    let (stand_in, api) = started().await;
    assert!(!format!("{stand_in:?}").contains(TOKEN));
    assert!(!format!("{api:?}").contains(TOKEN));
}

#[tokio::test]
async fn call_after_shutdown_is_transport_error() {
    let (stand_in, api) = started().await;
    stand_in.shutdown().await;

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("server gone");

    assert!(
        matches!(error, SlackApiError::Transport { method: POST, .. }),
        "got {error:?}"
    );
}

/// Serves one connection: reads the request head, then writes `answer`.
async fn serve_once(answer: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0_u8; 16 * 1024];
            let _ = socket.read(&mut buffer).await;
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{address}/api")
}

#[tokio::test]
async fn server_error_status_becomes_http_error() {
    let base_url = serve_once(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    )
    .await;
    let api = SlackApi::new(&base_url).expect("valid URL");

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("503");

    assert!(
        matches!(
            error,
            SlackApiError::Http {
                method: POST,
                status: 503
            }
        ),
        "got {error:?}"
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let holder = tokio::spawn(async move {
        // Accepts and keeps the connection open without responding.
        let accepted = listener.accept().await;
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        drop(accepted);
    });
    let api = SlackApi::new(&format!("http://{address}/api")).expect("valid URL");

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("timeout");

    assert!(
        matches!(
            error,
            SlackApiError::Timeout {
                method: POST,
                timeout_ms: 2_500
            }
        ),
        "got {error:?}"
    );
    holder.abort();
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let base_url = serve_once(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/api/chat.postMessage\r\n\
         content-length: 0\r\nconnection: close\r\n\r\n",
    )
    .await;
    let api = SlackApi::new(&base_url).expect("valid URL");

    let error = api
        .post_message(TOKEN, "C1", &body("x"))
        .await
        .expect_err("302");

    assert!(
        matches!(
            error,
            SlackApiError::Http {
                method: POST,
                status: 302
            }
        ),
        "got {error:?}"
    );
}
