//! Fixed-layout matching for numbers written in a known format, such as `###.###.###-##`.

use crate::work::ScanWork;

/// Matches `shape` at `start` of `bytes` and returns the end offset. In a shape, `#` is any
/// ASCII digit, `A` an area-code digit (any digit, checked by the caller), `L` a landline
/// first digit (2 to 5), and every other byte matches itself. Bytes compared are counted.
pub(crate) fn match_shape(
    bytes: &[u8],
    start: usize,
    shape: &[u8],
    work: &mut ScanWork,
) -> Option<usize> {
    let window = bytes.get(start..start + shape.len())?;
    let mut compared = 0;
    let matches = window.iter().zip(shape).all(|(&byte, &expected)| {
        compared += 1;
        match expected {
            b'#' | b'A' => byte.is_ascii_digit(),
            b'L' => (b'2'..=b'5').contains(&byte),
            literal => byte == literal,
        }
    });
    work.add_bytes(compared);
    matches.then_some(start + shape.len())
}

/// Collects the digits of `bytes[start..end]` at the positions where `shape` has `role`.
pub(crate) fn digits_at_role(bytes: &[u8], start: usize, shape: &[u8], role: u8) -> Vec<u8> {
    shape
        .iter()
        .enumerate()
        .filter(|(_, &expected)| expected == role)
        .map(|(index, _)| bytes[start + index])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(bytes: &[u8], start: usize, shape: &[u8]) -> Option<usize> {
        match_shape(bytes, start, shape, &mut ScanWork::default())
    }

    #[test]
    fn shape_matches_formatted_cpf() {
        assert_eq!(matched(b"x 123.456.789-09", 2, b"###.###.###-##"), Some(16));
    }

    #[test]
    fn shape_rejects_wrong_punctuation() {
        assert_eq!(matched(b"123-456-789-09", 0, b"###.###.###-##"), None);
    }

    #[test]
    fn shape_rejects_short_input() {
        assert_eq!(matched(b"123.456", 0, b"###.###.###-##"), None);
    }
}
