//! The two check digits of a CPF (Cadastro de Pessoas Físicas, Brazil's individual taxpayer
//! number), computed modulo 11 as the Receita Federal defines them.

/// Number of digits of a CPF, check digits included.
const CPF_DIGITS: usize = 11;

/// Returns whether `digits` (ASCII digits only) is a CPF with both check digits right.
///
/// The ten values made of one repeated digit (`000.000.000-00` to `999.999.999-99`) pass the
/// arithmetic but are never issued, and `00000000000` and `11111111111` are common filler
/// values in databases and logs. They are rejected, so they are not masked as CPFs.
pub(crate) fn is_valid_cpf(digits: &[u8]) -> bool {
    if digits.len() != CPF_DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if digits.iter().all(|&digit| digit == digits[0]) {
        return false;
    }

    let values: Vec<u32> = digits
        .iter()
        .map(|&digit| u32::from(digit - b'0'))
        .collect();
    check_digit(&values[..9]) == values[9] && check_digit(&values[..10]) == values[10]
}

/// Computes the next check digit of `body`: weights count down to 2 from `body.len() + 1`.
fn check_digit(body: &[u32]) -> u32 {
    let first_weight = body.len() as u32 + 1;
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(position, value)| value * (first_weight - position as u32))
        .sum();
    let remainder = sum % 11;
    if remainder < 2 {
        0
    } else {
        11 - remainder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_with_right_check_digits_is_valid() {
        assert!(is_valid_cpf(b"12345678909"));
        assert!(is_valid_cpf(b"52998224725"));
    }

    #[test]
    fn cpf_with_wrong_check_digit_is_invalid() {
        assert!(!is_valid_cpf(b"12345678900"));
        assert!(!is_valid_cpf(b"52998224726"));
    }

    #[test]
    fn all_same_digit_cpfs_are_invalid() {
        for digit in b'0'..=b'9' {
            assert!(
                !is_valid_cpf(&[digit; CPF_DIGITS]),
                "digit {}",
                digit as char
            );
        }
    }

    #[test]
    fn wrong_length_is_invalid() {
        assert!(!is_valid_cpf(b"1234567890"));
        assert!(!is_valid_cpf(b"123456789090"));
    }
}
