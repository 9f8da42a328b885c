//! When things are due, and what follows from the date: an assignment's target and
//! deadline inherited from its goal, "no deadline" meaning the plan's end,
//! and a milestone that is done, completed late (逾期完成) or overdue.
//!
//! Every place that shows or judges a date asks here, so the boundary days
//! (the due date itself, the day after) are decided once.
use chrono::NaiveDate;

/// An assignment's target: its own, or the goal's when it has none.
pub fn assignment_target(own: Option<f64>, goal: Option<f64>) -> Option<f64> {
    own.or(goal)
}

/// An assignment's deadline as set: its own, or the goal's when it has none
/// (`None` when neither sets one; see `due_by` for the date that judges).
pub fn assignment_deadline(own: Option<NaiveDate>, goal: Option<NaiveDate>) -> Option<NaiveDate> {
    own.or(goal)
}

/// The date a goal or assignment is judged against: its deadline, or the plan's
/// last day when it sets none.
pub fn due_by(deadline: Option<NaiveDate>, plan_end: NaiveDate) -> NaiveDate {
    deadline.unwrap_or(plan_end)
}

/// Past the date it was due: the due date itself is still in time.
pub fn past_due(due: NaiveDate, as_of: NaiveDate) -> bool {
    as_of > due
}

/// A milestone counts as done on a date when it was completed on or before it.
pub fn done_by(completed_on: Option<NaiveDate>, date: NaiveDate) -> bool {
    completed_on.is_some_and(|d| d <= date)
}

/// Completed after its due date (逾期完成); completed on the due date is in time.
pub fn completed_late(due: NaiveDate, completed_on: Option<NaiveDate>) -> bool {
    completed_on.is_some_and(|d| past_due(due, d))
}

/// Past its due date and not done as of the date.
pub fn milestone_overdue(
    due: NaiveDate,
    completed_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> bool {
    past_due(due, as_of) && !done_by(completed_on, as_of)
}

/// Whole days past due as of the date, 0 for anything not yet past due.
pub fn days_overdue(due: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - due).num_days().max(0)
}

/// Falls due in the window after `as_of`: later than it, at most `until`.
pub fn due_within(due: NaiveDate, as_of: NaiveDate, until: NaiveDate) -> bool {
    as_of < due && due <= until
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn completed_on_the_due_date_is_in_time_and_the_day_after_is_late() {
        let due = d("2025-10-31");
        assert!(!completed_late(due, Some(d("2025-10-30"))));
        assert!(!completed_late(due, Some(d("2025-10-31"))));
        assert!(completed_late(due, Some(d("2025-11-01"))));
        assert!(!completed_late(due, None));
    }

    #[test]
    fn a_milestone_is_overdue_from_the_day_after_it_is_due() {
        let due = d("2025-10-31");
        assert!(!milestone_overdue(due, None, d("2025-10-30")));
        assert!(!milestone_overdue(due, None, d("2025-10-31")));
        assert!(milestone_overdue(due, None, d("2025-11-01")));
        // Completed on the due date: never overdue.
        assert!(!milestone_overdue(due, Some(due), d("2025-12-31")));
        // Completed late: overdue until the day it was done, not after.
        let done = Some(d("2025-11-10"));
        assert!(milestone_overdue(due, done, d("2025-11-09")));
        assert!(!milestone_overdue(due, done, d("2025-11-10")));
    }

    #[test]
    fn days_overdue_count_from_the_day_after() {
        let due = d("2025-10-31");
        assert_eq!(days_overdue(due, d("2025-10-01")), 0);
        assert_eq!(days_overdue(due, due), 0);
        assert_eq!(days_overdue(due, d("2025-11-01")), 1);
        assert_eq!(days_overdue(due, d("2025-12-31")), 61);
    }

    #[test]
    fn done_by_includes_the_day_of_completion() {
        assert!(done_by(Some(d("2025-06-30")), d("2025-06-30")));
        assert!(!done_by(Some(d("2025-07-01")), d("2025-06-30")));
        assert!(!done_by(None, d("2025-12-31")));
    }

    #[test]
    fn assignments_inherit_the_goal_and_no_deadline_is_the_plan_end() {
        let end = d("2025-12-31");
        assert_eq!(assignment_target(None, Some(20.0)), Some(20.0));
        assert_eq!(assignment_target(Some(5.0), Some(20.0)), Some(5.0));
        assert_eq!(assignment_target(None, None), None);
        assert_eq!(
            assignment_deadline(None, Some(d("2025-10-31"))),
            Some(d("2025-10-31"))
        );
        assert_eq!(
            assignment_deadline(Some(d("2025-06-30")), Some(d("2025-10-31"))),
            Some(d("2025-06-30"))
        );
        assert_eq!(due_by(None, end), end);
        assert_eq!(due_by(Some(d("2025-06-30")), end), d("2025-06-30"));
    }

    #[test]
    fn the_window_excludes_today_and_includes_its_last_day() {
        let today = d("2025-10-01");
        let until = d("2025-10-31");
        assert!(!due_within(today, today, until));
        assert!(due_within(d("2025-10-02"), today, until));
        assert!(due_within(until, today, until));
        assert!(!due_within(d("2025-11-01"), today, until));
    }
}
