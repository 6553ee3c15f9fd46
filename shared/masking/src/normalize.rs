//! Folding of look-alike characters so that full-width digits, letters and `@` cannot hide
//! a match.

use crate::work::ScanWork;

/// First byte of every UTF-8 encoding this module folds: U+FF01..U+FF5E (full-width ASCII)
/// and U+FE6B (small commercial at) start with 0xEF, U+3000 (ideographic space) with 0xE3.
const FOLDABLE_LEAD_BYTES: (u8, u8) = (0xEF, 0xE3);

/// Text in which look-alike characters were replaced by their ASCII form, with a map back
/// to byte offsets of the original text.
pub(crate) struct Normalized<'a> {
    pub(crate) text: std::borrow::Cow<'a, str>,
    /// `original_offset[i]` is the original byte offset of normalized byte offset `i`, for
    /// every `i` in `0..=text.len()`. Empty when nothing was folded.
    original_offset: Vec<usize>,
}

impl Normalized<'_> {
    /// Maps a byte offset of the normalized text that is a character boundary to the
    /// matching character boundary of the original text.
    pub(crate) fn original(&self, offset: usize) -> usize {
        if self.original_offset.is_empty() {
            offset
        } else {
            self.original_offset[offset]
        }
    }
}

/// Folds look-alike characters of `text`. Text with none of them is borrowed unchanged.
pub(crate) fn normalize<'a>(text: &'a str, work: &mut ScanWork) -> Normalized<'a> {
    work.add_bytes(text.len());
    let (first, second) = FOLDABLE_LEAD_BYTES;
    if memchr::memchr2(first, second, text.as_bytes()).is_none() {
        return Normalized {
            text: std::borrow::Cow::Borrowed(text),
            original_offset: Vec::new(),
        };
    }

    work.add_bytes(text.len());
    let mut folded = String::with_capacity(text.len());
    let mut original_offset = Vec::with_capacity(text.len() + 1);
    for (offset, ch) in text.char_indices() {
        match fold(ch) {
            Some(ascii) => {
                folded.push(ascii);
                original_offset.push(offset);
            }
            None => {
                folded.push(ch);
                original_offset.extend(std::iter::repeat_n(offset, ch.len_utf8()));
            }
        }
    }
    original_offset.push(text.len());
    Normalized {
        text: std::borrow::Cow::Owned(folded),
        original_offset,
    }
}

/// Returns the ASCII character that `ch` imitates, if it is one of the folded look-alikes.
fn fold(ch: char) -> Option<char> {
    let code = ch as u32;
    match code {
        // The full-width forms block mirrors printable ASCII at a fixed distance.
        0xFF01..=0xFF5E => char::from_u32(code - 0xFF01 + 0x21),
        0xFE6B => Some('@'),
        0x3000 => Some(' '),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_at_fold_to_ascii() {
        let mut work = ScanWork::default();
        let normalized = normalize("ａｎａ＠ｘ.com ４１１１", &mut work);
        assert_eq!(normalized.text, "ana@x.com 4111");
    }

    #[test]
    fn offsets_map_back_to_original_boundaries() {
        let mut work = ScanWork::default();
        let original = "a＠b";
        let normalized = normalize(original, &mut work);
        assert_eq!(normalized.text, "a@b");
        assert_eq!(normalized.original(1), 1);
        assert_eq!(normalized.original(2), 4);
        assert_eq!(normalized.original(3), original.len());
    }

    #[test]
    fn plain_text_is_borrowed() {
        let mut work = ScanWork::default();
        let normalized = normalize("plain ascii", &mut work);
        assert!(matches!(normalized.text, std::borrow::Cow::Borrowed(_)));
    }
}
