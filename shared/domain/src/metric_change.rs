//! Finds when a metric left its baseline around an alarm, and in which direction.

use chrono::{DateTime, Duration, Utc};

use crate::evidence::ChangeDirection;
use crate::templating::BASELINE_GRACE_MINUTES;

/// Consecutive datapoints that must leave the baseline band, on the same side, before the
/// metric counts as changed. One point out of band is a blip, not a change.
pub const SUSTAINED_POINTS: usize = 2;

/// Half-width of the baseline band in robust standard deviations of the baseline, estimated
/// as 1.4826 times the median absolute deviation (the factor makes it match the standard
/// deviation for normally distributed data).
pub const BAND_SIGMAS: f64 = 3.0;

/// Smallest half-width of the band as a fraction of the baseline median, so that a very
/// steady metric does not count small wobbles as changes.
pub const BAND_MIN_FRACTION: f64 = 0.2;

/// Smallest half-width of the band in the metric's own unit, for metrics whose baseline is
/// exactly zero (an error count): any sustained non-zero value is then a change.
const BAND_MIN_ABSOLUTE: f64 = 1e-9;

/// Scales a median absolute deviation to a standard deviation under a normal distribution.
const MAD_TO_SIGMA: f64 = 1.4826;

/// Compares the datapoints from `onset - BASELINE_GRACE_MINUTES` on with the ones before.
///
/// The band is `median ± max(BAND_SIGMAS · 1.4826 · MAD, BAND_MIN_FRACTION · |median|)` over
/// the baseline datapoints. Median and MAD are used rather than mean and standard deviation
/// so that a change that began inside the baseline window (a leak, a ramp of traffic) does
/// not widen the band and hide itself.
///
/// Returns `(baseline, peak, direction, changed_at)`:
/// - `baseline` is the mean of the baseline datapoints that lie inside the band;
/// - `direction` is `Up` or `Down` when [`SUSTAINED_POINTS`] consecutive later datapoints
///   lie outside the band on the same side, the first such run deciding, and `Unchanged`
///   otherwise;
/// - `peak` is the maximum of the later datapoints for `Up`, their minimum for `Down`, and
///   the later value furthest from the baseline for `Unchanged`;
/// - `changed_at` is the first datapoint of that run, extended back over baseline
///   datapoints that lie outside the band on the same side, so a change that started
///   before the baseline ended is dated from its real start.
///
/// Datapoints need not be sorted, and NaN or infinite values are ignored. Without baseline
/// datapoints nothing can be compared, so the result is `Unchanged` with the mean of all
/// datapoints as baseline and peak (zero when there are none).
pub fn detect_change(
    points: &[(DateTime<Utc>, f64)],
    onset: DateTime<Utc>,
) -> (f64, f64, ChangeDirection, Option<DateTime<Utc>>) {
    let baseline_end = onset - Duration::minutes(BASELINE_GRACE_MINUTES);
    let mut sorted: Vec<(DateTime<Utc>, f64)> =
        points.iter().copied().filter(|(_, value)| value.is_finite()).collect();
    sorted.sort_by_key(|(time, _)| *time);

    let split = sorted.partition_point(|(time, _)| *time < baseline_end);
    let (before, after) = sorted.split_at(split);
    if before.is_empty() {
        let mean = mean(after.iter().map(|(_, value)| *value)).unwrap_or(0.0);
        return (mean, mean, ChangeDirection::Unchanged, None);
    }

    let before_values: Vec<f64> = before.iter().map(|(_, value)| *value).collect();
    let centre = median(&before_values);
    let deviations: Vec<f64> = before_values.iter().map(|value| (value - centre).abs()).collect();
    let band = (BAND_SIGMAS * MAD_TO_SIGMA * median(&deviations))
        .max(BAND_MIN_FRACTION * centre.abs())
        .max(BAND_MIN_ABSOLUTE);
    let side_of = |value: f64| {
        if value > centre + band {
            ChangeDirection::Up
        } else if value < centre - band {
            ChangeDirection::Down
        } else {
            ChangeDirection::Unchanged
        }
    };
    let baseline = mean(before_values.iter().copied().filter(|value| side_of(*value) == ChangeDirection::Unchanged))
        .unwrap_or(centre);

    let mut run_start: Option<(usize, ChangeDirection)> = None;
    let mut run_length = 0;
    let mut change: Option<(usize, ChangeDirection)> = None;
    for (index, (_, value)) in after.iter().enumerate() {
        let side = side_of(*value);
        match run_start {
            Some((_, direction)) if direction == side && side != ChangeDirection::Unchanged => run_length += 1,
            _ if side != ChangeDirection::Unchanged => {
                run_start = Some((index, side));
                run_length = 1;
            }
            _ => {
                run_start = None;
                run_length = 0;
            }
        }
        if run_length >= SUSTAINED_POINTS {
            change = run_start;
            break;
        }
    }

    let Some((start, direction)) = change else {
        let furthest = after.iter().map(|(_, value)| *value).fold(baseline, |furthest, value| {
            if (value - baseline).abs() > (furthest - baseline).abs() {
                value
            } else {
                furthest
            }
        });
        return (baseline, furthest, ChangeDirection::Unchanged, None);
    };

    let mut changed_at = after[start].0;
    if start == 0 {
        for (time, value) in before.iter().rev() {
            if side_of(*value) != direction {
                break;
            }
            changed_at = *time;
        }
    }

    let values = after.iter().map(|(_, value)| *value);
    let peak = if direction == ChangeDirection::Up {
        values.fold(f64::NEG_INFINITY, f64::max)
    } else {
        values.fold(f64::INFINITY, f64::min)
    };
    (baseline, peak, direction, Some(changed_at))
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0u32), |(sum, count), value| (sum + value, count + 1));
    (count > 0).then(|| sum / f64::from(count))
}

/// Median of a non-empty slice of finite values.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn onset() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 14, 5, 0).unwrap()
    }

    /// Builds one datapoint per minute from 60 minutes before the onset, `values` in order.
    fn series(values: &[f64]) -> Vec<(DateTime<Utc>, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(minute, value)| (onset() - Duration::minutes(60) + Duration::minutes(minute as i64), *value))
            .collect()
    }

    /// Builds 55 baseline minutes alternating 30 and 34, then `tail` from the end of the baseline.
    fn with_tail(tail: &[f64]) -> Vec<(DateTime<Utc>, f64)> {
        let mut values: Vec<f64> = (0..55).map(|minute| if minute % 2 == 0 { 30.0 } else { 34.0 }).collect();
        values.extend_from_slice(tail);
        series(&values)
    }

    #[test]
    fn sustained_rise_is_up_with_its_start() {
        let (baseline, peak, direction, changed_at) = detect_change(&with_tail(&[33.0, 60.0, 85.0, 92.0]), onset());

        assert!((baseline - 31.963_636).abs() < 1e-3, "{baseline}");
        assert_eq!(peak, 92.0);
        assert_eq!(direction, ChangeDirection::Up);
        assert_eq!(changed_at, Some(onset() - Duration::minutes(4)));
    }

    #[test]
    fn sustained_drop_is_down_with_minimum() {
        let (_, peak, direction, changed_at) = detect_change(&with_tail(&[31.0, 5.0, 2.0, 4.0]), onset());

        assert_eq!(peak, 2.0);
        assert_eq!(direction, ChangeDirection::Down);
        assert_eq!(changed_at, Some(onset() - Duration::minutes(4)));
    }

    #[test]
    fn single_blip_is_unchanged() {
        let (_, peak, direction, changed_at) = detect_change(&with_tail(&[32.0, 90.0, 33.0, 31.0]), onset());

        assert_eq!(direction, ChangeDirection::Unchanged);
        assert_eq!(peak, 90.0);
        assert_eq!(changed_at, None);
    }

    #[test]
    fn zero_baseline_counts_any_sustained_value() {
        let mut values = vec![0.0; 55];
        values.extend_from_slice(&[0.0, 3.0, 12.0, 40.0]);

        let (baseline, peak, direction, changed_at) = detect_change(&series(&values), onset());

        assert_eq!(baseline, 0.0);
        assert_eq!(peak, 40.0);
        assert_eq!(direction, ChangeDirection::Up);
        assert_eq!(changed_at, Some(onset() - Duration::minutes(4)));
    }

    #[test]
    fn unsorted_points_and_nan_are_handled() {
        let mut points = with_tail(&[33.0, 60.0, f64::NAN, 85.0]);
        points.reverse();

        let (_, peak, direction, changed_at) = detect_change(&points, onset());

        assert_eq!(peak, 85.0);
        assert_eq!(direction, ChangeDirection::Up);
        assert_eq!(changed_at, Some(onset() - Duration::minutes(4)));
    }

    #[test]
    fn early_change_dated_from_start() {
        // Steady at 50, then a ramp that begins four minutes before the baseline ends.
        let mut values: Vec<f64> = (0..51).map(|minute| if minute % 2 == 0 { 49.0 } else { 51.0 }).collect();
        values.extend_from_slice(&[66.0, 72.0, 78.0, 84.0]);
        values.extend_from_slice(&[90.0, 95.0, 97.0]);

        let (baseline, peak, direction, changed_at) = detect_change(&series(&values), onset());

        assert!((baseline - 49.980_392).abs() < 1e-3, "{baseline}");
        assert_eq!(peak, 97.0);
        assert_eq!(direction, ChangeDirection::Up);
        assert_eq!(changed_at, Some(onset() - Duration::minutes(9)));
    }

    #[test]
    fn no_baseline_is_unchanged() {
        let points = vec![(onset(), 10.0), (onset() + Duration::minutes(1), 20.0)];

        assert_eq!(detect_change(&points, onset()), (15.0, 15.0, ChangeDirection::Unchanged, None));
        assert_eq!(detect_change(&[], onset()), (0.0, 0.0, ChangeDirection::Unchanged, None));
    }
}
