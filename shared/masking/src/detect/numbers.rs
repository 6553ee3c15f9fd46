//! One left-to-right scan that finds card numbers, CPFs and phone numbers. Each candidate
//! start is tried against bounded-length parsers, so the work per input byte is constant.

use super::boundary::{digit_run_end, NumberScope};
use super::card::card_at;
use super::cpf::cpf_at;
use super::phone::phone_at;
use super::{NumberKinds, Rule, Span};
use crate::kind::BuiltinKind;
use crate::work::ScanWork;

/// Appends to `spans` every card number, CPF and phone number of `text` that `kinds` enables
/// and that lies outside the `selected` spans (sorted, disjoint), which no number may touch.
pub(crate) fn find_numbers(
    text: &str,
    selected: &[Span],
    kinds: NumberKinds,
    replacements: &[String],
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    let mut gap_start = 0;
    for (index, span) in selected.iter().enumerate() {
        let scope = NumberScope {
            text: &text[gap_start..span.start],
            masked_before: index > 0,
            masked_after: true,
            replacements,
        };
        scan_scope(&scope, gap_start, kinds, spans, work);
        gap_start = span.end;
    }
    let scope = NumberScope {
        text: &text[gap_start..],
        masked_before: !selected.is_empty(),
        masked_after: false,
        replacements,
    };
    scan_scope(&scope, gap_start, kinds, spans, work);
}

fn scan_scope(
    scope: &NumberScope<'_>,
    offset: usize,
    kinds: NumberKinds,
    spans: &mut Vec<Span>,
    work: &mut ScanWork,
) {
    let bytes = scope.text.as_bytes();
    work.add_bytes(bytes.len());
    let mut position = 0;
    let mut previous_match_end = None;
    while position < bytes.len() {
        // Most bytes cannot start a number; skip them in a tight loop.
        match bytes[position..]
            .iter()
            .position(|&byte| MAY_START_NUMBER[usize::from(byte)])
        {
            Some(skipped) => position += skipped,
            None => break,
        }
        let byte = bytes[position];
        let is_digit = byte.is_ascii_digit();
        if is_digit && !layout_possible(bytes, position) {
            // No digit of this run can start a value either, because each one follows a digit.
            position = digit_run_end(bytes, position, bytes.len());
            continue;
        }
        if !scope.may_start(position, previous_match_end) {
            position = if is_digit {
                digit_run_end(bytes, position, bytes.len())
            } else {
                position + 1
            };
            continue;
        }

        let mut best: Option<(usize, BuiltinKind)> = None;
        let mut consider = |end: Option<usize>, kind: BuiltinKind| {
            if let Some(end) = end {
                if best.is_none_or(|(current, _)| end > current) {
                    best = Some((end, kind));
                }
            }
        };
        if is_digit {
            if kinds.card {
                consider(card_at(scope, position, work), BuiltinKind::CreditCard);
            }
            if kinds.cpf {
                consider(cpf_at(scope, position, work), BuiltinKind::Cpf);
            }
        }
        if kinds.phone {
            consider(phone_at(scope, position, work), BuiltinKind::Phone);
        }

        match best {
            Some((end, kind)) => {
                spans.push(Span {
                    start: offset + position,
                    end: offset + end,
                    rule: Rule::Builtin(kind),
                });
                position = end;
                previous_match_end = Some(end);
            }
            None => position += 1,
        }
    }
}

/// Maximum digit-run length the probe reads. Any run of 11 digits or more may be a plain
/// card number or CPF, and the parsers themselves reject runs that are too long.
const RUN_PROBE_LIMIT: usize = 20;

/// Returns whether a card, CPF or national phone layout can start with the digit run at
/// `start`, judged from the run's length and the byte after it. Most numbers in logs
/// (counters, latencies, dates) fail this test, which saves running the parsers on them.
fn layout_possible(bytes: &[u8], start: usize) -> bool {
    let run_end = digit_run_end(bytes, start, RUN_PROBE_LIMIT);
    let run = run_end - start;
    let next = bytes.get(run_end).copied();
    match (run, next) {
        // Plain CPF or card number.
        (11.., _) => true,
        // First group of a grouped card number (`4111 1111 ...`).
        (4, Some(b' ' | b'-')) => true,
        // CPF `123.456.789-09` and `123456789-09`, area code of `11 99999-9999`, bare
        // mobile `99999-9999`. Parenthesised phones start at the parenthesis, not here.
        (3, Some(b'.')) | (9, Some(b'-')) | (2, Some(b' ')) | (5, Some(b'-')) => true,
        _ => false,
    }
}

/// Bytes at which a card number, CPF or phone number can start: digits, `+` and `(`.
static MAY_START_NUMBER: [bool; 256] = {
    let mut table = [false; 256];
    let mut digit = b'0';
    while digit <= b'9' {
        table[digit as usize] = true;
        digit += 1;
    }
    table[b'+' as usize] = true;
    table[b'(' as usize] = true;
    table
};
