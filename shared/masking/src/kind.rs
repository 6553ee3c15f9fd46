//! The built-in kinds of personal data and their labels.

use serde::{Deserialize, Serialize};

/// A built-in kind of personal data. In configuration it is written as its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BuiltinKind {
    /// Email address.
    #[serde(rename = "EMAIL")]
    Email,
    /// Payment card number.
    #[serde(rename = "CREDIT_CARD")]
    CreditCard,
    /// Phone number.
    #[serde(rename = "PHONE")]
    Phone,
    /// Brazilian individual taxpayer number.
    #[serde(rename = "CPF")]
    Cpf,
    /// Bearer token or JSON Web Token.
    #[serde(rename = "TOKEN")]
    Token,
}

impl BuiltinKind {
    /// All built-in kinds, in the order their detectors run.
    pub const ALL: [BuiltinKind; 5] = [
        BuiltinKind::Email,
        BuiltinKind::CreditCard,
        BuiltinKind::Phone,
        BuiltinKind::Cpf,
        BuiltinKind::Token,
    ];

    /// Label used as the key in [`crate::MaskCounts`].
    pub fn label(self) -> &'static str {
        match self {
            BuiltinKind::Email => "EMAIL",
            BuiltinKind::CreditCard => "CREDIT_CARD",
            BuiltinKind::Phone => "PHONE",
            BuiltinKind::Cpf => "CPF",
            BuiltinKind::Token => "TOKEN",
        }
    }

    /// Text that replaces a match, the label in square brackets.
    pub fn replacement(self) -> &'static str {
        match self {
            BuiltinKind::Email => "[EMAIL]",
            BuiltinKind::CreditCard => "[CREDIT_CARD]",
            BuiltinKind::Phone => "[PHONE]",
            BuiltinKind::Cpf => "[CPF]",
            BuiltinKind::Token => "[TOKEN]",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            BuiltinKind::Email => 0,
            BuiltinKind::CreditCard => 1,
            BuiltinKind::Phone => 2,
            BuiltinKind::Cpf => 3,
            BuiltinKind::Token => 4,
        }
    }
}
