//! Payment card numbers: 13 to 19 digits, plain or in groups joined by one consistent
//! separator, validated by Luhn checksum and issuer range.

use super::boundary::{digit_run_end, NumberScope};
use crate::validate::is_card_number;
use crate::work::ScanWork;

const MIN_DIGITS: usize = 13;
const MAX_DIGITS: usize = 19;
/// Printed cards start with a group of four (`4111 1111 ...`, `3782 822463 10005`).
const FIRST_GROUP_DIGITS: usize = 4;
/// Maximum length of a group. Groups between the first and the last must have four or six
/// digits (layouts 4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4), and the last group may be shorter.
const MAX_GROUP_DIGITS: usize = 6;

/// Returns the end of a card number that starts at `start`, if there is one.
///
/// NOTE: four space-separated 4-digit numbers that pass Luhn with an issuer prefix, such as
/// the port list `4000 4001 4002 4005`, are indistinguishable from a card here and masked.
pub(crate) fn card_at(scope: &NumberScope<'_>, start: usize, work: &mut ScanWork) -> Option<usize> {
    let bytes = scope.text.as_bytes();
    let first_end = digit_run_end(bytes, start, MAX_DIGITS + 1);
    work.add_bytes(first_end - start + 1);
    let first_len = first_end - start;

    if first_len > MAX_DIGITS {
        return None;
    }
    if first_len >= MIN_DIGITS {
        if !scope.may_end(first_end) {
            return None;
        }
        work.add_validator_call();
        return is_card_number(&bytes[start..first_end]).then_some(first_end);
    }
    if first_len != FIRST_GROUP_DIGITS {
        return None;
    }
    grouped_card_at(scope, start, first_end, work)
}

/// A group after the first: where it ends, the digit count so far and its own length.
struct GroupEnd {
    end: usize,
    digits_so_far: usize,
    length: usize,
}

fn grouped_card_at(
    scope: &NumberScope<'_>,
    start: usize,
    first_end: usize,
    work: &mut ScanWork,
) -> Option<usize> {
    let bytes = scope.text.as_bytes();
    let separator = *bytes.get(first_end)?;
    if separator != b' ' && separator != b'-' {
        return None;
    }

    let mut digits: Vec<u8> = bytes[start..first_end].to_vec();
    let mut groups: Vec<GroupEnd> = Vec::new();
    let mut position = first_end;
    while bytes.get(position) == Some(&separator)
        && bytes.get(position + 1).is_some_and(u8::is_ascii_digit)
    {
        let group_start = position + 1;
        let group_end = digit_run_end(bytes, group_start, MAX_GROUP_DIGITS + 1);
        work.add_bytes(group_end - position + 1);
        let length = group_end - group_start;
        if length > MAX_GROUP_DIGITS || digits.len() + length > MAX_DIGITS {
            break;
        }
        digits.extend_from_slice(&bytes[group_start..group_end]);
        groups.push(GroupEnd {
            end: group_end,
            digits_so_far: digits.len(),
            length,
        });
        position = group_end;
    }

    // The layout with the most digits wins. A space may also end the number early, as in a
    // card number followed by a year (`4111 1111 1111 1111 2031`).
    for last in (0..groups.len()).rev() {
        let candidate = &groups[last];
        if candidate.digits_so_far < MIN_DIGITS {
            break;
        }
        let inner_groups_ok = groups[..last]
            .iter()
            .all(|group| group.length == 4 || group.length == 6);
        if !inner_groups_ok || !scope.may_end(candidate.end) {
            continue;
        }
        work.add_validator_call();
        if is_card_number(&digits[..candidate.digits_so_far]) {
            return Some(candidate.end);
        }
    }
    None
}
