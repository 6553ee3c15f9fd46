//! Slack request signing (version `v0`).
//!
//! Slack signs every request it sends to an app with HMAC-SHA256 over the
//! basestring `v0:{X-Slack-Request-Timestamp}:{raw body}`, keyed with the
//! app's signing secret, and sends the digest as `X-Slack-Signature: v0=<hex>`.
//! The timestamp is part of the signed data, so rejecting old timestamps stops
//! a captured request from being replayed later.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

/// Header carrying `v0=<hex HMAC-SHA256>`. HTTP header names are
/// case-insensitive, so look it up without regard to case.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";

/// Header carrying the Unix time in seconds at which Slack signed the request.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

/// Maximum distance, in seconds, between the request timestamp and the
/// verifier's clock, in either direction. Slack recommends five minutes.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// The only signature version Slack defines.
const VERSION: &str = "v0";

/// Length in bytes of an HMAC-SHA256 digest.
const DIGEST_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Reasons a request does not carry a valid Slack signature.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("request has no `{TIMESTAMP_HEADER}` header; Slack sends it on every signed request")]
    MissingTimestamp,

    #[error("request has no `{SIGNATURE_HEADER}` header; Slack sends it on every signed request")]
    MissingSignature,

    #[error("`{TIMESTAMP_HEADER}` value {0:?} is not a Unix time in whole seconds")]
    InvalidTimestamp(String),

    #[error(
        "Slack signature timestamp is {age_seconds} seconds old; requests older than \
         {MAX_CLOCK_SKEW_SECONDS} seconds are rejected"
    )]
    Stale { age_seconds: i64 },

    #[error(
        "Slack signature timestamp is {ahead_seconds} seconds in the future; requests more than \
         {MAX_CLOCK_SKEW_SECONDS} seconds ahead are rejected (check the clock of this host)"
    )]
    Future { ahead_seconds: i64 },

    #[error(
        "`{SIGNATURE_HEADER}` uses a version other than `{VERSION}`, the only one Slack defines"
    )]
    UnsupportedVersion,

    #[error("`{SIGNATURE_HEADER}` is not `{VERSION}=` followed by 64 hexadecimal digits")]
    Malformed,

    #[error("`{SIGNATURE_HEADER}` does not match the request body; check the signing secret")]
    Mismatch,
}

/// Verifies a Slack request signature against the raw request body.
///
/// `timestamp` and `signature` are the values of [`TIMESTAMP_HEADER`] and
/// [`SIGNATURE_HEADER`], `None` when the header is absent. `body` must be the
/// body bytes exactly as received, before any form or JSON decoding. The
/// digest comparison runs in constant time, and the timestamp must lie within
/// [`MAX_CLOCK_SKEW_SECONDS`] of `now`, inclusive, in either direction.
pub fn verify(
    signing_secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
    let signature = signature.ok_or(SignatureError::MissingSignature)?;

    let signed_at = parse_timestamp(timestamp)?;
    check_skew(signed_at, now)?;

    let digest = parse_signature(signature)?;

    // The basestring uses the header text as sent, not a re-formatted number,
    // because that text is what Slack signed.
    let mut mac = keyed_mac(signing_secret);
    update_basestring(&mut mac, timestamp, body);
    mac.verify_slice(&digest)
        .map_err(|_| SignatureError::Mismatch)
}

/// Computes the `X-Slack-Signature` value (`v0=<hex>`) that Slack would send
/// for `body` signed at `timestamp` (Unix seconds).
pub fn sign(signing_secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = keyed_mac(signing_secret);
    update_basestring(&mut mac, &timestamp.to_string(), body);
    let digest = mac.finalize().into_bytes();
    format!("{VERSION}={}", hex::encode(digest))
}

fn keyed_mac(signing_secret: &[u8]) -> HmacSha256 {
    // HMAC hashes keys longer than the block size and pads shorter ones, so
    // no key length is rejected.
    HmacSha256::new_from_slice(signing_secret).expect("HMAC accepts keys of any length")
}

fn update_basestring(mac: &mut HmacSha256, timestamp: &str, body: &[u8]) {
    mac.update(VERSION.as_bytes());
    mac.update(b":");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
}

fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    // Slack sends plain decimal digits. Signs, spaces and fractions are
    // rejected so that the signed text and the checked number cannot differ.
    let digits_only = !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit());
    if !digits_only {
        return Err(SignatureError::InvalidTimestamp(value.to_owned()));
    }
    value
        .parse::<i64>()
        .map_err(|_| SignatureError::InvalidTimestamp(value.to_owned()))
}

fn check_skew(signed_at: i64, now: DateTime<Utc>) -> Result<(), SignatureError> {
    let age_seconds = now.timestamp().saturating_sub(signed_at);
    if age_seconds > MAX_CLOCK_SKEW_SECONDS {
        return Err(SignatureError::Stale { age_seconds });
    }
    if age_seconds < -MAX_CLOCK_SKEW_SECONDS {
        return Err(SignatureError::Future {
            ahead_seconds: age_seconds.saturating_neg(),
        });
    }
    Ok(())
}

fn parse_signature(value: &str) -> Result<Vec<u8>, SignatureError> {
    let (version, digest_hex) = value.split_once('=').ok_or(SignatureError::Malformed)?;
    if version != VERSION {
        return Err(SignatureError::UnsupportedVersion);
    }

    let digest = hex::decode(digest_hex).map_err(|_| SignatureError::Malformed)?;
    if digest.len() != DIGEST_LEN {
        return Err(SignatureError::Malformed);
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // Example request from Slack's "Verifying requests from Slack" guide.
    const DOC_SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const DOC_TIMESTAMP: i64 = 1_531_420_618;
    const DOC_TIMESTAMP_TEXT: &str = "1531420618";
    const DOC_BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOC_SIGNATURE: &str =
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn at(unix_seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(unix_seconds, 0)
            .single()
            .expect("valid test time")
    }

    fn verify_doc_at(now: i64) -> Result<(), SignatureError> {
        verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            Some(DOC_SIGNATURE),
            DOC_BODY,
            at(now),
        )
    }

    #[test]
    fn sign_reproduces_slack_documented_example() {
        assert_eq!(sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY), DOC_SIGNATURE);
    }

    #[test]
    fn verify_accepts_slack_documented_example() {
        assert_eq!(verify_doc_at(DOC_TIMESTAMP), Ok(()));
    }

    #[test]
    fn verify_rejects_one_flipped_body_byte() {
        let mut body = DOC_BODY.to_vec();
        body[10] ^= 0x01;
        let result = verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            Some(DOC_SIGNATURE),
            &body,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn verify_rejects_wrong_secret() {
        let result = verify(
            b"another-secret",
            Some(DOC_TIMESTAMP_TEXT),
            Some(DOC_SIGNATURE),
            DOC_BODY,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn verify_rejects_signature_for_other_timestamp() {
        let signature = sign(DOC_SECRET, DOC_TIMESTAMP + 1, DOC_BODY);
        let result = verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            Some(&signature),
            DOC_BODY,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn verify_accepts_uppercase_hex_digest() {
        let upper = format!("v0={}", DOC_SIGNATURE["v0=".len()..].to_uppercase());
        let result = verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            Some(&upper),
            DOC_BODY,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn verify_rejects_missing_timestamp() {
        let result = verify(
            DOC_SECRET,
            None,
            Some(DOC_SIGNATURE),
            DOC_BODY,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Err(SignatureError::MissingTimestamp));
    }

    #[test]
    fn verify_rejects_missing_signature() {
        let result = verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            None,
            DOC_BODY,
            at(DOC_TIMESTAMP),
        );
        assert_eq!(result, Err(SignatureError::MissingSignature));
    }

    #[test]
    fn verify_rejects_non_numeric_timestamps() {
        for value in [
            "",
            "abc",
            "-1531420618",
            "+1531420618",
            " 1531420618",
            "1531420618.5",
        ] {
            let result = verify(
                DOC_SECRET,
                Some(value),
                Some(DOC_SIGNATURE),
                DOC_BODY,
                at(DOC_TIMESTAMP),
            );
            assert_eq!(
                result,
                Err(SignatureError::InvalidTimestamp(value.to_owned())),
                "timestamp {value:?}"
            );
        }
    }

    #[test]
    fn verify_rejects_timestamp_beyond_i64() {
        let value = "99999999999999999999";
        let result = verify(
            DOC_SECRET,
            Some(value),
            Some(DOC_SIGNATURE),
            DOC_BODY,
            at(0),
        );
        assert_eq!(
            result,
            Err(SignatureError::InvalidTimestamp(value.to_owned()))
        );
    }

    #[test]
    fn verify_accepts_timestamp_exactly_300_seconds_old() {
        assert_eq!(verify_doc_at(DOC_TIMESTAMP + 300), Ok(()));
    }

    #[test]
    fn verify_rejects_timestamp_301_seconds_old() {
        assert_eq!(
            verify_doc_at(DOC_TIMESTAMP + 301),
            Err(SignatureError::Stale { age_seconds: 301 })
        );
    }

    #[test]
    fn verify_accepts_timestamp_exactly_300_seconds_ahead() {
        assert_eq!(verify_doc_at(DOC_TIMESTAMP - 300), Ok(()));
    }

    #[test]
    fn verify_rejects_timestamp_301_seconds_ahead() {
        assert_eq!(
            verify_doc_at(DOC_TIMESTAMP - 301),
            Err(SignatureError::Future { ahead_seconds: 301 })
        );
    }

    #[test]
    fn verify_checks_age_before_digest() {
        // A stale request is reported as stale even when its digest is wrong,
        // so the log names the replay rather than a secret problem.
        let result = verify(
            DOC_SECRET,
            Some(DOC_TIMESTAMP_TEXT),
            Some("v0=00"),
            DOC_BODY,
            at(DOC_TIMESTAMP + 1_000),
        );
        assert_eq!(result, Err(SignatureError::Stale { age_seconds: 1_000 }));
    }

    #[test]
    fn verify_rejects_other_signature_versions() {
        for value in [
            "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            "V0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            "=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        ] {
            let result = verify(
                DOC_SECRET,
                Some(DOC_TIMESTAMP_TEXT),
                Some(value),
                DOC_BODY,
                at(DOC_TIMESTAMP),
            );
            assert_eq!(
                result,
                Err(SignatureError::UnsupportedVersion),
                "signature {value:?}"
            );
        }
    }

    #[test]
    fn verify_rejects_malformed_signatures() {
        for value in [
            "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            "v0=",
            "v0=zz114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503ff",
        ] {
            let result = verify(
                DOC_SECRET,
                Some(DOC_TIMESTAMP_TEXT),
                Some(value),
                DOC_BODY,
                at(DOC_TIMESTAMP),
            );
            assert_eq!(
                result,
                Err(SignatureError::Malformed),
                "signature {value:?}"
            );
        }
    }

    #[test]
    fn stale_error_message_names_age_and_limit() {
        let message = SignatureError::Stale { age_seconds: 412 }.to_string();
        assert_eq!(
            message,
            "Slack signature timestamp is 412 seconds old; requests older than 300 seconds are rejected"
        );
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let body = br#"payload=%7B%22type%22%3A%22block_actions%22%7D"#;
        let signature = sign(b"local-secret", 1_700_000_000, body);
        let result = verify(
            b"local-secret",
            Some("1700000000"),
            Some(&signature),
            body,
            at(1_700_000_010),
        );
        assert_eq!(result, Ok(()));
    }
}
