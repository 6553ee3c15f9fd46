//! Detectors of the built-in kinds. Each one scans normalized text and reports spans; the
//! caller resolves overlaps and writes replacements.

mod boundary;
mod card;
mod cpf;
mod email;
mod numbers;
mod phone;
mod shape;
mod token;

pub(crate) use email::find_emails;
pub(crate) use numbers::find_numbers;
pub(crate) use token::{find_bearer_tokens, find_jwts};

use crate::kind::BuiltinKind;

/// The rule that produced a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Builtin(BuiltinKind),
    /// Index into the masker's custom patterns.
    Custom(usize),
}

impl Rule {
    /// Order among spans with the same start and end: built-in kinds first, in their
    /// declared order, then custom patterns in configuration order.
    pub(crate) fn priority(self) -> usize {
        match self {
            Rule::Builtin(kind) => kind.index(),
            Rule::Custom(index) => BuiltinKind::ALL.len() + index,
        }
    }
}

/// A detected value: byte offsets `start..end` of the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) rule: Rule,
}

/// Which number-shaped kinds the number scanner looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberKinds {
    pub(crate) card: bool,
    pub(crate) cpf: bool,
    pub(crate) phone: bool,
}
