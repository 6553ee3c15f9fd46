//! Work counters that make the linear-time guarantee testable without timing anything.

/// Work done by one call to [`crate::Masker::mask_text_with_work`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanWork {
    /// Bytes read by all scanners together, a byte read by two scanners counted twice.
    pub bytes_examined: u64,
    /// Calls to a validator (Luhn and issuer, CPF check digits, JWT header, custom validator).
    pub validator_calls: u64,
}

impl ScanWork {
    pub(crate) fn add_bytes(&mut self, count: usize) {
        self.bytes_examined += count as u64;
    }

    pub(crate) fn add_validator_call(&mut self) {
        self.validator_calls += 1;
    }
}
