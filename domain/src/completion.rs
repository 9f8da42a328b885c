//! Completion percent c of a single goal or assignment (rules page,
//! "Which reports count" and "Completion percent"). c is uncapped and
//! unrounded; capping happens only where c feeds a weighted average.
use chrono::NaiveDate;

use super::facts::{Dated, MilestoneFacts};
use super::kinds::{Direction, Light, Status};

/// The figures shown for any judged object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The target in the goal's measure unit; `None` where not applicable
    /// (MILESTONE and GROUP goals, units, categories, the plan).
    pub target: Option<f64>,
    /// What counts as done; `None` while nothing counts yet.
    pub actual: Option<f64>,
    /// c, in percent, uncapped and unrounded.
    pub completion_percent: f64,
    /// e (序时进度); `None` for RATE and VETO.
    pub expected_percent: Option<f64>,
    /// c − e in percentage points; `None` where e is.
    pub gap: Option<f64>,
    pub light: Light,
    pub status: Status,
    /// weight × capped c / 100 for a goal or assignment; the sum for roll-ups.
    pub score: Option<f64>,
}

/// The largest figure the API shows. Validation keeps every stored number
/// within ±10^12 and every target 10^-6 or more from zero, so figures stay
/// far inside it (`figures_stay_finite_at_the_edges_of_valid_input`); a row
/// stored before those limits (a report of 1.7e308, say) is shown at this
/// bound instead of as an infinity that JSON cannot carry.
pub const FIGURE_BOUND: f64 = 1e15;

/// A figure the API can show: finite, within ±[`FIGURE_BOUND`]; NaN and
/// −0 are 0 (a milestone goal with nothing done printed "-0.0").
pub fn shown(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-FIGURE_BOUND, FIGURE_BOUND) + 0.0
    }
}

/// `x` with a negative zero made positive, so no figure reads "-0.0" (a
/// fall, to an office). IEEE 754 gives −0 for 0 / −3 (a RATE at its
/// baseline with the target below it), 10 × −0 or a report typed as "-0";
/// every function here that makes a figure returns it through this, so
/// the callers that use them directly (the server's SQL baseline, say)
/// never see one either.
pub fn unsigned_zero(x: f64) -> f64 {
    x + 0.0
}

impl Progress {
    /// The progress with every figure made showable (`shown`).
    pub fn shown(self) -> Progress {
        Progress {
            target: self.target.map(shown),
            actual: self.actual.map(shown),
            completion_percent: shown(self.completion_percent),
            expected_percent: self.expected_percent.map(shown),
            gap: self.gap.map(shown),
            score: self.score.map(shown),
            ..self
        }
    }
}

/// The latest report with `as_of <= date`; among equal dates the one submitted
/// last. Reports are cumulative, so this is the figure that stands on `date`.
pub fn latest_report<'a, R: Dated>(
    reports: impl IntoIterator<Item = &'a R>,
    date: NaiveDate,
) -> Option<&'a R> {
    reports
        .into_iter()
        .filter(|r| r.as_of() <= date)
        .max_by_key(|r| r.order_key())
}

/// c = A / T × 100 for cumulative amounts; no actual yet → 0.
pub fn cumulative_completion(actual: Option<f64>, target: f64) -> f64 {
    match actual {
        Some(a) => unsigned_zero(a / target * 100.0),
        None => 0.0,
    }
}

/// c of a RATE indicator at level `actual` against `target`.
///
/// INCREASE: A / T × 100, or (A − B) / (T − B) × 100 with a baseline B.
/// DECREASE: (B − A) / (B − T) × 100 with a baseline, else T / A × 100
/// (A ≤ 0 is as good as it gets: 100).
pub fn rate_completion(
    actual: Option<f64>,
    target: f64,
    baseline: Option<f64>,
    direction: Direction,
) -> f64 {
    let Some(a) = actual else { return 0.0 };
    unsigned_zero(match (direction, baseline) {
        (Direction::Increase, None) => a / target * 100.0,
        (Direction::Increase, Some(b)) => (a - b) / (target - b) * 100.0,
        (Direction::Decrease, Some(b)) => (b - a) / (b - target) * 100.0,
        (Direction::Decrease, None) if a <= 0.0 => 100.0,
        (Direction::Decrease, None) => target / a * 100.0,
    })
}

/// c of a RANK goal at reported place `actual` against the target place
/// `target` (lower is better): 100 at or above the target place
/// (r ≤ R), else 100 × R / r; nothing reported → 0. "稳固全省30强" reported
/// 36th gives 83.3.
pub fn rank_completion(actual: Option<f64>, target: f64) -> f64 {
    match actual {
        None => 0.0,
        Some(r) if r <= target => 100.0,
        Some(r) => unsigned_zero(100.0 * target / r),
    }
}

/// c of a VETO goal: 100 while the reported count stays at or under the
/// limit (nothing reported means no incident), else 0.
pub fn veto_completion(count: Option<f64>, limit: f64) -> f64 {
    if veto_passed(count, limit) {
        100.0
    } else {
        0.0
    }
}

pub fn veto_passed(count: Option<f64>, limit: f64) -> bool {
    count.unwrap_or(0.0) <= limit
}

/// c of a MILESTONE goal: the weight of milestones completed on or before
/// `date` over all weight. When every weight is 0 each milestone counts one.
pub fn milestone_completion(milestones: &[MilestoneFacts], date: NaiveDate) -> f64 {
    if milestones.is_empty() {
        return 0.0;
    }
    let all_zero = milestones.iter().all(|m| m.weight <= 0.0);
    let weight = |m: &MilestoneFacts| if all_zero { 1.0 } else { m.weight };
    let total: f64 = milestones.iter().map(weight).sum();
    let done: f64 = milestones
        .iter()
        .filter(|m| crate::deadlines::done_by(m.completed_on, date))
        .map(weight)
        .sum();
    unsigned_zero(done / total * 100.0)
}

/// Σ wᵢ × min(cᵢ, cap) / Σ wᵢ over the items with weight > 0; when every
/// weight is 0 the plain average of the capped values; no items → 0.
/// `cap_percent` is the cap in percent (score cap 1.0 → 100).
pub fn weighted_capped_average(
    items: impl IntoIterator<Item = (f64, f64)>,
    cap_percent: f64,
) -> f64 {
    let items: Vec<(f64, f64)> = items.into_iter().collect();
    if items.is_empty() {
        return 0.0;
    }
    let weighted: Vec<&(f64, f64)> = items.iter().filter(|(w, _)| *w > 0.0).collect();
    if weighted.is_empty() {
        let sum: f64 = items.iter().map(|(_, c)| c.min(cap_percent)).sum();
        return unsigned_zero(sum / items.len() as f64);
    }
    let total: f64 = weighted.iter().map(|(w, _)| w).sum();
    let sum: f64 = weighted.iter().map(|(w, c)| w * c.min(cap_percent)).sum();
    unsigned_zero(sum / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ReportFact;
    use chrono::{TimeZone, Utc};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn report(id: i64, as_of: &str, value: f64, submitted_minute: u32) -> ReportFact {
        ReportFact {
            id,
            as_of: d(as_of),
            value,
            submitted_at: Utc
                .with_ymd_and_hms(2025, 11, 1, 8, submitted_minute, 0)
                .unwrap(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.05
    }

    #[test]
    fn a_report_is_cumulative_so_the_latest_one_stands() {
        // 12 in June and 17 in October means 17 done, not 29.
        let reports = [
            report(1, "2025-06-30", 12.0, 0),
            report(2, "2025-10-31", 17.0, 1),
        ];
        assert_eq!(
            latest_report(&reports, d("2025-10-31")).unwrap().value,
            17.0
        );
        assert_eq!(
            latest_report(&reports, d("2025-09-30")).unwrap().value,
            12.0
        );
        assert!(latest_report(&reports, d("2025-06-29")).is_none());
    }

    #[test]
    fn among_reports_of_the_same_date_the_last_submitted_wins() {
        // A correction submitted later for the same date replaces the figure,
        // even when it was inserted with a smaller id.
        let reports = [
            report(7, "2025-09-30", 9.0, 30),
            report(3, "2025-09-30", 8.0, 10),
        ];
        assert_eq!(latest_report(&reports, d("2025-10-31")).unwrap().value, 9.0);
        let same_time = [
            report(4, "2025-09-30", 5.0, 10),
            report(5, "2025-09-30", 6.0, 10),
        ];
        assert_eq!(
            latest_report(&same_time, d("2025-10-31")).unwrap().value,
            6.0
        );
    }

    #[test]
    fn worked_example_cumulative_goals() {
        // (target, actual, expected c) from the rules page, as of 2025-10-31.
        let rows = [
            (20.0, 17.0, 85.0),     // 签约项目
            (25.0, 19.6, 78.4),     // 合同引资额
            (10.0, 6.0, 60.0),      // 新建标准厂房
            (3000.0, 1500.0, 50.0), // 实际利用外资
        ];
        for (target, actual, expected) in rows {
            let c = cumulative_completion(Some(actual), target);
            assert!(close(c, expected), "{actual}/{target} gave {c}");
        }
        assert_eq!(cumulative_completion(None, 20.0), 0.0);
    }

    #[test]
    fn rate_completion_table() {
        use Direction::*;
        // (actual, target, baseline, direction, expected c)
        type Row = (Option<f64>, f64, Option<f64>, Direction, f64);
        let rows: [Row; 8] = [
            // 资产负债率 ≤ 65 %, at 67.2 → 96.7 (worked example)
            (Some(67.2), 65.0, None, Decrease, 96.726),
            // 高新技术产业增加值占比 ≥ 60 %, at 54 → 90
            (Some(54.0), 60.0, None, Increase, 90.0),
            // with a baseline of 50: (54 − 50) / (60 − 50) = 40
            (Some(54.0), 60.0, Some(50.0), Increase, 40.0),
            // DECREASE with a baseline of 70: (70 − 67.2) / (70 − 65) = 56
            (Some(67.2), 65.0, Some(70.0), Decrease, 56.0),
            // at or below zero a lower-is-better indicator is fully met
            (Some(0.0), 65.0, None, Decrease, 100.0),
            (Some(-1.0), 65.0, None, Decrease, 100.0),
            // over-performance is not capped here
            (Some(52.0), 65.0, None, Decrease, 125.0),
            (None, 60.0, None, Increase, 0.0),
        ];
        for (actual, target, baseline, direction, expected) in rows {
            let c = rate_completion(actual, target, baseline, direction);
            assert!(
                (c - expected).abs() < 0.001,
                "{actual:?} vs {target} ({baseline:?}, {direction}) gave {c}, want {expected}"
            );
        }
    }

    #[test]
    fn rank_completion_is_full_at_or_above_the_target_place() {
        // (reported place, target place, c)
        let rows = [
            (Some(30.0), 30.0, 100.0),
            (Some(12.0), 30.0, 100.0),
            (Some(1.0), 1.0, 100.0),
            (Some(36.0), 30.0, 100.0 * 30.0 / 36.0),
            (Some(40.0), 20.0, 50.0),
            (Some(2.0), 1.0, 50.0),
            (None, 30.0, 0.0),
        ];
        for (actual, target, c) in rows {
            assert_eq!(rank_completion(actual, target), c, "{actual:?} vs {target}");
        }
    }

    #[test]
    fn veto_passes_until_the_count_exceeds_the_limit() {
        assert_eq!(veto_completion(None, 0.0), 100.0);
        assert_eq!(veto_completion(Some(0.0), 0.0), 100.0);
        assert_eq!(veto_completion(Some(1.0), 0.0), 0.0);
        assert_eq!(veto_completion(Some(2.0), 2.0), 100.0);
    }

    #[test]
    fn milestones_count_by_weight_once_completed() {
        let five_good = [
            MilestoneFacts {
                id: 1,
                due: d("2025-10-31"),
                weight: 6.0,
                completed_on: Some(d("2025-10-20")),
            },
            MilestoneFacts {
                id: 2,
                due: d("2025-12-31"),
                weight: 4.0,
                completed_on: None,
            },
        ];
        assert_eq!(milestone_completion(&five_good, d("2025-10-19")), 0.0);
        assert_eq!(milestone_completion(&five_good, d("2025-10-20")), 60.0);
        // 光伏二期: due 03-31, done 04-18 — late, but it counts once done.
        let solar = [MilestoneFacts {
            id: 3,
            due: d("2025-03-31"),
            weight: 1.0,
            completed_on: Some(d("2025-04-18")),
        }];
        assert_eq!(milestone_completion(&solar, d("2025-04-10")), 0.0);
        assert_eq!(milestone_completion(&solar, d("2025-10-31")), 100.0);
        let unweighted = [
            MilestoneFacts {
                id: 4,
                due: d("2025-06-30"),
                weight: 0.0,
                completed_on: Some(d("2025-06-01")),
            },
            MilestoneFacts {
                id: 5,
                due: d("2025-09-30"),
                weight: 0.0,
                completed_on: None,
            },
        ];
        assert_eq!(milestone_completion(&unweighted, d("2025-12-31")), 50.0);
        assert_eq!(milestone_completion(&[], d("2025-12-31")), 0.0);
    }

    /// Whether a figure is the −0 that prints as "-0.0".
    fn negative_zero(x: f64) -> bool {
        x == 0.0 && x.is_sign_negative()
    }

    #[test]
    fn no_figure_is_negative_zero_at_the_edges() {
        use crate::judgement::{gap, score};
        use crate::schedule::{curve_expected, linear_expected, milestone_expected};
        use crate::validation::report_value;
        use crate::{GoalKind, TimeProgressMode};
        let start = d("2025-01-01");
        let end = d("2025-12-31");
        // Each of these gave −0 before it was normalised where it is made.
        let figures = [
            // A report typed as "-0".
            ("cumulative −0", cumulative_completion(Some(-0.0), 20.0)),
            // A RATE at its baseline, the target below the baseline: 0 / −3.
            (
                "rate at baseline",
                rate_completion(Some(5.0), 2.0, Some(5.0), Direction::Increase),
            ),
            (
                "decrease at baseline",
                rate_completion(Some(70.0), 75.0, Some(70.0), Direction::Decrease),
            ),
            (
                "average of −0",
                weighted_capped_average([(1.0, -0.0), (2.0, -0.0)], 100.0),
            ),
            (
                "plain average of −0",
                weighted_capped_average([(0.0, -0.0)], 100.0),
            ),
            ("gap −0 − 0", gap(-0.0, Some(0.0)).unwrap()),
            ("gap 0 − 0", gap(0.0, Some(0.0)).unwrap()),
            ("score of −0", score(10.0, -0.0, 100.0)),
            ("score of weight −0", score(-0.0, 50.0, 100.0)),
            (
                "curve of −0",
                curve_expected(start, end, d("2025-03-31"), &[-0.0; 12], 12.0),
            ),
            (
                "linear before anything is due",
                linear_expected(start, end, d("2025-01-15"), TimeProgressMode::Monthly),
            ),
            (
                "milestones not due",
                milestone_expected(
                    &[MilestoneFacts {
                        id: 1,
                        due: d("2025-06-30"),
                        weight: 1.0,
                        completed_on: None,
                    }],
                    d("2025-03-31"),
                )
                .unwrap(),
            ),
            (
                "report typed −0",
                report_value(GoalKind::Cumulative, -0.0, Some(5.0)).unwrap(),
            ),
            (
                "RATE report −0",
                report_value(GoalKind::Rate, -0.0, Some(5.0)).unwrap(),
            ),
        ];
        for (what, x) in figures {
            assert_eq!(x, 0.0, "{what}");
            assert!(!negative_zero(x), "{what} gave -0");
        }
    }

    proptest::proptest! {
        /// Over the values at the edges (signed zeros, a baseline equal to the
        /// level or the target, levels on either side of zero), no completion,
        /// gap, score or average is ever −0.
        #[test]
        fn no_completion_gap_or_score_is_negative_zero(
            actual in proptest::sample::select(vec![-0.0, 0.0, -5.0, 5.0, 65.0, 67.2, 100.0]),
            target in proptest::sample::select(vec![-2.0, 2.0, 5.0, 65.0, 30.0]),
            baseline in proptest::sample::select(vec![None, Some(-0.0), Some(0.0), Some(5.0), Some(70.0)]),
            decrease in proptest::bool::ANY,
            weight in proptest::sample::select(vec![-0.0, 0.0, 1.0, 10.0]),
            expected in proptest::sample::select(vec![None, Some(-0.0), Some(0.0), Some(83.3)]),
        ) {
            use crate::judgement::{gap, score};
            let direction = if decrease { Direction::Decrease } else { Direction::Increase };
            let mut figures = vec![cumulative_completion(Some(actual), target)];
            if baseline.is_none_or(|b| b != target) {
                figures.push(rate_completion(Some(actual), target, baseline, direction));
            }
            let c = *figures.last().unwrap();
            figures.push(rank_completion(Some(actual.abs().max(1.0)), target.abs()));
            figures.push(weighted_capped_average([(weight, c), (weight, actual)], 100.0));
            figures.push(score(weight, c, 100.0));
            figures.push(score(weight, actual, 120.0));
            figures.extend(gap(actual, expected));
            figures.extend(gap(c, expected));
            for x in figures {
                proptest::prop_assert!(!negative_zero(x), "{x:?}");
            }
        }
    }

    #[test]
    fn weighted_average_caps_each_item_and_skips_zero_weights() {
        // 85 (w 10) and 120 capped to 100 (w 5): (850 + 500) / 15 = 90
        assert_eq!(
            weighted_capped_average([(10.0, 85.0), (5.0, 120.0)], 100.0),
            90.0
        );
        // a cap of 1.2 lets the 120 through: (850 + 600) / 15
        assert!(close(
            weighted_capped_average([(10.0, 85.0), (5.0, 120.0)], 120.0),
            96.67
        ));
        // weight-0 items do not count while others weigh
        assert_eq!(
            weighted_capped_average([(10.0, 80.0), (0.0, 0.0)], 100.0),
            80.0
        );
        // all weights 0: plain average of capped values
        assert_eq!(
            weighted_capped_average([(0.0, 80.0), (0.0, 140.0)], 100.0),
            90.0
        );
        assert_eq!(weighted_capped_average([], 100.0), 0.0);
    }
}
