//! Bearer tokens (`Authorization: Bearer ...`, RFC 6750) in any letter case, and JSON Web
//! Tokens written without the scheme.

use super::boundary::{follows_escape, follows_replacement, word_may_start};
use super::{Rule, Span};
use crate::kind::BuiltinKind;
use crate::validate::header_decodes_to_json_object;
use crate::validate::jwt_header::is_base64url_byte;
use crate::work::ScanWork;

const SCHEME: &[u8] = b"bearer";
/// Shortest credential taken after the scheme. Shorter words after "bearer" are prose.
const MIN_TOKEN_BYTES: usize = 8;
/// Every JWT header starts with `{"`, which base64url-encodes to `eyJ`.
const JWT_PREFIX: &[u8] = b"eyJ";
/// A JWS has three segments and a JWE five; the scan reads no further.
const MAX_JWT_SEGMENTS: usize = 5;

/// Appends to `spans` every `Bearer <token>` of `text`, scheme included.
pub(crate) fn find_bearer_tokens(
    text: &str,
    replacements: &[String],
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    let bytes = text.as_bytes();
    for start in memchr::memchr2_iter(b'b', b'B', bytes) {
        work.add_bytes(SCHEME.len());
        let scheme_end = start + SCHEME.len();
        let is_scheme = bytes
            .get(start..scheme_end)
            .is_some_and(|word| word.eq_ignore_ascii_case(SCHEME));
        if !is_scheme || !word_may_start(text, start, replacements) {
            continue;
        }
        let Some(token_start) = skip_scheme_separator(bytes, scheme_end) else {
            continue;
        };
        let token_end = token68_end(bytes, token_start);
        work.add_bytes(token_end - scheme_end + 1);
        if looks_like_credential(&bytes[token_start..token_end]) {
            spans.push(Span {
                start,
                end: token_end,
                rule: Rule::Builtin(BuiltinKind::Token),
            });
        }
    }
}

/// Appends to `spans` every JSON Web Token of `text` whose header decodes to a JSON object.
pub(crate) fn find_jwts(
    text: &str,
    replacements: &[String],
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    let bytes = text.as_bytes();
    for start in memchr::memmem::find_iter(bytes, JWT_PREFIX) {
        work.add_bytes(JWT_PREFIX.len());
        let starts_segment = start == 0
            || (!is_base64url_byte(bytes[start - 1])
                && !follows_replacement(text, start, replacements))
            || follows_escape(bytes, start);
        if !starts_segment {
            continue;
        }

        let mut segment_ends = Vec::with_capacity(MAX_JWT_SEGMENTS);
        let mut position = start;
        while segment_ends.len() < MAX_JWT_SEGMENTS {
            let mut end = position;
            while end < bytes.len() && is_base64url_byte(bytes[end]) {
                end += 1;
            }
            work.add_bytes(end - position + 1);
            segment_ends.push(end);
            if bytes.get(end) != Some(&b'.') {
                break;
            }
            position = end + 1;
        }

        // Three segments, the first two non-empty and the signature possibly empty (an
        // unsecured JWT), or the five of a JWE.
        let end = match segment_ends.as_slice() {
            [header, payload, signature, ..] if *header > start && *payload > header + 1 => {
                if segment_ends.len() == MAX_JWT_SEGMENTS {
                    segment_ends[MAX_JWT_SEGMENTS - 1]
                } else {
                    *signature
                }
            }
            _ => continue,
        };
        work.add_validator_call();
        if header_decodes_to_json_object(&bytes[start..segment_ends[0]]) {
            spans.push(Span {
                start,
                end,
                rule: Rule::Builtin(BuiltinKind::Token),
            });
        }
    }
}

/// Returns where the credential starts after the scheme: after spaces or tabs, after `%20`
/// in a URL-encoded header value, or after the `+` that form encoding uses for a space.
fn skip_scheme_separator(bytes: &[u8], scheme_end: usize) -> Option<usize> {
    let rest = bytes.get(scheme_end..)?;
    let blanks = rest
        .iter()
        .take_while(|&&byte| byte == b' ' || byte == b'\t')
        .count();
    if blanks > 0 {
        return Some(scheme_end + blanks);
    }
    if rest.starts_with(b"%20") {
        return Some(scheme_end + 3);
    }
    if rest.starts_with(b"+") {
        return Some(scheme_end + 1);
    }
    None
}

/// Returns the end of the token68 (RFC 7235) starting at `start`: the credential ends at
/// the first byte outside that alphabet, such as a quote, `&`, `,`, `;` or whitespace.
fn token68_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || b"-._~+/".contains(&bytes[end]))
    {
        end += 1;
    }
    while end < bytes.len() && bytes[end] == b'=' {
        end += 1;
    }
    end
}

/// Returns whether a word after "bearer" is a credential rather than prose ("bearer token",
/// "Bearer Authentication"): long enough, and holding a digit, a symbol or an uppercase
/// letter after the first character next to lowercase ones.
fn looks_like_credential(token: &[u8]) -> bool {
    if token.len() < MIN_TOKEN_BYTES {
        return false;
    }
    let has_digit_or_symbol = token.iter().any(|byte| !byte.is_ascii_alphabetic());
    let has_inner_upper = token[1..].iter().any(u8::is_ascii_uppercase);
    let has_lower = token.iter().any(u8::is_ascii_lowercase);
    has_digit_or_symbol || (has_inner_upper && has_lower)
}
