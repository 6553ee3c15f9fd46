//! Checksums and structural checks that turn a pattern-shaped candidate into a match.

mod card_issuer;
mod cpf_check;
pub(crate) mod jwt_header;
mod luhn;

pub(crate) use card_issuer::card_brand;
pub(crate) use cpf_check::is_valid_cpf;
pub(crate) use jwt_header::header_decodes_to_json_object;
pub(crate) use luhn::passes_luhn;

use serde::{Deserialize, Serialize};

/// A validator that a custom pattern can require of each match. In configuration it is
/// written in snake case (`luhn`, `credit_card`, `cpf`, `jwt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidatorName {
    /// The digits of the match, other characters ignored, pass the Luhn checksum.
    Luhn,
    /// The digits of the match are a payment card number: 13 to 19 digits, Luhn checksum
    /// and a known issuer prefix for that length.
    CreditCard,
    /// The digits of the match are a CPF: eleven digits with both check digits right and
    /// not all the same digit.
    Cpf,
    /// The match is a JSON Web Token whose header decodes to a JSON object.
    Jwt,
}

impl ValidatorName {
    /// Returns whether `candidate` passes this validator.
    pub(crate) fn accepts(self, candidate: &str) -> bool {
        match self {
            ValidatorName::Luhn => {
                let digits = ascii_digits(candidate);
                digits.len() >= 2 && passes_luhn(&digits)
            }
            ValidatorName::CreditCard => is_card_number(&ascii_digits(candidate)),
            ValidatorName::Cpf => is_valid_cpf(&ascii_digits(candidate)),
            ValidatorName::Jwt => jwt_header::is_jwt(candidate.as_bytes()),
        }
    }
}

/// Returns whether `digits` (ASCII digits only) is a payment card number.
pub(crate) fn is_card_number(digits: &[u8]) -> bool {
    (13..=19).contains(&digits.len()) && passes_luhn(digits) && card_brand(digits).is_some()
}

fn ascii_digits(text: &str) -> Vec<u8> {
    text.bytes().filter(u8::is_ascii_digit).collect()
}
