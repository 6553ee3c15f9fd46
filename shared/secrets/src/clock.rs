//! Time as the store and cache see it, injectable so tests control it without sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// A source of monotonic time, for cache ages, and of wall-clock time, for timestamps.
pub trait Clock: Send + Sync {
    /// Time elapsed since an origin fixed when the clock was made. Never goes backwards.
    fn elapsed(&self) -> Duration;

    /// Returns the current wall-clock time, used only for the timestamps stored with a secret.
    fn now_utc(&self) -> DateTime<Utc>;
}

/// The process clock: [`Instant`] for ages and the system time for timestamps.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// Starts a clock whose origin is now.
    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }

    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when advanced, for tests.
#[derive(Debug)]
pub struct ManualClock {
    start_utc: DateTime<Utc>,
    elapsed: Mutex<Duration>,
}

impl ManualClock {
    /// Starts a clock at `start_utc` with zero elapsed time.
    pub fn new(start_utc: DateTime<Utc>) -> Self {
        Self { start_utc, elapsed: Mutex::new(Duration::ZERO) }
    }

    /// Moves both the monotonic and the wall-clock time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut elapsed = self.elapsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *elapsed += by;
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_utc(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.elapsed()).unwrap_or(chrono::Duration::MAX);
        self.start_utc + elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_on_advance() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let clock = ManualClock::new(start);
        assert_eq!(clock.elapsed(), Duration::ZERO);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.elapsed(), Duration::from_secs(90));
        assert_eq!(clock.now_utc().to_rfc3339(), "2026-01-01T00:01:30+00:00");
    }
}
