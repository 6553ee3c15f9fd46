//! CPF numbers: eleven digits, plain or as `###.###.###-##` (or `#########-##`), with both
//! check digits right.

use super::boundary::NumberScope;
use super::shape::match_shape;
use crate::validate::is_valid_cpf;
use crate::work::ScanWork;

const CPF_SHAPES: [&[u8]; 3] = [b"###.###.###-##", b"#########-##", b"###########"];

/// Returns the end of a CPF that starts at `start`, if there is one.
pub(crate) fn cpf_at(scope: &NumberScope<'_>, start: usize, work: &mut ScanWork) -> Option<usize> {
    let bytes = scope.text.as_bytes();
    for shape in CPF_SHAPES {
        let Some(end) = match_shape(bytes, start, shape, work) else {
            continue;
        };
        if !scope.may_end(end) {
            continue;
        }
        let digits: Vec<u8> = bytes[start..end]
            .iter()
            .copied()
            .filter(u8::is_ascii_digit)
            .collect();
        work.add_validator_call();
        if is_valid_cpf(&digits) {
            return Some(end);
        }
    }
    None
}
