//! Phone numbers: international numbers in E.164 shape (`+` and 8 to 15 digits, optionally
//! grouped) and Brazilian national numbers in their usual written forms.

use std::sync::LazyLock;

use super::boundary::{digit_run_end, NumberScope};
use super::shape::{digits_at_role, match_shape};
use crate::work::ScanWork;

/// E.164 allows at most 15 digits; 8 keeps short codes and counters such as `+1234` out.
const E164_MIN_DIGITS: usize = 8;
const E164_MAX_DIGITS: usize = 15;
const E164_MAX_GROUPS: usize = 7;

/// Brazilian area codes (DDD) assigned by Anatel.
const BRAZILIAN_AREA_CODES: [u8; 67] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43,
    44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77,
    79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// Brazilian national layouts, split by whether they open with a parenthesis. Without
/// parentheses around the area code the subscriber number must carry its dash, because
/// `11 3333 4444` or `11999998888` are as likely to be counters as phones. A bare number
/// without area code is taken only as a 9-digit mobile with its dash (`99999-9999`).
struct BrazilianShapes {
    parenthesised: Vec<Vec<u8>>,
    plain: Vec<Vec<u8>>,
}

static BRAZILIAN_SHAPES: LazyLock<BrazilianShapes> = LazyLock::new(|| {
    let all_subscribers = [
        "9####-####",
        "9 ####-####",
        "9#### ####",
        "9########",
        "L###-####",
        "L### ####",
        "L#######",
    ];
    let dashed_subscribers = ["9####-####", "9 ####-####", "L###-####"];
    let mut parenthesised = Vec::new();
    for area in ["(AA) ", "(AA)", "(0AA) ", "(0AA)"] {
        for subscriber in all_subscribers {
            parenthesised.push(format!("{area}{subscriber}").into_bytes());
        }
    }
    let mut plain: Vec<Vec<u8>> = dashed_subscribers
        .iter()
        .map(|subscriber| format!("AA {subscriber}").into_bytes())
        .collect();
    plain.push(b"9####-####".to_vec());
    BrazilianShapes {
        parenthesised,
        plain,
    }
});

/// Returns the end of a phone number that starts at `start`, if there is one.
pub(crate) fn phone_at(
    scope: &NumberScope<'_>,
    start: usize,
    work: &mut ScanWork,
) -> Option<usize> {
    if scope.text.as_bytes()[start] == b'+' {
        international_at(scope, start, work)
    } else {
        brazilian_at(scope, start, work)
    }
}

fn international_at(scope: &NumberScope<'_>, start: usize, work: &mut ScanWork) -> Option<usize> {
    let bytes = scope.text.as_bytes();
    if !bytes
        .get(start + 1)
        .is_some_and(|byte| (b'1'..=b'9').contains(byte))
    {
        return None;
    }

    // Ends of the digit groups read so far, with the digit count up to each.
    let mut group_ends: Vec<(usize, usize)> = Vec::new();
    let mut digit_count = 0;
    let mut position = start + 1;
    while group_ends.len() < E164_MAX_GROUPS {
        let in_parentheses = bytes.get(position) == Some(&b'(');
        let digits_start = if in_parentheses {
            position + 1
        } else {
            position
        };
        let digits_end = digit_run_end(bytes, digits_start, E164_MAX_DIGITS + 1);
        work.add_bytes(digits_end - position + 2);
        if digits_end == digits_start {
            break;
        }
        let group_end = if in_parentheses {
            if bytes.get(digits_end) != Some(&b')') {
                break;
            }
            digits_end + 1
        } else {
            digits_end
        };
        digit_count += digits_end - digits_start;
        if digit_count > E164_MAX_DIGITS {
            break;
        }
        group_ends.push((group_end, digit_count));
        position = group_end;

        match bytes.get(position) {
            Some(b' ' | b'-' | b'.')
                if bytes
                    .get(position + 1)
                    .is_some_and(|next| next.is_ascii_digit() || *next == b'(') =>
            {
                position += 1;
            }
            Some(b'(') => {}
            Some(next) if in_parentheses && next.is_ascii_digit() => {}
            _ => break,
        }
    }

    group_ends
        .iter()
        .rev()
        .find(|(end, count)| {
            (E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(count) && scope.may_end(*end)
        })
        .map(|(end, _)| *end)
}

fn brazilian_at(scope: &NumberScope<'_>, start: usize, work: &mut ScanWork) -> Option<usize> {
    let bytes = scope.text.as_bytes();
    let shapes = if bytes[start] == b'(' {
        &BRAZILIAN_SHAPES.parenthesised
    } else {
        &BRAZILIAN_SHAPES.plain
    };
    let mut longest = None;
    for shape in shapes {
        let Some(end) = match_shape(bytes, start, shape, work) else {
            continue;
        };
        if !scope.may_end(end) || !has_valid_area_code(bytes, start, shape) {
            continue;
        }
        if longest.is_none_or(|current| end > current) {
            longest = Some(end);
        }
    }
    longest
}

fn has_valid_area_code(bytes: &[u8], start: usize, shape: &[u8]) -> bool {
    let area = digits_at_role(bytes, start, shape, b'A');
    match area.as_slice() {
        [] => true,
        [tens, units] => BRAZILIAN_AREA_CODES.contains(&((tens - b'0') * 10 + (units - b'0'))),
        _ => false,
    }
}
