//! The reporting calendar (填报日历): for a month, which assignments reported
//! on time, late, or not at all — the 未报/迟报 list a 调度会 starts from.
use chrono::{Datelike, NaiveDate};

use super::kinds::{ReportingCycle, ReviewState};
use super::message::Message;
use super::schedule::month_end;
use super::workdays::Workdays;

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

/// The day a month's report is due: `due_day` of the following month, or,
/// when `postponed` (遇节假日顺延, the plans' default), the first working
/// day of `workdays` on or after it (每月5日前报送，遇节假日顺延:
/// September's report is due on 10-09, after the 国庆 holiday).
pub fn due_date(month: NaiveDate, due_day: i32, postponed: bool, workdays: &Workdays) -> NaiveDate {
    let next = month_end(month).succ_opt().unwrap_or(month);
    let day = NaiveDate::from_ymd_opt(next.year(), next.month(), due_day.clamp(1, 28) as u32)
        .unwrap_or(next);
    if postponed {
        workdays.on_or_next_workday(day)
    } else {
        day
    }
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

/// Why a month's calendar cannot say who reported on time. A plan filled
/// in after the fact owes no report for the months before its assignments
/// were made (so the calendar of those months is empty), and a plan whose
/// first report came after a month's due day (filled in later, or
/// activated after the month) shows that month's reports all late: the
/// reporting sheet says which, in a row, instead.
#[derive(Clone, Debug, PartialEq)]
pub enum Unjudged {
    /// The plan reports quarterly and asks nothing this month.
    NoReportsDue,
    /// The plan is a DRAFT: it takes no reports yet.
    Draft,
    /// No assignment of a goal that takes reports (MILESTONE goals report
    /// by completing milestones; GROUP goals only group).
    NothingReports,
    /// Every assignment was made after the month's due day: none owed it.
    AssignedAfterDue {
        /// The day the first assignment was made.
        first_assigned: NaiveDate,
        /// The month's reports, all entered afterwards.
        backfilled: Option<Backfill>,
    },
    /// No report of the plan had come in by the month's due day; the first
    /// came on this day, so the month's late and missing reports may say how
    /// the plan was filled in rather than who was late.
    NoReportByDue { first_report: NaiveDate },
}

/// Reports entered for a month after the fact: how many, and when.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backfill {
    pub reports: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Unjudged {
    /// The reason, as the reporting sheet writes it.
    pub fn message(&self, month: NaiveDate, due: NaiveDate) -> Message {
        let (y, m) = (month.year(), month.month());
        match self {
            Unjudged::NoReportsDue => Message::new(
                format!("本计划按季度填报，{y}年{m}月不需填报"),
                format!("the plan reports quarterly; {y}-{m:02} asks no report"),
            ),
            Unjudged::Draft => Message::new(
                format!("计划尚为草稿，启用后才接受填报；{y}年{m}月无法判断是否按时填报"),
                format!(
                    "the plan is still a draft and takes reports once activated; {y}-{m:02} cannot be judged"
                ),
            ),
            Unjudged::NothingReports => Message::new(
                "本计划没有需要按月填报的分解任务（节点类目标以完成节点计，分组目标不填报）",
                "no assignment of the plan takes monthly reports (MILESTONE goals complete milestones, GROUP goals group)",
            ),
            Unjudged::AssignedAfterDue {
                first_assigned,
                backfilled,
            } => {
                let (zh, en) = match backfilled {
                    Some(b) if b.first == b.last => (
                        format!("；当月 {} 份填报均于 {} 补录", b.reports, b.first),
                        format!(
                            "; its {} reports were all entered on {}",
                            b.reports, b.first
                        ),
                    ),
                    Some(b) => (
                        format!(
                            "；当月 {} 份填报于 {} 至 {} 补录",
                            b.reports, b.first, b.last
                        ),
                        format!(
                            "; its {} reports were entered from {} to {}",
                            b.reports, b.first, b.last
                        ),
                    ),
                    None => (String::new(), String::new()),
                };
                Message::new(
                    format!(
                        "{y}年{m}月的填报截止日为 {due}，本计划的分解任务最早于 {first_assigned} 才录入，当时已过截止日，无法判断当月是否按时填报{zh}"
                    ),
                    format!(
                        "{y}-{m:02} was due on {due}, but the plan's assignments were first made on {first_assigned}: nobody owed it on time, so it cannot be judged{en}"
                    ),
                )
            }
            Unjudged::NoReportByDue { first_report } => Message::new(
                format!(
                    "{y}年{m}月的填报截止日（{due}）前本计划尚无任何填报，首份填报于 {first_report} 报送：如计划是事后补录或在此之后才启用的，当月的迟报、未报不能说明谁未按时填报"
                ),
                format!(
                    "no report of the plan had come in by {y}-{m:02}'s due day ({due}); the first came on {first_report}: if the plan was filled in after the fact or activated later, the month's late and missing reports say nothing of who was late"
                ),
            ),
        }
    }
}

/// What a month's calendar knows beyond its lines, to say whether it can
/// be judged at all.
pub struct MonthFacts<'a> {
    /// The reporting cycle asks for reports this month.
    pub reports_due: bool,
    /// The plan is a DRAFT.
    pub draft: bool,
    /// Some assignment of a goal that takes reports is in view.
    pub assigned: bool,
    /// Some of those assignments owed the month's report (made by its due day).
    pub owed: bool,
    /// The day the first of them was made.
    pub first_assigned: Option<NaiveDate>,
    /// The days the month's reports of assignments that did not owe it
    /// were entered.
    pub backfilled: &'a [NaiveDate],
    /// The day the plan's first report came in.
    pub first_report: Option<NaiveDate>,
    pub due: NaiveDate,
    pub today: NaiveDate,
}

/// Why the month cannot be judged, if it cannot.
pub fn why_unjudged(m: &MonthFacts<'_>) -> Option<Unjudged> {
    if !m.reports_due {
        Some(Unjudged::NoReportsDue)
    } else if m.draft {
        Some(Unjudged::Draft)
    } else if !m.assigned {
        Some(Unjudged::NothingReports)
    } else if !m.owed {
        m.first_assigned
            .map(|first_assigned| Unjudged::AssignedAfterDue {
                first_assigned,
                backfilled: backfill(m.backfilled),
            })
    } else {
        // Past the due day, with reports, none of them by it.
        m.first_report
            .filter(|first| m.today > m.due && *first > m.due)
            .map(|first_report| Unjudged::NoReportByDue { first_report })
    }
}

fn backfill(days: &[NaiveDate]) -> Option<Backfill> {
    Some(Backfill {
        reports: days.len(),
        first: *days.iter().min()?,
        last: *days.iter().max()?,
    })
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
        assert_eq!(
            due_date(d("2025-10-01"), 5, true, &Workdays::default()),
            d("2025-11-05")
        );
        // 2026-01-10 is a Saturday: the Monday after.
        assert_eq!(
            due_date(d("2025-12-31"), 10, true, &Workdays::default()),
            d("2026-01-12")
        );
        // The 5th in the 国庆 holiday: the first working day after it.
        assert_eq!(
            due_date(d("2025-09-30"), 5, true, &Workdays::default()),
            d("2025-10-09")
        );
        // A plan that does not postpone: the 5th, holiday or not.
        assert_eq!(
            due_date(d("2025-09-30"), 5, false, &Workdays::default()),
            d("2025-10-05")
        );
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

    fn month(reports_due: bool, draft: bool, assigned: bool, owed: bool) -> MonthFacts<'static> {
        MonthFacts {
            reports_due,
            draft,
            assigned,
            owed,
            first_assigned: Some(d("2025-11-20")),
            backfilled: &[],
            first_report: Some(d("2025-11-21")),
            due: d("2025-11-05"),
            today: d("2025-11-30"),
        }
    }

    #[test]
    fn why_a_month_cannot_be_judged_in_order() {
        assert_eq!(
            why_unjudged(&month(false, true, false, false)),
            Some(Unjudged::NoReportsDue)
        );
        assert_eq!(
            why_unjudged(&month(true, true, true, true)),
            Some(Unjudged::Draft)
        );
        assert_eq!(
            why_unjudged(&month(true, false, false, false)),
            Some(Unjudged::NothingReports)
        );
        let days = [d("2025-11-21"), d("2025-11-25")];
        let after = MonthFacts {
            backfilled: &days,
            ..month(true, false, true, false)
        };
        assert_eq!(
            why_unjudged(&after),
            Some(Unjudged::AssignedAfterDue {
                first_assigned: d("2025-11-20"),
                backfilled: Some(Backfill {
                    reports: 2,
                    first: d("2025-11-21"),
                    last: d("2025-11-25"),
                }),
            })
        );
        // Owed, and the first report came after the due day.
        assert_eq!(
            why_unjudged(&month(true, false, true, true)),
            Some(Unjudged::NoReportByDue {
                first_report: d("2025-11-21")
            })
        );
        // A report by the due day: the month can be judged.
        let on_time = MonthFacts {
            first_report: Some(d("2025-11-05")),
            ..month(true, false, true, true)
        };
        assert_eq!(why_unjudged(&on_time), None);
        // On the due day itself nobody is late yet.
        let due_day = MonthFacts {
            today: d("2025-11-05"),
            ..month(true, false, true, true)
        };
        assert_eq!(why_unjudged(&due_day), None);
    }
}
