//! The reporting calendar (填报日历): for a month, which assignments reported
//! on time, late, or not at all — the 未报/迟报 list a 调度会 starts from.
use chrono::{Datelike, NaiveDate};

use super::kinds::{ReportingCycle, ReviewState};
use super::schedule::month_end;

/// Where an assignment stands for one month's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportState {
    /// A report for the month was submitted on or before the due day.
    Reported,
    /// The first report for the month came after the due day.
    Late,
    /// The due day has passed and no report for the month exists.
    Missing,
    /// No report yet, but the due day has not passed.
    Pending,
}

/// One report as the calendar sees it: the date it stands at, and the day
/// (in the plan's time zone) it was submitted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Submission {
    pub as_of: NaiveDate,
    pub submitted_on: NaiveDate,
}

/// The day a month's report is due: `due_day` of the following month.
pub fn due_date(month: NaiveDate, due_day: i32) -> NaiveDate {
    let next = month_end(month).succ_opt().unwrap_or(month);
    NaiveDate::from_ymd_opt(next.year(), next.month(), due_day.clamp(1, 28) as u32).unwrap_or(next)
}

/// Whether units report for `month` under `cycle` (quarterly: March, June,
/// September and December).
pub fn reports_due_in(cycle: ReportingCycle, month: NaiveDate) -> bool {
    match cycle {
        ReportingCycle::Monthly => true,
        ReportingCycle::Quarterly => month.month().is_multiple_of(3),
    }
}

/// The state of one assignment for `month`, seen on `today` (reports
/// submitted after it are ignored); with the day the first report for the
/// month was submitted.
///
/// A report "for the month" is any report whose asOf falls in the month
/// (clerks report as of the 28th as often as the 31st).
pub fn report_state(
    submissions: &[Submission],
    month: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
) -> (ReportState, Option<NaiveDate>) {
    let first = month.with_day(1).unwrap_or(month);
    let last = month_end(month);
    let first_submitted = submissions
        .iter()
        // Seen on `today`, later submissions do not exist yet.
        .filter(|s| s.submitted_on <= today)
        .filter(|s| first <= s.as_of && s.as_of <= last)
        .map(|s| s.submitted_on)
        .min();
    let state = match first_submitted {
        Some(day) if day <= due => ReportState::Reported,
        Some(_) => ReportState::Late,
        None if today > due => ReportState::Missing,
        None => ReportState::Pending,
    };
    (state, first_submitted)
}

/// Whether an assignment made on `assigned_on` (in the plan's time zone)
/// owes the month whose report is due on `due`: only if it existed by then.
pub fn owes_report(assigned_on: NaiveDate, due: NaiveDate) -> bool {
    assigned_on <= due
}

/// Whether a report in the given review state is a report for the
/// calendar: a returned one must be filed again, so it is none.
pub fn counts_as_submitted(review: ReviewState) -> bool {
    review != ReviewState::Returned
}

/// A unit's counts for the month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub reported: u32,
    pub late: u32,
    pub missing: u32,
    pub pending: u32,
}

/// Tallies (unit, state) lines per unit, units in order of first
/// appearance, then the worst (most missing, then most late) first.
pub fn unit_counts(lines: impl IntoIterator<Item = (i64, ReportState)>) -> Vec<UnitCounts> {
    let mut units: Vec<UnitCounts> = Vec::new();
    for (unit_id, state) in lines {
        let i = match units.iter().position(|u| u.unit_id == unit_id) {
            Some(i) => i,
            None => {
                units.push(UnitCounts {
                    unit_id,
                    ..Default::default()
                });
                units.len() - 1
            }
        };
        let row = &mut units[i];
        match state {
            ReportState::Reported => row.reported += 1,
            ReportState::Late => row.late += 1,
            ReportState::Missing => row.missing += 1,
            ReportState::Pending => row.pending += 1,
        }
    }
    // A stable sort keeps first appearance among equals.
    units.sort_by_key(|u| std::cmp::Reverse((u.missing, u.late)));
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sub(as_of: &str, on: &str) -> Submission {
        Submission {
            as_of: d(as_of),
            submitted_on: d(on),
        }
    }

    #[test]
    fn october_reports_are_due_on_the_fifth_of_november() {
        assert_eq!(due_date(d("2025-10-01"), 5), d("2025-11-05"));
        assert_eq!(due_date(d("2025-12-31"), 10), d("2026-01-10"));
        let october = d("2025-10-01");
        let due = d("2025-11-05");
        let today = d("2025-11-20");
        assert_eq!(
            report_state(&[sub("2025-10-31", "2025-11-03")], october, due, today),
            (ReportState::Reported, Some(d("2025-11-03")))
        );
        assert_eq!(
            report_state(&[sub("2025-10-31", "2025-11-05")], october, due, today).0,
            ReportState::Reported
        );
        assert_eq!(
            report_state(&[sub("2025-10-31", "2025-11-06")], october, due, today).0,
            ReportState::Late
        );
        // A September report does not count for October.
        assert_eq!(
            report_state(&[sub("2025-09-30", "2025-10-02")], october, due, today).0,
            ReportState::Missing
        );
        assert_eq!(
            report_state(&[], october, due, d("2025-11-05")).0,
            ReportState::Pending
        );
        // Seen on the 6th, a report that came in on the 9th is not there yet.
        assert_eq!(
            report_state(
                &[sub("2025-10-31", "2025-11-09")],
                october,
                due,
                d("2025-11-06")
            )
            .0,
            ReportState::Missing
        );
        // A late report followed by a correction is still late: the first one decides.
        let both = [
            sub("2025-10-31", "2025-11-09"),
            sub("2025-10-31", "2025-11-12"),
        ];
        assert_eq!(
            report_state(&both, october, due, today),
            (ReportState::Late, Some(d("2025-11-09")))
        );
    }

    #[test]
    fn quarterly_cycles_report_at_quarter_ends() {
        assert!(reports_due_in(ReportingCycle::Quarterly, d("2025-09-01")));
        assert!(!reports_due_in(ReportingCycle::Quarterly, d("2025-10-01")));
        assert!(reports_due_in(ReportingCycle::Monthly, d("2025-10-01")));
    }

    #[test]
    fn an_assignment_made_after_the_due_day_owes_nothing_that_month() {
        let due = d("2025-11-05");
        assert!(owes_report(d("2025-10-20"), due));
        assert!(owes_report(due, due));
        assert!(!owes_report(d("2025-11-06"), due));
    }

    #[test]
    fn a_returned_report_is_no_report() {
        assert!(counts_as_submitted(ReviewState::Approved));
        assert!(counts_as_submitted(ReviewState::Submitted));
        assert!(!counts_as_submitted(ReviewState::Returned));
    }

    #[test]
    fn units_are_tallied_worst_first_keeping_first_appearance_among_equals() {
        use ReportState::*;
        let counts = unit_counts([
            (7, Reported),
            (3, Late),
            (9, Missing),
            (3, Reported),
            (7, Late),
            (9, Pending),
            (5, Reported),
        ]);
        let order: Vec<i64> = counts.iter().map(|u| u.unit_id).collect();
        assert_eq!(order, vec![9, 7, 3, 5]);
        assert_eq!(
            counts[0],
            UnitCounts {
                unit_id: 9,
                reported: 0,
                late: 0,
                missing: 1,
                pending: 1
            }
        );
        assert_eq!(counts[1].reported + counts[1].late, 2);
    }
}
