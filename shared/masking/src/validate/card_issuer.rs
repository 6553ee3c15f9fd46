//! Issuer identification ranges (the leading digits of a card number) and the card lengths
//! each brand issues, Brazilian brands Elo and Hipercard included.
//!
//! A number whose prefix is in no range is not treated as a card, which is what keeps
//! millisecond timestamps (leading `1`) out.
//!
//! NOTE: the ranges follow widely used public BIN lists and were not checked against the
//! networks' current tables. Elo and Hipercard in particular add ranges over time.

/// A card brand recognised by its issuer prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardBrand {
    Visa,
    Mastercard,
    AmericanExpress,
    Discover,
    DinersClub,
    Jcb,
    UnionPay,
    Maestro,
    Mir,
    Elo,
    Hipercard,
}

/// One issuer range: prefixes `low..=high`, each `digits` long, valid for the listed lengths.
struct IssuerRange {
    low: u32,
    high: u32,
    digits: usize,
    lengths: &'static [usize],
    brand: CardBrand,
}

const fn range(
    low: u32,
    high: u32,
    digits: usize,
    lengths: &'static [usize],
    brand: CardBrand,
) -> IssuerRange {
    IssuerRange {
        low,
        high,
        digits,
        lengths,
        brand,
    }
}

const LEN_16: &[usize] = &[16];
const LEN_16_TO_19: &[usize] = &[16, 17, 18, 19];
const LEN_14_TO_19: &[usize] = &[14, 15, 16, 17, 18, 19];
const LEN_13_TO_19: &[usize] = &[13, 14, 15, 16, 17, 18, 19];
const LEN_VISA: &[usize] = &[13, 16, 19];
const LEN_HIPERCARD: &[usize] = &[13, 16, 19];

use CardBrand::*;

/// Elo and Hipercard come first because several of their ranges lie inside Visa, Discover
/// and Maestro ranges. The first match names the brand, and any match makes a card.
const ISSUER_RANGES: &[IssuerRange] = &[
    range(401178, 401179, 6, LEN_16, Elo),
    range(431274, 431274, 6, LEN_16, Elo),
    range(438935, 438935, 6, LEN_16, Elo),
    range(451416, 451416, 6, LEN_16, Elo),
    range(457393, 457393, 6, LEN_16, Elo),
    range(457631, 457632, 6, LEN_16, Elo),
    range(504175, 504175, 6, LEN_16, Elo),
    range(506699, 506778, 6, LEN_16, Elo),
    range(509000, 509999, 6, LEN_16, Elo),
    range(627780, 627780, 6, LEN_16, Elo),
    range(636297, 636297, 6, LEN_16, Elo),
    range(636368, 636368, 6, LEN_16, Elo),
    range(650031, 650033, 6, LEN_16, Elo),
    range(650035, 650051, 6, LEN_16, Elo),
    range(650405, 650439, 6, LEN_16, Elo),
    range(650485, 650538, 6, LEN_16, Elo),
    range(650541, 650598, 6, LEN_16, Elo),
    range(650700, 650718, 6, LEN_16, Elo),
    range(650720, 650727, 6, LEN_16, Elo),
    range(650901, 650978, 6, LEN_16, Elo),
    range(651652, 651679, 6, LEN_16, Elo),
    range(655000, 655019, 6, LEN_16, Elo),
    range(655021, 655058, 6, LEN_16, Elo),
    range(606282, 606282, 6, LEN_HIPERCARD, Hipercard),
    range(384100, 384100, 6, LEN_HIPERCARD, Hipercard),
    range(384140, 384140, 6, LEN_HIPERCARD, Hipercard),
    range(384160, 384160, 6, LEN_HIPERCARD, Hipercard),
    range(637095, 637095, 6, LEN_HIPERCARD, Hipercard),
    range(637568, 637568, 6, LEN_HIPERCARD, Hipercard),
    range(637599, 637599, 6, LEN_HIPERCARD, Hipercard),
    range(637609, 637609, 6, LEN_HIPERCARD, Hipercard),
    range(637612, 637612, 6, LEN_HIPERCARD, Hipercard),
    range(4, 4, 1, LEN_VISA, Visa),
    range(51, 55, 2, LEN_16, Mastercard),
    range(2221, 2720, 4, LEN_16, Mastercard),
    range(34, 34, 2, &[15], AmericanExpress),
    range(37, 37, 2, &[15], AmericanExpress),
    range(6011, 6011, 4, LEN_16_TO_19, Discover),
    range(644, 649, 3, LEN_16_TO_19, Discover),
    range(65, 65, 2, LEN_16_TO_19, Discover),
    range(300, 305, 3, LEN_14_TO_19, DinersClub),
    range(3095, 3095, 4, LEN_14_TO_19, DinersClub),
    range(36, 36, 2, LEN_14_TO_19, DinersClub),
    range(38, 39, 2, LEN_14_TO_19, DinersClub),
    range(3528, 3589, 4, LEN_16_TO_19, Jcb),
    range(62, 62, 2, LEN_16_TO_19, UnionPay),
    range(5018, 5018, 4, LEN_13_TO_19, Maestro),
    range(5020, 5020, 4, LEN_13_TO_19, Maestro),
    range(5038, 5038, 4, LEN_13_TO_19, Maestro),
    range(5893, 5893, 4, LEN_13_TO_19, Maestro),
    range(6304, 6304, 4, LEN_13_TO_19, Maestro),
    range(6759, 6759, 4, LEN_13_TO_19, Maestro),
    range(6761, 6763, 4, LEN_13_TO_19, Maestro),
    range(2200, 2204, 4, LEN_16_TO_19, Mir),
];

/// Returns the brand whose issuer range and length fit `digits` (ASCII digits only).
pub(crate) fn card_brand(digits: &[u8]) -> Option<CardBrand> {
    ISSUER_RANGES
        .iter()
        .find(|range| {
            range.lengths.contains(&digits.len())
                && leading_value(digits, range.digits)
                    .is_some_and(|prefix| (range.low..=range.high).contains(&prefix))
        })
        .map(|range| range.brand)
}

fn leading_value(digits: &[u8], count: usize) -> Option<u32> {
    let leading = digits.get(..count)?;
    Some(
        leading
            .iter()
            .fold(0, |value, &digit| value * 10 + u32::from(digit - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands_are_recognised_by_prefix_and_length() {
        let cases: &[(&[u8], CardBrand)] = &[
            (b"4111111111111111", Visa),
            (b"5555555555554444", Mastercard),
            (b"2223003122003222", Mastercard),
            (b"378282246310005", AmericanExpress),
            (b"6011111111111117", Discover),
            (b"30569309025904", DinersClub),
            (b"3530111333300000", Jcb),
            (b"6200000000000005", UnionPay),
            (b"6362970000457013", Elo),
            (b"5067000000000000", Elo),
            (b"6062825624254001", Hipercard),
            (b"2200000000000004", Mir),
        ];
        for (digits, brand) in cases {
            assert_eq!(
                card_brand(digits),
                Some(*brand),
                "{}",
                String::from_utf8_lossy(digits)
            );
        }
    }

    #[test]
    fn unknown_prefix_is_no_brand() {
        assert_eq!(card_brand(b"1733342477128"), None);
        assert_eq!(card_brand(b"9999999999999995"), None);
    }

    #[test]
    fn wrong_length_for_brand_is_no_brand() {
        assert_eq!(card_brand(b"37828224631000"), None);
        assert_eq!(card_brand(b"55555555555544"), None);
    }
}
