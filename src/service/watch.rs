//! The lists a target office opens every week, read from plan snapshots and
//! their evaluations: overdue goals and milestones, yellow and red lights,
//! what falls due soon, the unit ranking, and the reporting calendar.
use chrono::{Datelike, Days, NaiveDate};
use entity::{goal, milestone};

use super::PlanData;
use crate::error::AppResult;
use domain::calendar::{self, ReportState, Submission};
pub use domain::calendar::{Backfill, Unjudged};
use domain::{
    Evaluation, GoalKind, Light, PlanState, Progress, ReportingCycle, Status, UnitJudgement, dates,
    deadlines,
};

/// Narrows a list; every field is optional and they combine with AND.
#[derive(Clone, Debug, Default)]
pub struct WatchFilter {
    pub plan_id: Option<i64>,
    /// Goals this unit leads or carries an assignment of.
    pub unit_id: Option<i64>,
    pub category: Option<String>,
    pub lights: Option<Vec<Light>>,
}

impl WatchFilter {
    fn unit_takes_part(&self, data: &PlanData, goal: &goal::Model) -> bool {
        match self.unit_id {
            None => true,
            Some(unit) => {
                goal.lead_unit_id == Some(unit)
                    || data.assignments_of(goal.id).any(|a| a.unit_id == unit)
            }
        }
    }

    fn in_category(&self, goal: &goal::Model) -> bool {
        match &self.category {
            None => true,
            Some(c) => goal.category.as_deref() == Some(c.as_str()),
        }
    }

    fn light_wanted(&self, light: Light) -> bool {
        self.lights.as_ref().is_none_or(|ls| ls.contains(&light))
    }

    /// Unit and category; the light is checked by each list.
    fn goal_selected(&self, data: &PlanData, goal: &goal::Model) -> bool {
        self.unit_takes_part(data, goal) && self.in_category(goal)
    }
}

/// A goal with its judgement.
pub struct JudgedGoal<'a> {
    pub goal: &'a goal::Model,
    pub progress: Progress,
}

/// Whether a watch list follows a goal: only one with something to reach,
/// a target value (CUMULATIVE, RATE, RANK, a VETO limit) or, for a
/// MILESTONE goal, its dated milestones. A GROUP only groups (its sub-goals
/// are listed on their own), and a goal with nothing to reach has a light
/// that says nothing (a MILESTONE goal without milestones is judged on
/// time alone and turns red as the year goes by).
fn has_target(data: &PlanData, goal: &goal::Model) -> bool {
    match GoalKind::from(goal.kind) {
        GoalKind::Group => false,
        GoalKind::Milestone => data.milestones_of(goal.id).next().is_some(),
        _ => goal.target_value.is_some(),
    }
}

/// The goals a watch list may hold, with their judgement.
fn judged<'a>(data: &'a PlanData, eval: &Evaluation) -> impl Iterator<Item = JudgedGoal<'a>> {
    data.goals()
        .iter()
        .filter(|g| has_target(data, g))
        .filter_map(move |g| {
            Some(JudgedGoal {
                goal: g,
                progress: eval.goal(g.id)?,
            })
        })
}

/// How many of the goals the watch lists follow (those with something to
/// reach) show each light: the plan's light distribution.
pub fn goal_lights(data: &PlanData, eval: &Evaluation) -> domain::LightCounts {
    let mut counts = domain::LightCounts::default();
    for j in judged(data, eval) {
        counts.add(j.progress.light);
    }
    counts
}

/// Goals that are OVERDUE as of the evaluation's date.
pub fn overdue_goals<'a>(
    data: &'a PlanData,
    eval: &Evaluation,
    f: &WatchFilter,
) -> Vec<JudgedGoal<'a>> {
    judged(data, eval)
        .filter(|j| j.progress.status == Status::Overdue)
        .filter(|j| f.goal_selected(data, j.goal) && f.light_wanted(j.progress.light))
        .collect()
}

/// Goals whose light is among `f.lights`, YELLOW and RED unless told otherwise.
pub fn warning_goals<'a>(
    data: &'a PlanData,
    eval: &Evaluation,
    f: &WatchFilter,
) -> Vec<JudgedGoal<'a>> {
    let default = [Light::Yellow, Light::Red];
    let wanted = f.lights.as_deref().unwrap_or(&default);
    judged(data, eval)
        .filter(|j| wanted.contains(&j.progress.light))
        .filter(|j| f.goal_selected(data, j.goal))
        .collect()
}

/// A milestone with the goal it belongs to.
pub struct MilestoneEntry<'a> {
    pub milestone: &'a milestone::Model,
    pub goal: &'a goal::Model,
    /// Days past due as of the date (0 for one not yet due).
    pub days_overdue: i64,
}

fn milestones_where<'a>(
    data: &'a PlanData,
    eval: &Evaluation,
    f: &WatchFilter,
    keep: impl Fn(&milestone::Model) -> bool,
) -> Vec<MilestoneEntry<'a>> {
    let as_of = eval.as_of;
    data.goals()
        .iter()
        .filter(|g| f.goal_selected(data, g))
        .filter(|g| eval.goal(g.id).is_some_and(|p| f.light_wanted(p.light)))
        .flat_map(|g| data.milestones_of(g.id).map(move |m| (g, m)))
        .filter(|(_, m)| keep(m))
        .map(|(g, m)| MilestoneEntry {
            milestone: m,
            goal: g,
            days_overdue: deadlines::days_overdue(m.due_date, as_of),
        })
        .collect()
}

/// Milestones past their due date and not completed as of the date.
pub fn overdue_milestones<'a>(
    data: &'a PlanData,
    eval: &Evaluation,
    f: &WatchFilter,
) -> Vec<MilestoneEntry<'a>> {
    let as_of = eval.as_of;
    milestones_where(data, eval, f, |m| {
        deadlines::milestone_overdue(m.due_date, m.completed_on, as_of)
    })
}

/// What falls due in the `days` days after the date: goals with their
/// deadline (the plan end when they set none) and milestones, not yet done.
pub fn upcoming<'a>(
    data: &'a PlanData,
    eval: &Evaluation,
    days: u32,
    f: &WatchFilter,
) -> (Vec<JudgedGoal<'a>>, Vec<MilestoneEntry<'a>>) {
    let as_of = eval.as_of;
    let until = as_of
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX);
    let in_window = |d: NaiveDate| deadlines::due_within(d, as_of, until);
    let goals = judged(data, eval)
        .filter(|j| in_window(deadlines::due_by(j.goal.deadline, data.plan.end_date)))
        .filter(|j| j.progress.status != Status::Completed)
        .filter(|j| f.goal_selected(data, j.goal) && f.light_wanted(j.progress.light))
        .collect();
    let milestones = milestones_where(data, eval, f, |m| {
        in_window(m.due_date) && !deadlines::done_by(m.completed_on, as_of)
    });
    (goals, milestones)
}

/// The unit ranking, over the goals of the category if one is given; with
/// a light filter only units showing one of those lights are kept.
pub fn unit_ranking(data: &PlanData, eval: &Evaluation, f: &WatchFilter) -> Vec<UnitJudgement> {
    let units = match &f.category {
        None => eval.units().to_vec(),
        Some(_) => {
            let in_category: std::collections::HashSet<i64> = data
                .goals()
                .iter()
                .filter(|g| f.in_category(g))
                .map(|g| g.id)
                .collect();
            eval.units_where(data.facts(), |g| in_category.contains(&g.id))
        }
    };
    units
        .into_iter()
        .filter(|u| f.unit_id.is_none_or(|id| id == u.unit_id))
        .filter(|u| match &f.lights {
            None => true,
            Some(ls) => ls.iter().any(|l| u.lights.of(*l) > 0),
        })
        .collect()
}

/// One assignment's line in the reporting calendar.
pub struct CalendarLine {
    pub assignment_id: i64,
    pub unit_id: i64,
    pub goal_id: i64,
    pub state: ReportState,
    pub first_submitted_on: Option<NaiveDate>,
}

pub use domain::calendar::UnitCounts as CalendarCounts;

pub struct Calendar {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Whether the plan's cycle asks for reports this month.
    pub reports_due: bool,
    pub due_date: NaiveDate,
    pub lines: Vec<CalendarLine>,
    /// Units in order of first appearance, the worst (most missing, then late) first.
    pub units: Vec<CalendarCounts>,
    /// Why the month cannot tell who reported on time, if it cannot.
    pub unjudged: Option<Unjudged>,
}

/// The reporting calendar of `month` (its first day) as seen on `today`.
/// Assignments of goals that take reports count, from the month their
/// assignment was made by the due day.
pub fn calendar(
    data: &PlanData,
    month: NaiveDate,
    today: NaiveDate,
    f: &WatchFilter,
    workdays: &domain::workdays::Workdays,
) -> AppResult<Calendar> {
    let cycle = ReportingCycle::from(data.plan.reporting_cycle);
    let zone = dates::parse_time_zone(&data.plan.time_zone).unwrap_or(chrono_tz::Asia::Shanghai);
    let due = calendar::due_date(
        month,
        data.plan.report_due_day,
        data.plan.report_due_postponed,
        workdays,
    );
    let reports_due = calendar::reports_due_in(cycle, month);
    let mut lines = Vec::new();
    // What says why the month cannot be judged, if it cannot.
    let mut assigned = false;
    let mut first_assigned: Option<NaiveDate> = None;
    let mut first_report: Option<NaiveDate> = None;
    let mut backfilled: Vec<NaiveDate> = Vec::new();
    if reports_due {
        for goal in data.goals() {
            let takes_reports = GoalKind::from(goal.kind).takes_reports();
            if !takes_reports || !f.goal_selected(data, goal) {
                continue;
            }
            for a in data.assignments_of(goal.id) {
                if f.unit_id.is_some_and(|u| u != a.unit_id) {
                    continue;
                }
                let submissions: Vec<Submission> = data
                    .reports_of(a.id)
                    .filter(|r| calendar::counts_as_submitted(r.status.into()))
                    .map(|r| Submission {
                        as_of: r.as_of,
                        submitted_on: dates::today_in(zone, r.submitted_at),
                    })
                    // Seen on `today`, later submissions do not exist yet.
                    .filter(|s| s.submitted_on <= today)
                    .collect();
                let assigned_on = dates::today_in(zone, a.created_at);
                assigned = true;
                first_assigned = Some(first_assigned.map_or(assigned_on, |d| d.min(assigned_on)));
                first_report = submissions
                    .iter()
                    .map(|s| s.submitted_on)
                    .chain(first_report)
                    .min();
                if !calendar::owes_report(assigned_on, due) {
                    backfilled.extend(
                        submissions
                            .iter()
                            .filter(|s| {
                                s.as_of.year() == month.year() && s.as_of.month() == month.month()
                            })
                            .map(|s| s.submitted_on),
                    );
                    continue;
                }
                let (state, first) = calendar::report_state(&submissions, month, due, today);
                lines.push(CalendarLine {
                    assignment_id: a.id,
                    unit_id: a.unit_id,
                    goal_id: goal.id,
                    state,
                    first_submitted_on: first,
                });
            }
        }
    }
    let units = calendar::unit_counts(lines.iter().map(|l| (l.unit_id, l.state)));
    let unjudged = calendar::why_unjudged(&calendar::MonthFacts {
        reports_due,
        draft: PlanState::from(data.plan.state) == PlanState::Draft,
        assigned,
        owed: !lines.is_empty(),
        first_assigned,
        backfilled: &backfilled,
        first_report,
        due,
        today,
    });
    Ok(Calendar {
        month,
        reports_due,
        due_date: due,
        lines,
        units,
        unjudged,
    })
}
