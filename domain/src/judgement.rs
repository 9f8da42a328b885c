//! Gap, light, status and score (rules page, "Gap, light and status" and
//! "Roll-ups and score").
use super::completion::unsigned_zero;
use super::kinds::{Light, Status};

/// The plan settings that judge progress.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// A gap down to (but not including) −yellowGap points is BLUE.
    pub yellow_gap: f64,
    /// A gap down to −redGap points (inclusive) is YELLOW; below is RED.
    pub red_gap: f64,
    /// RATE goals at or above this completion are YELLOW, below RED.
    pub rate_yellow_floor: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            yellow_gap: 10.0,
            red_gap: 30.0,
            rate_yellow_floor: 80.0,
        }
    }
}

/// Tolerance for "c ≥ 100" against float noise (0.4 × 100 is 40.000000000000007).
const EPSILON: f64 = 1e-9;

pub fn is_complete(completion_percent: f64) -> bool {
    completion_percent >= 100.0 - EPSILON
}

/// gap = c − e in percentage points; `None` where e is.
pub fn gap(completion_percent: f64, expected_percent: Option<f64>) -> Option<f64> {
    expected_percent.map(|e| unsigned_zero(completion_percent - e))
}

/// Gaps are judged as the office reads them, to one decimal: a gap shown as
/// −10.0 is YELLOW even when the float behind it is −9.999999.
fn as_read(gap: f64) -> f64 {
    (gap * 10.0).round() / 10.0
}

/// The light of anything judged against time progress (CUMULATIVE,
/// MILESTONE, GROUP and the roll-ups), in the rules' order.
pub fn progress_light(
    completion_percent: f64,
    gap: Option<f64>,
    overdue: bool,
    t: &Thresholds,
) -> Light {
    if is_complete(completion_percent) {
        return Light::Green;
    }
    if overdue {
        return Light::Red;
    }
    // Without time progress (a roll-up of RATE and VETO goals only) the
    // RATE rule is the one that fits.
    let Some(gap) = gap.map(as_read) else {
        return rate_light(completion_percent, t);
    };
    if gap >= 0.0 {
        Light::Green
    } else if gap > -t.yellow_gap {
        Light::Blue
    } else if gap >= -t.red_gap {
        Light::Yellow
    } else {
        Light::Red
    }
}

/// RATE goals have no time progress: ≥ 100 GREEN, ≥ the floor YELLOW, else RED.
pub fn rate_light(completion_percent: f64, t: &Thresholds) -> Light {
    if is_complete(completion_percent) {
        Light::Green
    } else if completion_percent >= t.rate_yellow_floor - EPSILON {
        Light::Yellow
    } else {
        Light::Red
    }
}

pub fn veto_light(passed: bool) -> Light {
    if passed { Light::Green } else { Light::Red }
}

/// COMPLETED, then OVERDUE, then NOT_STARTED (nothing reported or completed
/// yet), else IN_PROGRESS.
pub fn status(completion_percent: f64, overdue: bool, started: bool) -> Status {
    if is_complete(completion_percent) {
        Status::Completed
    } else if overdue {
        Status::Overdue
    } else if !started {
        Status::NotStarted
    } else {
        Status::InProgress
    }
}

/// weight × min(c, cap) / 100, with the cap in percent.
pub fn score(weight: f64, completion_percent: f64, cap_percent: f64) -> f64 {
    unsigned_zero(weight * completion_percent.min(cap_percent) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges() {
        let t = Thresholds::default();
        let light = |gap: f64| progress_light(50.0, Some(gap), false, &t);
        assert_eq!(light(0.0), Light::Green);
        assert_eq!(light(1.7), Light::Green);
        assert_eq!(light(-0.1), Light::Blue);
        assert_eq!(light(-4.9), Light::Blue);
        assert_eq!(light(-9.9), Light::Blue);
        assert_eq!(light(-10.0), Light::Yellow);
        assert_eq!(light(-23.3), Light::Yellow);
        assert_eq!(light(-30.0), Light::Yellow);
        assert_eq!(light(-30.1), Light::Red);
        assert_eq!(light(-33.3), Light::Red);
        // Float noise does not move a light across an edge.
        assert_eq!(light(-10.000000000001), Light::Yellow);
        assert_eq!(light(-9.99999999999), Light::Yellow);
        assert_eq!(light(-30.00000000001), Light::Yellow);
    }

    #[test]
    fn completed_beats_overdue_and_overdue_beats_the_gap() {
        let t = Thresholds::default();
        assert_eq!(progress_light(100.0, Some(-50.0), true, &t), Light::Green);
        assert_eq!(
            progress_light(0.4 * 100.0 * 2.5, None, true, &t),
            Light::Green
        );
        assert_eq!(progress_light(99.0, Some(5.0), true, &t), Light::Red);
    }

    #[test]
    fn rate_and_veto_lights() {
        let t = Thresholds::default();
        assert_eq!(rate_light(96.7, &t), Light::Yellow);
        assert_eq!(rate_light(80.0, &t), Light::Yellow);
        assert_eq!(rate_light(79.9, &t), Light::Red);
        assert_eq!(rate_light(125.0, &t), Light::Green);
        assert_eq!(veto_light(true), Light::Green);
        assert_eq!(veto_light(false), Light::Red);
        // A roll-up without time progress falls back to the RATE rule.
        assert_eq!(progress_light(85.0, None, false, &t), Light::Yellow);
    }

    #[test]
    fn statuses() {
        assert_eq!(status(100.0, true, true), Status::Completed);
        assert_eq!(status(50.0, true, true), Status::Overdue);
        assert_eq!(status(0.0, true, false), Status::Overdue);
        assert_eq!(status(0.0, false, false), Status::NotStarted);
        assert_eq!(status(10.0, false, true), Status::InProgress);
    }

    #[test]
    fn scores_cap_completion() {
        assert_eq!(score(15.0, 85.0, 100.0), 12.75);
        assert_eq!(score(10.0, 130.0, 100.0), 10.0);
        assert_eq!(score(10.0, 130.0, 120.0), 12.0);
        assert_eq!(score(0.0, 100.0, 100.0), 0.0);
    }
}
