//! Groups log messages into templates and picks the templates that are new or surging since
//! before an alarm.
//!
//! A template is the message with its variable parts replaced by [`WILDCARD`]. The masking
//! works token by token in one pass over the message, so templating is linear in the size of
//! the log:
//!
//! - a token that contains a digit is variable: numbers, durations (`230ms`), hex and
//!   UUID ids, IP addresses with ports, timestamps, versions, ids such as `ord-4821`;
//! - so is a token with an `@` after its first character, such as an email address;
//! - a token with `/` is a path, and each segment is judged on its own, so
//!   `/orders/4821/items` becomes `/orders/<*>/items`;
//! - a token with `:` is judged part by part, and neighbouring variable parts merge, so
//!   `checkout:8` becomes `checkout:<*>` and `14:05:00` becomes one `<*>`;
//! - a quoted value right after `=` (`user="ana"`) is variable as a whole, a quoted JSON key
//!   (followed by `:`) is kept, and other quoted text is masked token by token;
//! - runs of whitespace become one space.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::evidence::LogTemplateFinding;

/// Placeholder that replaces each variable part of a message.
pub const WILDCARD: &str = "<*>";

/// Minutes before the onset that already belong to the incident. The cause of an alarm
/// precedes it, because an alarm needs one or more full evaluation periods of bad data
/// before it fires, so the baseline ends this long before the onset.
pub const BASELINE_GRACE_MINUTES: i64 = 5;

/// How many times its baseline rate a template must reach after the baseline to be surging.
pub const SURGE_FACTOR: f64 = 3.0;

/// Fewest occurrences after the baseline for a template to be reported, so that a single
/// stray line is not reported as a new behaviour.
pub const MIN_COUNT_AFTER: u64 = 3;

/// Most templates [`notable_templates`] returns, new ones first.
pub const MAX_NOTABLE_TEMPLATES: usize = 25;

/// Longest quoted value looked at as one unit. A quote whose closing quote is further away
/// is kept as a plain character, which bounds the work per byte.
const MAX_QUOTED_BYTES: usize = 1024;

/// One log event as returned by a Logs Insights query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    pub log_group: String,
    pub message: String,
}

/// Reduces a message to its template, with variable parts replaced by `<*>`.
///
/// ```
/// use causeflow_domain::templating::template_of;
///
/// assert_eq!(
///     template_of("GET /api/orders/4821 returned 500 in 35ms from 10.0.3.7:443"),
///     "GET /api/orders/<*> returned <*> in <*> from <*>"
/// );
/// ```
pub fn template_of(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let bytes = message.as_bytes();
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];

        if byte.is_ascii_whitespace() {
            while index < bytes.len() && bytes[index].is_ascii_whitespace() {
                index += 1;
            }
            if !out.is_empty() && index < bytes.len() {
                out.push(' ');
            }
            continue;
        }

        if byte == b'"' || byte == b'\'' {
            if let Some(close) = closing_quote(bytes, index) {
                push_quoted(message, index, close, &mut out);
                index = close + 1;
                continue;
            }
        }

        if is_delimiter(byte) {
            out.push(char::from(byte));
            index += 1;
            continue;
        }

        let start = index;
        while index < bytes.len() && !is_delimiter(bytes[index]) && !bytes[index].is_ascii_whitespace() && bytes[index] != b'"' {
            index += 1;
        }
        // A token never starts with a quote here (handled above), and `'` inside a word
        // (`can't`) stays part of it.
        if index == start {
            out.push(char::from(byte));
            index += 1;
            continue;
        }
        push_token(&message[start..index], &mut out);
    }

    out
}

/// Finds the closing quote of the quote at `open`, skipping backslash escapes. A single
/// quote opens a quoted value only at the start of a token, so apostrophes in words do not.
fn closing_quote(bytes: &[u8], open: usize) -> Option<usize> {
    let quote = bytes[open];
    if quote == b'\'' && open > 0 && bytes[open - 1].is_ascii_alphanumeric() {
        return None;
    }

    let end = bytes.len().min(open + 1 + MAX_QUOTED_BYTES);
    let mut index = open + 1;
    while index < end {
        match bytes[index] {
            b'\\' => index += 2,
            byte if byte == quote => return Some(index),
            _ => index += 1,
        }
    }
    None
}

fn push_quoted(message: &str, open: usize, close: usize, out: &mut String) {
    let bytes = message.as_bytes();
    let quote = char::from(bytes[open]);
    let inner = &message[open + 1..close];
    let after_equals = out.ends_with('=');
    let is_key = bytes[close + 1..]
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b':');

    out.push(quote);
    if after_equals && !is_key {
        out.push_str(WILDCARD);
    } else {
        for (position, word) in inner.split_ascii_whitespace().enumerate() {
            if position > 0 {
                out.push(' ');
            }
            push_token(word, out);
        }
    }
    out.push(quote);
}

/// Bytes that end a token and are copied as they are.
fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b',' | b';' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'=' | b'|' | b'<' | b'>')
}

/// Pushes one token, keeping trailing punctuation such as the `:` of `error:` apart so that
/// it does not change the template of the word.
fn push_token(token: &str, out: &mut String) {
    let core = token.trim_end_matches(['.', ',', ':', ';', '!', '?']);
    let trailing = &token[core.len()..];

    if core.contains('/') {
        for (position, segment) in core.split('/').enumerate() {
            if position > 0 {
                out.push('/');
            }
            push_segment(segment, out);
        }
    } else {
        push_segment(core, out);
    }
    out.push_str(trailing);
}

/// Pushes a path segment or a whole token, judging each `:`-separated part and merging
/// neighbouring variable parts into one wildcard.
fn push_segment(segment: &str, out: &mut String) {
    let mut previous_variable = false;
    for (position, part) in segment.split(':').enumerate() {
        let variable = part.bytes().any(|byte| byte.is_ascii_digit()) || part.find('@').is_some_and(|at| at > 0);
        if variable && previous_variable {
            continue;
        }
        if position > 0 {
            out.push(':');
        }
        if variable {
            out.push_str(WILDCARD);
        } else {
            out.push_str(part);
        }
        previous_variable = variable;
    }
}

/// Occurrences of one template in one log group.
struct TemplateCounts<'a> {
    count_before: u64,
    count_after: u64,
    first_after: Option<&'a LogLine>,
}

/// Templates that are new or surging since before `onset`, new ones first, then by count.
///
/// The baseline is every line before `onset - BASELINE_GRACE_MINUTES`, and the lines from
/// then on are compared with it. A template is reported when it has at least
/// [`MIN_COUNT_AFTER`] occurrences after the baseline and either never occurred in the
/// baseline (new) or occurs at least [`SURGE_FACTOR`] times as often per minute as in the
/// baseline (surging). Each window's length is taken from the lines themselves (earliest
/// line to baseline end, baseline end to latest line), at least one minute. `first_seen` is
/// the first occurrence after the baseline, which for a new template is its first ever, and
/// `sample` is that line. Lines need not be sorted.
pub fn notable_templates(lines: &[LogLine], onset: DateTime<Utc>) -> Vec<LogTemplateFinding> {
    let baseline_end = onset - Duration::minutes(BASELINE_GRACE_MINUTES);
    let mut counts: HashMap<(&str, String), TemplateCounts> = HashMap::new();
    let mut earliest: Option<DateTime<Utc>> = None;
    let mut latest: Option<DateTime<Utc>> = None;

    for line in lines {
        earliest = Some(earliest.map_or(line.timestamp, |time| time.min(line.timestamp)));
        latest = Some(latest.map_or(line.timestamp, |time| time.max(line.timestamp)));

        let entry = counts
            .entry((line.log_group.as_str(), template_of(&line.message)))
            .or_insert(TemplateCounts { count_before: 0, count_after: 0, first_after: None });
        if line.timestamp < baseline_end {
            entry.count_before += 1;
        } else {
            entry.count_after += 1;
            if entry.first_after.is_none_or(|first| line.timestamp < first.timestamp) {
                entry.first_after = Some(line);
            }
        }
    }

    let before_minutes = window_minutes(earliest, Some(baseline_end));
    let after_minutes = window_minutes(Some(baseline_end), latest);

    let mut notable: Vec<LogTemplateFinding> = counts
        .into_iter()
        .filter_map(|((log_group, template), counts)| {
            let first = counts.first_after?;
            if counts.count_after < MIN_COUNT_AFTER {
                return None;
            }
            let is_new = counts.count_before == 0;
            let rate_before = counts.count_before as f64 / before_minutes;
            let rate_after = counts.count_after as f64 / after_minutes;
            if !is_new && rate_after < SURGE_FACTOR * rate_before {
                return None;
            }
            Some(LogTemplateFinding {
                template,
                count_before: counts.count_before,
                count_after: counts.count_after,
                first_seen: first.timestamp,
                is_new,
                log_group: log_group.to_string(),
                sample: first.message.clone(),
            })
        })
        .collect();

    notable.sort_by(|a, b| {
        b.is_new
            .cmp(&a.is_new)
            .then(b.count_after.cmp(&a.count_after))
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.log_group.cmp(&b.log_group))
            .then(a.template.cmp(&b.template))
    });
    notable.truncate(MAX_NOTABLE_TEMPLATES);
    notable
}

/// Length of a window in minutes, at least one so that rates stay finite.
fn window_minutes(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> f64 {
    match (start, end) {
        (Some(start), Some(end)) if end > start => ((end - start).num_milliseconds() as f64 / 60_000.0).max(1.0),
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute_offset: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap() + Duration::minutes(minute_offset)
    }

    fn line(minute_offset: i64, message: &str) -> LogLine {
        LogLine { timestamp: at(minute_offset), log_group: "/ecs/checkout".into(), message: message.into() }
    }

    #[test]
    fn template_masks_numbers_and_durations() {
        assert_eq!(template_of("served 42 items in 35ms (1.5s total)"), "served <*> items in <*> (<*> total)");
        assert_eq!(template_of("retry -3 of 5"), "retry <*> of <*>");
    }

    #[test]
    fn template_masks_ids() {
        assert_eq!(template_of("order 3f2a9c1e-7b4d-4e21-9a0b-5c6d7e8f9a0b paid"), "order <*> paid");
        assert_eq!(template_of("task 0x7ffe3a21 and 9f86d081884c7d65 done"), "task <*> and <*> done");
        assert_eq!(template_of("instance i-0abc123def4567890 stopped"), "instance <*> stopped");
        assert_eq!(template_of("mail ana.souza@example.com or @here"), "mail <*> or @here");
    }

    #[test]
    fn template_masks_addresses_and_times() {
        assert_eq!(template_of("connect 10.0.12.34:5432 refused"), "connect <*> refused");
        assert_eq!(template_of("2026-11-30T14:05:00.123Z ERROR boom"), "<*> ERROR boom");
        assert_eq!(template_of("at 2026-11-30 14:05:00,123 done"), "at <*> <*>,<*> done");
    }

    #[test]
    fn template_masks_path_segments_with_ids() {
        assert_eq!(template_of("GET /api/orders/ord-4821/items 200"), "GET /api/orders/<*>/items <*>");
        assert_eq!(template_of("proto HTTP/1.1"), "proto HTTP/<*>");
        assert_eq!(template_of("deploying checkout:8 now"), "deploying checkout:<*> now");
    }

    #[test]
    fn template_masks_quoted_values_after_equals() {
        assert_eq!(template_of(r#"login user="ana" role='admin' ok"#), r#"login user="<*>" role='<*>' ok"#);
        assert_eq!(template_of(r#"{"level":"error","msg":"order 12 failed"}"#), r#"{"level":"error","msg":"order <*> failed"}"#);
        assert_eq!(template_of(r#"said "a \"quoted\" 7" then"#), r#"said "a \"quoted\" <*>" then"#);
    }

    #[test]
    fn template_keeps_words_and_punctuation() {
        assert_eq!(template_of("can't reach payments-api: upstream timed out."), "can't reach payments-api: upstream timed out.");
        assert_eq!(template_of("  spaced \t out  "), "spaced out");
        assert_eq!(template_of(""), "");
        assert_eq!(template_of("unclosed \"quote 12"), "unclosed \"quote <*>");
    }

    #[test]
    fn template_handles_non_ascii() {
        assert_eq!(template_of("pedido nº 12 não encontrado"), "pedido nº <*> não encontrado");
        assert_eq!(template_of("café=«42»"), "café=<*>");
    }

    #[test]
    fn same_shape_gives_same_template() {
        assert_eq!(template_of("user 17 logged in from 10.1.1.1"), template_of("user 90210 logged in from 192.168.0.7"));
    }

    #[test]
    fn new_template_is_reported_with_counts() {
        let mut lines: Vec<LogLine> = (-60..10).map(|minute| line(minute, &format!("GET /health {minute} ok"))).collect();
        for second in 0..4 {
            lines.push(line(-3, &format!("ERROR order ord-{second} failed: NullPointerException")));
        }

        let notable = notable_templates(&lines, at(0));

        assert_eq!(notable.len(), 1);
        assert_eq!(notable[0].template, "ERROR order <*> failed: NullPointerException");
        assert!(notable[0].is_new);
        assert_eq!(notable[0].count_before, 0);
        assert_eq!(notable[0].count_after, 4);
        assert_eq!(notable[0].first_seen, at(-3));
        assert_eq!(notable[0].sample, "ERROR order ord-0 failed: NullPointerException");
        assert_eq!(notable[0].log_group, "/ecs/checkout");
    }

    #[test]
    fn surging_template_is_reported_steady_one_is_not() {
        // One warning per ten minutes in the 55-minute baseline, then six per minute.
        let mut lines: Vec<LogLine> = (-60..-5).step_by(10).map(|minute| line(minute, "WARN slow query 900ms")).collect();
        for minute in -5..10 {
            for _ in 0..6 {
                lines.push(line(minute, "WARN slow query 1200ms"));
            }
            lines.push(line(minute, "GET /health ok"));
        }
        for minute in -60..-5 {
            lines.push(line(minute, "GET /health ok"));
        }

        let notable = notable_templates(&lines, at(0));

        assert_eq!(notable.len(), 1);
        assert_eq!(notable[0].template, "WARN slow query <*>");
        assert!(!notable[0].is_new);
        assert_eq!(notable[0].count_before, 6);
        assert_eq!(notable[0].count_after, 90);
        assert_eq!(notable[0].first_seen, at(-5));
    }

    #[test]
    fn rare_new_template_is_not_reported() {
        let mut lines: Vec<LogLine> = (-60..10).map(|minute| line(minute, "GET /health ok")).collect();
        lines.push(line(2, "ERROR one stray line"));
        lines.push(line(3, "ERROR one stray line"));

        assert_eq!(notable_templates(&lines, at(0)), Vec::new());
    }

    #[test]
    fn unsorted_lines_give_earliest_first_seen() {
        let lines = vec![line(4, "ERROR order 4 failed"), line(1, "ERROR order 1 failed"), line(2, "ERROR order 2 failed")];

        let notable = notable_templates(&lines, at(0));

        assert_eq!(notable.len(), 1);
        assert_eq!(notable[0].first_seen, at(1));
        assert_eq!(notable[0].sample, "ERROR order 1 failed");
    }

    #[test]
    fn templates_are_kept_apart_per_log_group() {
        let mut lines = Vec::new();
        for minute in 0..3 {
            lines.push(line(minute, "ERROR boom"));
            lines.push(LogLine { log_group: "/ecs/worker".into(), ..line(minute, "ERROR boom") });
        }

        let notable = notable_templates(&lines, at(0));

        assert_eq!(notable.len(), 2);
        assert_eq!(notable[0].log_group, "/ecs/checkout");
        assert_eq!(notable[1].log_group, "/ecs/worker");
    }

    #[test]
    fn no_lines_give_no_templates() {
        assert_eq!(notable_templates(&[], at(0)), Vec::new());
    }
}
