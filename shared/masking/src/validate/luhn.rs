//! The Luhn checksum (ISO/IEC 7812-1, annex B) that every payment card number carries.

/// Returns whether `digits` (ASCII digits, check digit last) passes the Luhn checksum.
pub(crate) fn passes_luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (position, &digit) in digits.iter().rev().enumerate() {
        let mut value = u32::from(digit - b'0');
        if position % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        sum += value;
    }
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_numbers() {
        assert!(passes_luhn(b"4111111111111111"));
        assert!(passes_luhn(b"79927398713"));
    }

    #[test]
    fn luhn_rejects_changed_digit() {
        assert!(!passes_luhn(b"4111111111111112"));
        assert!(!passes_luhn(b"79927398710"));
    }
}
