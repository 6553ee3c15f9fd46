//! PII masking engine shared by the agents (before evidence is stored or shown) and by the
//! Relay (before query results leave the customer's network).
//!
//! Five built-in kinds are detected and validated: email addresses, payment card numbers
//! (Luhn checksum and a known issuer prefix and length), phone numbers (E.164 and Brazilian
//! national forms), CPF numbers (both check digits) and bearer tokens (the `Bearer` scheme
//! and JSON Web Tokens). Tenants add their own patterns and turn built-in kinds off through
//! [`MaskingConfig`].
//!
//! Every built-in detector is a hand-written scanner whose work per input byte is bounded by
//! a constant, so masking is linear in the input. [`Masker::mask_text_with_work`] returns the
//! work counters that the tests use to check this.
//!
//! ```
//! use causeflow_masking::Masker;
//!
//! let masked = Masker::builtin().mask_text("mail ana@example.com, card 4111 1111 1111 1111");
//! assert_eq!(masked.value, "mail [EMAIL], card [CREDIT_CARD]");
//! assert_eq!(masked.counts["EMAIL"], 1);
//! ```

mod apply;
mod config;
mod detect;
mod json;
mod kind;
mod masker;
mod normalize;
mod stream;
mod validate;
mod work;

use std::collections::BTreeMap;

pub use config::{ConfigError, CustomPatternConfig, MaskingConfig};
pub use kind::BuiltinKind;
pub use masker::Masker;
pub use stream::{mask_stream, MaskStreamError, StreamMode, MAX_LINE_BYTES};
pub use validate::ValidatorName;
pub use work::ScanWork;

/// Counts of masked values per kind, keyed by label (`EMAIL`, `CREDIT_CARD`, `PHONE`, `CPF`,
/// `TOKEN` or a custom pattern's label). Kinds with no match are absent.
pub type MaskCounts = BTreeMap<String, u64>;

/// Text or a JSON value after masking, with how many values of each kind were replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Masked<T> {
    /// The masked text or value.
    pub value: T,
    /// Number of replacements per label.
    pub counts: MaskCounts,
}
