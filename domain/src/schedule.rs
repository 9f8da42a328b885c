//! Expected percent e (序时进度): how much of a target should be done by a
//! date (rules page, "Expected percent").
use chrono::{Datelike, NaiveDate};

use super::completion::unsigned_zero;
use super::facts::MilestoneFacts;
use super::kinds::TimeProgressMode;

fn month_index(date: NaiveDate) -> i64 {
    date.year() as i64 * 12 + date.month0() as i64
}

/// The last day of `date`'s month.
pub fn month_end(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(date)
}

/// m: whole months from the plan start through `date`; a month counts once
/// `date` is on or after its last day. 2025-10-15 → 9, 2025-10-31 → 10.
pub fn whole_months(start: NaiveDate, date: NaiveDate) -> u32 {
    if date < start {
        return 0;
    }
    let before = month_index(date) - month_index(start);
    let this_month = i64::from(date == month_end(date));
    (before + this_month).max(0) as u32
}

/// M: months from the plan start through the deadline's month, inclusive.
pub fn months_through(start: NaiveDate, deadline: NaiveDate) -> u32 {
    (month_index(deadline) - month_index(start) + 1).max(1) as u32
}

/// Linear time progress towards `deadline`.
///
/// Before the start 0; on or after the deadline 100 (the whole target is due
/// on its deadline, even a mid-month one); otherwise m / M in monthly mode, or
/// days elapsed (start and `date` included) over days to the deadline in
/// daily mode.
pub fn linear_expected(
    start: NaiveDate,
    deadline: NaiveDate,
    date: NaiveDate,
    mode: TimeProgressMode,
) -> f64 {
    if date < start {
        return 0.0;
    }
    if date >= deadline {
        return 100.0;
    }
    let elapsed = match mode {
        TimeProgressMode::Monthly => {
            f64::from(whole_months(start, date)) / f64::from(months_through(start, deadline))
        }
        TimeProgressMode::Daily => {
            ((date - start).num_days() + 1) as f64 / ((deadline - start).num_days() + 1) as f64
        }
    };
    unsigned_zero(elapsed.min(1.0) * 100.0)
}

/// Time progress along a monthly plan curve: the planned cumulative value
/// at month m over the target. Month 1 is the plan's first month.
pub fn curve_expected(
    start: NaiveDate,
    deadline: NaiveDate,
    date: NaiveDate,
    curve: &[f64],
    target: f64,
) -> f64 {
    if date < start || curve.is_empty() {
        return 0.0;
    }
    if date >= deadline {
        return 100.0;
    }
    let m = whole_months(start, date) as usize;
    if m == 0 {
        return 0.0;
    }
    let planned = curve[m.min(curve.len()) - 1];
    // clamp keeps a −0 (a curve value typed as "-0"), so it is made 0.
    unsigned_zero((planned / target * 100.0).clamp(0.0, 100.0))
}

/// MILESTONE goals: the weight of milestones due on or before `date` over
/// all weight (each counts one when every weight is 0). `None` without
/// milestones, so the caller falls back to the deadline.
pub fn milestone_expected(milestones: &[MilestoneFacts], date: NaiveDate) -> Option<f64> {
    if milestones.is_empty() {
        return None;
    }
    let all_zero = milestones.iter().all(|m| m.weight <= 0.0);
    let weight = |m: &MilestoneFacts| if all_zero { 1.0 } else { m.weight };
    let total: f64 = milestones.iter().map(weight).sum();
    let due: f64 = milestones
        .iter()
        .filter(|m| m.due <= date)
        .map(weight)
        .sum();
    Some(unsigned_zero(due / total * 100.0))
}

/// The month ends of the plan period up to and including `up_to`.
pub fn month_ends(start: NaiveDate, end: NaiveDate, up_to: NaiveDate) -> Vec<NaiveDate> {
    let last = up_to.min(end);
    let mut out = Vec::new();
    let mut current = month_end(start);
    while current <= last {
        out.push(current);
        match current.succ_opt() {
            Some(next) => current = month_end(next),
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.05
    }

    #[test]
    fn monthly_time_progress_from_the_rules_page() {
        let start = d("2025-01-01");
        let year_end = d("2025-12-31");
        let rows = [
            ("2025-10-31", 83.3),
            ("2025-10-15", 75.0),
            ("2025-02-28", 16.7),
            ("2025-01-30", 0.0),
            ("2025-12-31", 100.0),
        ];
        for (date, e) in rows {
            let got = linear_expected(start, year_end, d(date), TimeProgressMode::Monthly);
            assert!(close(got, e), "{date}: {got}");
        }
        // A CUMULATIVE goal due 2025-03-31: M = 3, so at 02-28 e = 66.7.
        assert_eq!(months_through(start, d("2025-03-31")), 3);
        assert!(close(
            linear_expected(
                start,
                d("2025-03-31"),
                d("2025-02-28"),
                TimeProgressMode::Monthly
            ),
            66.7
        ));
        // Before the start 0, on and after the deadline 100.
        assert_eq!(
            linear_expected(start, year_end, d("2024-12-31"), TimeProgressMode::Monthly),
            0.0
        );
        assert_eq!(
            linear_expected(
                start,
                d("2025-03-31"),
                d("2025-03-31"),
                TimeProgressMode::Monthly
            ),
            100.0
        );
        assert_eq!(
            linear_expected(
                start,
                d("2025-03-31"),
                d("2026-02-01"),
                TimeProgressMode::Monthly
            ),
            100.0
        );
        // A mid-month deadline is fully due on its day.
        assert_eq!(
            linear_expected(
                start,
                d("2025-10-15"),
                d("2025-10-15"),
                TimeProgressMode::Monthly
            ),
            100.0
        );
        assert!(close(
            linear_expected(
                start,
                d("2025-10-15"),
                d("2025-10-14"),
                TimeProgressMode::Monthly
            ),
            90.0
        ));
    }

    #[test]
    fn whole_months_count_a_month_on_its_last_day() {
        let start = d("2025-01-01");
        assert_eq!(whole_months(start, d("2025-01-31")), 1);
        assert_eq!(whole_months(start, d("2025-02-27")), 1);
        assert_eq!(whole_months(start, d("2025-02-28")), 2);
        assert_eq!(whole_months(start, d("2024-12-31")), 0);
        // A plan starting in July counts from July.
        assert_eq!(whole_months(d("2025-07-01"), d("2025-09-30")), 3);
    }

    #[test]
    fn daily_time_progress() {
        let start = d("2025-01-01");
        // 1 January to 2 July is 183 of 365 days.
        assert!(close(
            linear_expected(
                start,
                d("2025-12-31"),
                d("2025-07-02"),
                TimeProgressMode::Daily
            ),
            183.0 / 365.0 * 100.0
        ));
        assert!(close(
            linear_expected(
                start,
                d("2025-12-31"),
                d("2025-01-01"),
                TimeProgressMode::Daily
            ),
            100.0 / 365.0
        ));
    }

    #[test]
    fn a_monthly_plan_curve_replaces_the_calendar() {
        // 高企认定 lands in Q4: nothing planned until September.
        let curve = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 6.0, 10.0, 12.0];
        let start = d("2025-01-01");
        let end = d("2025-12-31");
        assert_eq!(
            curve_expected(start, end, d("2025-06-30"), &curve, 12.0),
            0.0
        );
        assert!(close(
            curve_expected(start, end, d("2025-09-30"), &curve, 12.0),
            16.7
        ));
        assert!(close(
            curve_expected(start, end, d("2025-10-31"), &curve, 12.0),
            50.0
        ));
        assert_eq!(
            curve_expected(start, end, d("2025-12-31"), &curve, 12.0),
            100.0
        );
        assert_eq!(
            curve_expected(start, end, d("2024-12-01"), &curve, 12.0),
            0.0
        );
    }

    #[test]
    fn milestones_are_expected_when_due() {
        let ms = [
            MilestoneFacts {
                id: 1,
                due: d("2025-10-31"),
                weight: 6.0,
                completed_on: None,
            },
            MilestoneFacts {
                id: 2,
                due: d("2025-12-31"),
                weight: 4.0,
                completed_on: None,
            },
        ];
        assert_eq!(milestone_expected(&ms, d("2025-10-30")), Some(0.0));
        assert_eq!(milestone_expected(&ms, d("2025-10-31")), Some(60.0));
        assert_eq!(milestone_expected(&ms, d("2026-01-01")), Some(100.0));
        assert_eq!(milestone_expected(&[], d("2025-10-31")), None);
    }

    #[test]
    fn month_ends_up_to_a_date() {
        let ends = month_ends(d("2025-01-01"), d("2025-12-31"), d("2025-04-15"));
        let shown: Vec<String> = ends.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown, ["2025-01-31", "2025-02-28", "2025-03-31"]);
        assert_eq!(
            month_ends(d("2025-01-01"), d("2025-12-31"), d("2027-01-01")).len(),
            12
        );
        assert!(month_ends(d("2025-01-01"), d("2025-12-31"), d("2024-06-30")).is_empty());
    }
}
