//! Email addresses, found from each `@`: the local part is read leftwards and the domain
//! rightwards, so each byte is read at most twice however many `@` the text holds.

use super::boundary::{precedes_replacement, word_may_start};
use super::{Rule, Span};
use crate::kind::BuiltinKind;
use crate::work::ScanWork;

/// RFC 1035 limits: a label has at most 63 bytes and a domain name at most 253.
const MAX_LABEL_BYTES: usize = 63;
const MAX_DOMAIN_BYTES: usize = 253;

/// File extensions that follow `@` in asset names such as `logo@2x.png`. None of them is a
/// top-level domain, so rejecting them costs no real address.
const ASSET_EXTENSIONS: [&str; 13] = [
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "avif", "heic", "pdf",
];

/// Appends to `spans` every email address of `text`.
pub(crate) fn find_emails(
    text: &str,
    replacements: &[String],
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    for at in memchr::memchr_iter(b'@', text.as_bytes()) {
        work.add_bytes(1);
        let Some(start) = local_part_start(text, at, work) else {
            continue;
        };
        if !word_may_start(text, start, replacements) {
            continue;
        }
        let Some(end) = domain_end(text, at + 1, replacements, work) else {
            continue;
        };
        spans.push(Span {
            start,
            end,
            rule: Rule::Builtin(BuiltinKind::Email),
        });
    }
}

/// Characters of a local part. RFC 5322 allows more (`'`, `/`, `=` ...), but in logs those
/// characters usually delimit the address (`user='ana@x.com'`, `path=/a/ana@x.com`) rather
/// than belong to it. Non-ASCII letters and digits are allowed as RFC 6531 does.
fn is_local_char(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '.' | '_' | '%' | '+' | '-')
}

fn is_label_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '-'
}

/// Returns where the local part before the `@` at `at` starts, if it is a valid one.
fn local_part_start(text: &str, at: usize, work: &mut ScanWork) -> Option<usize> {
    let before = &text[..at];
    let mut start = at;
    for (offset, ch) in before.char_indices().rev() {
        if !is_local_char(ch) {
            break;
        }
        start = offset;
    }
    work.add_bytes(at - start + 1);

    let mut local = &text[start..at];
    // A doubled dot cannot occur in a local part, so the address starts after the last one.
    if let Some(double_dot) = local.rfind("..") {
        start += double_dot + 2;
        local = &text[start..at];
    }
    if local.is_empty() || local.starts_with('.') || local.ends_with('.') {
        return None;
    }
    Some(start)
}

/// Returns where the domain that starts at `start` ends, if it is a valid one. Trailing
/// punctuation such as a sentence's final dot is left outside. When the last labels read do
/// not form a valid domain (`ana@example.com.v2`), the longest valid run of leading labels
/// is taken, so the address is masked whatever follows it.
fn domain_end(
    text: &str,
    start: usize,
    replacements: &[String],
    work: &mut ScanWork,
) -> Option<usize> {
    let mut labels: Vec<(usize, usize)> = Vec::new();
    let mut position = start;
    loop {
        let rest = &text[position..];
        let label_length: usize = rest
            .chars()
            .take_while(|&ch| is_label_char(ch))
            .map(char::len_utf8)
            .sum();
        work.add_bytes(label_length + 1);
        if label_length == 0 {
            break;
        }
        labels.push((position, position + label_length));
        position += label_length;

        let continues = text[position..].starts_with('.')
            && text[position + 1..]
                .chars()
                .next()
                .is_some_and(is_label_char);
        if !continues {
            break;
        }
        position += 1;
    }

    let first = labels
        .first()
        .map(|&(label_start, label_end)| &text[label_start..label_end])?;
    if is_asset_scale_suffix(first) {
        return None;
    }
    let valid_leading_labels = labels
        .iter()
        .take_while(|&&(label_start, label_end)| is_valid_label(&text[label_start..label_end]))
        .count();
    labels[..valid_leading_labels]
        .iter()
        .enumerate()
        .skip(1)
        .rev()
        .map(|(_, &(label_start, label_end))| (label_start, label_end))
        .find(|&(label_start, label_end)| {
            label_end - start <= MAX_DOMAIN_BYTES
                && is_valid_top_level_domain(&text[label_start..label_end])
                && !precedes_replacement(text, label_end, replacements)
        })
        .map(|(_, label_end)| label_end)
}

fn is_valid_label(label: &str) -> bool {
    label.len() <= MAX_LABEL_BYTES && !label.starts_with('-') && !label.ends_with('-')
}

/// Returns whether `label` is a valid top-level domain: letters only (ASCII or not) or an
/// ASCII punycode label (`xn--p1ai`), and not the file extension of an asset name.
fn is_valid_top_level_domain(label: &str) -> bool {
    if label.chars().count() < 2 {
        return false;
    }
    if let Some(encoded) = label.strip_prefix("xn--") {
        return !encoded.is_empty()
            && encoded
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    }
    let lowercase = label.to_lowercase();
    label.chars().all(char::is_alphabetic) && !ASSET_EXTENSIONS.contains(&lowercase.as_str())
}

/// Returns whether `label` is a display-density suffix such as the `2x` of `icon@2x.webp`.
fn is_asset_scale_suffix(label: &str) -> bool {
    label
        .strip_suffix(['x', 'X'])
        .is_some_and(|scale| !scale.is_empty() && scale.bytes().all(|byte| byte.is_ascii_digit()))
}
