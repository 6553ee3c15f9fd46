//! Overlap resolution and replacement: turns detected spans into the masked text.

use crate::detect::{Rule, Span};
use crate::normalize::Normalized;
use crate::work::ScanWork;
use crate::MaskCounts;

/// Returns the spans to mask, sorted and disjoint. Where spans overlap, the one that starts
/// first wins, then the longer one, then the rule with the lower priority number.
pub(crate) fn select_disjoint(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable_by_key(|span| {
        (
            span.start,
            std::cmp::Reverse(span.end),
            span.rule.priority(),
        )
    });
    let mut selected: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if selected.last().is_none_or(|last| span.start >= last.end) {
            selected.push(span);
        }
    }
    selected
}

/// Writes `original` with each span replaced and adds one count per replacement. Spans are
/// offsets of `normalized`, sorted and disjoint.
pub(crate) fn apply_spans<'r>(
    original: &str,
    normalized: &Normalized<'_>,
    spans: &[Span],
    replacement_of: impl Fn(Rule) -> (&'r str, &'r str),
    counts: &mut MaskCounts,
    work: &mut ScanWork,
) -> String {
    if spans.is_empty() {
        return original.to_string();
    }
    work.add_bytes(original.len());

    let mut masked = String::with_capacity(original.len());
    let mut copied_up_to = 0;
    for span in spans {
        let start = normalized.original(span.start);
        let end = normalized.original(span.end);
        let (label, replacement) = replacement_of(span.rule);
        masked.push_str(&original[copied_up_to..start]);
        masked.push_str(replacement);
        copied_up_to = end;
        *counts.entry(label.to_string()).or_insert(0) += 1;
    }
    masked.push_str(&original[copied_up_to..]);
    masked
}
