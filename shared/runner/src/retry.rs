//! `Retry` and `Catch`: which errors a Task or Parallel state retries, how long it waits, and
//! where it goes when it gives up.

use std::time::Duration;

use serde_json::Value;

use crate::error::AslError;
use crate::fields::{Fields, NullablePath};
use crate::state_error::{StateError, STATES_ALL};

/// Defaults that ASL specifies for a retrier.
const DEFAULT_INTERVAL_SECONDS: u64 = 1;
const DEFAULT_MAX_ATTEMPTS: u64 = 3;
const DEFAULT_BACKOFF_RATE: f64 = 2.0;
/// Longest wait the runner computes for one retry, one year, whatever the backoff.
const MAX_DELAY_SECONDS_CAP: f64 = 31_536_000.0;

/// Jitter strategy of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Jitter {
    None,
    /// A random delay between zero and the computed delay.
    Full,
}

/// One entry of `Retry`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Retrier {
    pub(crate) error_equals: Vec<String>,
    pub(crate) interval_seconds: u64,
    pub(crate) max_attempts: u64,
    pub(crate) backoff_rate: f64,
    pub(crate) max_delay_seconds: Option<u64>,
    pub(crate) jitter: Jitter,
}

impl Retrier {
    /// Computes the wait before retry number `attempt` (0 for the first retry):
    /// `IntervalSeconds * BackoffRate^attempt`, capped at `MaxDelaySeconds`.
    pub(crate) fn delay(&self, attempt: u64) -> Duration {
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let mut seconds = self.interval_seconds as f64 * self.backoff_rate.powi(exponent);
        if let Some(max) = self.max_delay_seconds {
            seconds = seconds.min(max as f64);
        }
        if self.jitter == Jitter::Full {
            seconds *= random_fraction();
        }
        // Caps at one year, and maps an overflowing backoff to that cap, so Duration cannot panic.
        if !seconds.is_finite() {
            seconds = MAX_DELAY_SECONDS_CAP;
        }
        Duration::from_secs_f64(seconds.clamp(0.0, MAX_DELAY_SECONDS_CAP))
    }
}

fn random_fraction() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u64;
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// One entry of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Catcher {
    pub(crate) error_equals: Vec<String>,
    pub(crate) next: String,
    /// Path of `{"Error", "Cause"}` in the state's input. The default `$` replaces the input.
    pub(crate) result_path: NullablePath,
}

/// Returns the first entry whose `ErrorEquals` matches `error`.
pub(crate) fn first_match<'a, T>(entries: &'a [T], error: &StateError, error_equals: impl Fn(&T) -> &[String]) -> Option<(usize, &'a T)> {
    entries
        .iter()
        .enumerate()
        .find(|(_, entry)| error_equals(entry).iter().any(|pattern| error.matches(pattern)))
}

pub(crate) fn parse_retriers(fields: &mut Fields<'_>) -> Result<Vec<Retrier>, AslError> {
    let Some(items) = fields.array("Retry")? else {
        return Ok(Vec::new());
    };
    let state = fields.state().to_owned();
    let mut retriers = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let mut entry = Fields::new(&state, &format!("Retry[{index}]"), item)?;
        let error_equals = parse_error_equals(&mut entry, index + 1 == items.len())?;
        let interval_seconds = entry.integer("IntervalSeconds", 1)?.unwrap_or(DEFAULT_INTERVAL_SECONDS);
        let max_attempts = entry.integer("MaxAttempts", 0)?.unwrap_or(DEFAULT_MAX_ATTEMPTS);
        let backoff_rate = entry.number("BackoffRate")?.unwrap_or(DEFAULT_BACKOFF_RATE);
        if backoff_rate < 1.0 {
            return Err(entry.invalid("BackoffRate", format!("must be at least 1.0, got {backoff_rate}")));
        }
        let max_delay_seconds = entry.integer("MaxDelaySeconds", 1)?;
        let jitter = match entry.string("JitterStrategy")? {
            None | Some("NONE") => Jitter::None,
            Some("FULL") => Jitter::Full,
            Some(other) => return Err(entry.invalid("JitterStrategy", format!("must be FULL or NONE, got `{other}`"))),
        };
        entry.string("Comment")?;
        entry.finish(&[])?;
        retriers.push(Retrier {
            error_equals,
            interval_seconds,
            max_attempts,
            backoff_rate,
            max_delay_seconds,
            jitter,
        });
    }
    Ok(retriers)
}

pub(crate) fn parse_catchers(fields: &mut Fields<'_>) -> Result<Vec<Catcher>, AslError> {
    let Some(items) = fields.array("Catch")? else {
        return Ok(Vec::new());
    };
    let state = fields.state().to_owned();
    let mut catchers = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let mut entry = Fields::new(&state, &format!("Catch[{index}]"), item)?;
        let error_equals = parse_error_equals(&mut entry, index + 1 == items.len())?;
        let next = entry.required_string("Next")?.to_owned();
        let result_path = entry.nullable_path("ResultPath")?.unwrap_or_else(whole_input);
        entry.string("Comment")?;
        entry.finish(&["Assign", "Output"])?;
        catchers.push(Catcher {
            error_equals,
            next,
            result_path,
        });
    }
    Ok(catchers)
}

fn whole_input() -> NullablePath {
    match crate::jsonpath::JsonPath::parse("$") {
        Ok(path) => NullablePath::Path(path),
        Err(_) => NullablePath::Null,
    }
}

fn parse_error_equals(entry: &mut Fields<'_>, is_last: bool) -> Result<Vec<String>, AslError> {
    let items = entry.array("ErrorEquals")?.ok_or_else(|| entry.missing("ErrorEquals"))?;
    if items.is_empty() {
        return Err(entry.invalid("ErrorEquals", "must name at least one error"));
    }
    let names = items
        .iter()
        .map(|item| match item {
            Value::String(name) => Ok(name.clone()),
            other => Err(entry.invalid("ErrorEquals", format!("expected error names as strings, got {other}"))),
        })
        .collect::<Result<Vec<_>, _>>()?;

    // ASL requires States.ALL to stand alone and in the last entry, because later entries
    // could never match.
    if names.iter().any(|name| name == STATES_ALL) && (names.len() > 1 || !is_last) {
        return Err(entry.invalid("ErrorEquals", "`States.ALL` must be the only error name and must be in the last entry"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(interval: u64, rate: f64, max_delay: Option<u64>) -> Retrier {
        Retrier {
            error_equals: vec![STATES_ALL.into()],
            interval_seconds: interval,
            max_attempts: 5,
            backoff_rate: rate,
            max_delay_seconds: max_delay,
            jitter: Jitter::None,
        }
    }

    #[test]
    fn delay_grows_by_backoff_rate() {
        let retrier = retrier(2, 3.0, None);

        assert_eq!(retrier.delay(0), Duration::from_secs(2));
        assert_eq!(retrier.delay(1), Duration::from_secs(6));
        assert_eq!(retrier.delay(2), Duration::from_secs(18));
    }

    #[test]
    fn delay_is_capped_by_max_delay() {
        let retrier = retrier(2, 3.0, Some(10));

        assert_eq!(retrier.delay(2), Duration::from_secs(10));
    }
}
