//! Token boundaries shared by the number, email and token scanners.
//!
//! A replacement already in the text (`[EMAIL]`, or a custom pattern's replacement) counts
//! as a word on both sides. Masking twice then gives the same text as masking once: a value
//! rejected in the first pass because it touched a word that was then masked is rejected
//! again in the second pass, where it touches the replacement.

/// Returns whether `ch` continues a word, so that a match may not start or end next to it.
pub(crate) fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Returns the character that ends just before byte offset `offset` of `text`.
pub(crate) fn char_before(text: &str, offset: usize) -> Option<char> {
    text.get(..offset)?.chars().next_back()
}

/// Returns the character that starts at byte offset `offset` of `text`.
pub(crate) fn char_at(text: &str, offset: usize) -> Option<char> {
    text.get(offset..)?.chars().next()
}

/// Returns whether a replacement ends at byte offset `offset` of `text`.
pub(crate) fn follows_replacement(text: &str, offset: usize, replacements: &[String]) -> bool {
    let before = &text.as_bytes()[..offset];
    let last = before.last();
    replacements.iter().any(|replacement| {
        let replacement = replacement.as_bytes();
        replacement.last() == last && before.ends_with(replacement)
    })
}

/// Returns whether a replacement starts at byte offset `offset` of `text`.
pub(crate) fn precedes_replacement(text: &str, offset: usize, replacements: &[String]) -> bool {
    let after = &text.as_bytes()[offset..];
    let first = after.first();
    replacements.iter().any(|replacement| {
        let replacement = replacement.as_bytes();
        replacement.first() == first && after.starts_with(replacement)
    })
}

/// Returns whether the letter before `offset` belongs to a JSON or C string escape such as
/// `\n`, so that text inside a JSON-encoded log line still starts a token after it.
pub(crate) fn follows_escape(bytes: &[u8], offset: usize) -> bool {
    offset >= 2 && matches!(bytes[offset - 1], b'n' | b't' | b'r') && bytes[offset - 2] == b'\\'
}

/// Returns whether a word (a scheme name, an email local part) may start at `start`.
pub(crate) fn word_may_start(text: &str, start: usize, replacements: &[String]) -> bool {
    match char_before(text, start) {
        Some(previous) if is_word_char(previous) => follows_escape(text.as_bytes(), start),
        Some(_) => !follows_replacement(text, start, replacements),
        None => true,
    }
}

/// Punctuation that joins two numbers into one value (`1.5`, `2024-01`, `10/12`, `12:30`).
fn is_number_joiner(byte: u8) -> bool {
    matches!(byte, b'.' | b'-' | b'/' | b':')
}

/// Returns whether `joiner` preceded by `previous` makes the digits after it part of a
/// longer value. A dot or dash after any letter or digit does (`v1.`, UUID groups such as
/// `a716-`); a colon or slash only after a digit (`12:30`, `10/12`), so `cpf:` still starts
/// a value.
fn joins_previous(joiner: u8, previous: u8) -> bool {
    match joiner {
        b'.' | b'-' => previous.is_ascii_alphanumeric(),
        _ => previous.is_ascii_digit(),
    }
}

/// A stretch of text between two values already selected for masking, in which the number
/// scanner looks for card numbers, CPFs and phones.
///
/// The selected values at either end behave as their replacements will: as words, so a
/// number may not touch them, and as non-digits for the look-around of joiners.
pub(crate) struct NumberScope<'a> {
    /// The stretch itself; offsets are relative to it and nothing outside it is read.
    pub(crate) text: &'a str,
    /// A selected value ends right before the stretch.
    pub(crate) masked_before: bool,
    /// A selected value starts right after the stretch.
    pub(crate) masked_after: bool,
    pub(crate) replacements: &'a [String],
}

impl NumberScope<'_> {
    /// Returns whether a number-shaped match may start at `start`: not inside a word and not
    /// continuing a number such as the fraction of `0.4111...` or the last group of a UUID.
    /// `previous_match_end` is where the last number found in this scope ends, which is
    /// treated like the replacement it becomes.
    pub(crate) fn may_start(&self, start: usize, previous_match_end: Option<usize>) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        if previous_match_end == Some(start) {
            return false;
        }
        let Some(previous) = char_before(text, start) else {
            return !self.masked_before;
        };
        if is_word_char(previous) {
            return follows_escape(bytes, start);
        }
        if follows_replacement(text, start, self.replacements) {
            return false;
        }
        if previous.is_ascii() && is_number_joiner(previous as u8) && start >= 2 {
            let before_joiner_masked = previous_match_end == Some(start - 1);
            return before_joiner_masked || !joins_previous(previous as u8, bytes[start - 2]);
        }
        true
    }

    /// Returns whether a number-shaped match may end at `end`: not followed by a word
    /// character or by punctuation that continues the number (`...1111.5`, `...-1`, `...:8080`).
    pub(crate) fn may_end(&self, end: usize) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        let Some(next) = char_at(text, end) else {
            return !self.masked_after;
        };
        if is_word_char(next) || precedes_replacement(text, end, self.replacements) {
            return false;
        }
        if next.is_ascii() && is_number_joiner(next as u8) {
            return !bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
        }
        true
    }
}

/// Returns the end of the run of ASCII digits starting at `start`, reading at most `limit`
/// digits so that a long run costs a bounded amount of work per call.
pub(crate) fn digit_run_end(bytes: &[u8], start: usize, limit: usize) -> usize {
    let stop = bytes.len().min(start + limit);
    let mut end = start;
    while end < stop && bytes[end].is_ascii_digit() {
        end += 1;
    }
    end
}
