//! The reporting calendar (填报日历): for a month, which assignments reported
//! on time, late, or not at all — the 未报/迟报 list a 调度会 starts from.
use chrono::{Datelike, NaiveDate};

use super::kinds::ReportingCycle;
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
}
