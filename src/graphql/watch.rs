//! Queries of the lists a target office opens every week, and the
//! reporting calendar. Thin: the selection lives in `service::watch`.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{Datelike, NaiveDate};

use super::context::RequestContext;
use super::inputs::{parse_id, parse_opt_id};
use super::objects::{Assignment, Goal, Light, Milestone, Plan, Progress, Unit, UnitProgress};
use super::scalars::Date;
use super::supervision::SupervisionFigures;
use crate::error::{AppError, ErrorCode};
use crate::service::plan_data::ReportScope;
use crate::service::watch::{self, JudgedGoal, MilestoneEntry};
use crate::service::{PlanData, plans};
use domain::{self, Evaluation};

/// Narrows a list; the fields combine.
#[derive(InputObject, Default)]
pub struct WatchFilter {
    /// One plan; all open plans when absent.
    pub plan_id: Option<ID>,
    /// Goals this unit leads or carries an assignment of.
    pub unit_id: Option<ID>,
    pub category: Option<String>,
    pub lights: Option<Vec<Light>>,
}

impl WatchFilter {
    fn to_service(&self) -> Result<watch::WatchFilter> {
        Ok(watch::WatchFilter {
            plan_id: parse_opt_id("plan", &self.plan_id)?,
            unit_id: parse_opt_id("unit", &self.unit_id)?,
            category: self.category.clone(),
            lights: self
                .lights
                .as_ref()
                .map(|ls| ls.iter().map(|l| (*l).into()).collect()),
        })
    }
}

#[derive(SimpleObject)]
pub struct GoalWatch {
    pub plan: Plan,
    pub goal: Goal,
    pub progress: Progress,
    /// The goal's deadline, or its plan's end when it sets none.
    pub deadline: Date,
}

#[derive(SimpleObject)]
pub struct MilestoneWatch {
    pub plan: Plan,
    pub goal: Goal,
    pub milestone: Milestone,
    /// Days past due as of the date (0 for one not yet due).
    pub days_overdue: i64,
}

#[derive(SimpleObject)]
pub struct WatchList {
    pub goals: Vec<GoalWatch>,
    pub milestones: Vec<MilestoneWatch>,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::calendar::ReportState")]
pub enum ReportState {
    Reported,
    Late,
    Missing,
    Pending,
}

/// Why a month's calendar cannot say who reported on time (the 填报情况
/// sheet of the export gives the same reasons).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum Unjudgeable {
    /// The plan reports quarterly and asks nothing this month.
    NoReportsDue,
    /// The plan is a DRAFT: it takes no reports yet.
    Draft,
    /// No assignment of a goal that takes reports (MILESTONE goals report
    /// by completing milestones; GROUP goals only group).
    NothingReports,
    /// Every assignment was made after the month's due day (a plan filled
    /// in after the fact): none owed the month on time.
    AssignedAfterDue,
    /// No report of the plan had come in by the month's due day: its late
    /// and missing reports may say how the plan was filled in rather than
    /// who was late.
    NoReportByDue,
}

impl From<&watch::Unjudged> for Unjudgeable {
    fn from(why: &watch::Unjudged) -> Self {
        match why {
            watch::Unjudged::NoReportsDue => Unjudgeable::NoReportsDue,
            watch::Unjudged::Draft => Unjudgeable::Draft,
            watch::Unjudged::NothingReports => Unjudgeable::NothingReports,
            watch::Unjudged::AssignedAfterDue { .. } => Unjudgeable::AssignedAfterDue,
            watch::Unjudged::NoReportByDue { .. } => Unjudgeable::NoReportByDue,
        }
    }
}

#[derive(SimpleObject)]
pub struct CalendarEntry {
    pub assignment: Assignment,
    pub unit: Unit,
    pub goal: Goal,
    pub state: ReportState,
    /// The day (in the plan's time zone) the month's first report came in.
    pub first_submitted_on: Option<Date>,
}

#[derive(SimpleObject)]
pub struct UnitReporting {
    pub unit: Unit,
    pub reported: u32,
    pub late: u32,
    pub missing: u32,
    pub pending: u32,
}

/// 填报日历: who reported for a month, who was late, who is missing.
#[derive(SimpleObject)]
pub struct ReportingCalendar {
    /// "YYYY-MM".
    pub month: String,
    /// False in months the plan's cycle asks no report for.
    pub reports_due: bool,
    pub due_date: Date,
    pub assignments: Vec<CalendarEntry>,
    /// One row per unit, the most missing and late first.
    pub units: Vec<UnitReporting>,
    /// Why the month cannot say who reported on time; null when it can.
    pub unjudgeable: Option<Unjudgeable>,
    /// The same, explained in the caller's language (with the dates that
    /// tell it: the due day, when the first assignment was made or the
    /// first report came in).
    pub unjudgeable_reason: Option<String>,
}

fn goal_watch(data: &Arc<PlanData>, j: JudgedGoal<'_>) -> GoalWatch {
    GoalWatch {
        plan: Plan(data.plan.clone()),
        goal: Goal::new(data, j.goal),
        progress: j.progress.into(),
        deadline: Date(domain::deadlines::due_by(
            j.goal.deadline,
            data.plan.end_date,
        )),
    }
}

fn milestone_watch(data: &Arc<PlanData>, m: MilestoneEntry<'_>) -> MilestoneWatch {
    MilestoneWatch {
        plan: Plan(data.plan.clone()),
        goal: Goal::new(data, m.goal),
        milestone: Milestone(m.milestone.clone()),
        days_overdue: m.days_overdue,
    }
}

/// The plans a list covers, with their evaluations as of the date (each
/// plan's own "today" when absent). All snapshots load in one batch.
async fn judged_plans(
    ctx: &Context<'_>,
    filter: &watch::WatchFilter,
    as_of: Option<Date>,
) -> Result<Vec<(Arc<PlanData>, Arc<Evaluation>)>> {
    let rc = RequestContext::of(ctx)?;
    rc.actor()?;
    let data = match filter.plan_id {
        // One plan: refused outright if the caller may not read it.
        Some(id) => vec![rc.readable_plan(plans::find(&rc.db, id).await?.id).await?],
        // Every plan: silently only those the caller may read.
        None => {
            let ids: Vec<i64> = plans::list(&rc.db)
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect();
            let mut readable = Vec::new();
            for data in rc.plans_data(&ids).await? {
                if rc.may_read(&data).await? {
                    readable.push(data);
                }
            }
            readable
        }
    };
    // Each plan judged at its date (today in its own zone unless given),
    // from the reports standing on it: one query per distinct date.
    let dated: Vec<(Arc<PlanData>, NaiveDate)> = data
        .into_iter()
        .map(|d| {
            let date = as_of.map(|a| a.0).unwrap_or_else(|| rc.today_for(&d.plan));
            (d, date)
        })
        .collect();
    let mut dates: Vec<NaiveDate> = dated.iter().map(|(_, date)| *date).collect();
    dates.sort_unstable();
    dates.dedup();
    let mut standing = HashMap::new();
    for date in dates {
        let ids: Vec<i64> = dated
            .iter()
            .filter(|(_, d)| *d == date)
            .map(|(p, _)| p.plan.id)
            .collect();
        for snapshot in rc.plans_in(&ids, ReportScope::StandingOn(date)).await? {
            standing.insert(snapshot.plan.id, snapshot.evaluation(date)?);
        }
    }
    Ok(dated
        .into_iter()
        .filter_map(|(d, _)| {
            let eval = standing.get(&d.plan.id)?.clone();
            Some((d, eval))
        })
        .collect())
}

/// "2025-10" → 1 October 2025.
pub(super) fn parse_month(month: &str) -> Option<NaiveDate> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

#[derive(Default)]
pub struct WatchQuery;

#[Object]
impl WatchQuery {
    /// Goals that are OVERDUE and milestones past due, as of the date.
    async fn overdue(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        filter: Option<WatchFilter>,
    ) -> Result<WatchList> {
        let f = filter.unwrap_or_default().to_service()?;
        let mut list = WatchList {
            goals: vec![],
            milestones: vec![],
        };
        for (data, eval) in judged_plans(ctx, &f, as_of).await? {
            list.goals.extend(
                watch::overdue_goals(&data, &eval, &f)
                    .into_iter()
                    .map(|j| goal_watch(&data, j)),
            );
            list.milestones.extend(
                watch::overdue_milestones(&data, &eval, &f)
                    .into_iter()
                    .map(|m| milestone_watch(&data, m)),
            );
        }
        Ok(list)
    }

    /// Goals whose light is YELLOW or RED (or the lights the filter names).
    async fn warnings(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        filter: Option<WatchFilter>,
    ) -> Result<Vec<GoalWatch>> {
        let f = filter.unwrap_or_default().to_service()?;
        let mut out = Vec::new();
        for (data, eval) in judged_plans(ctx, &f, as_of).await? {
            out.extend(
                watch::warning_goals(&data, &eval, &f)
                    .into_iter()
                    .map(|j| goal_watch(&data, j)),
            );
        }
        Ok(out)
    }

    /// Goal deadlines and milestones falling due in the `days` days after the date.
    async fn upcoming(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        #[graphql(default = 30)] days: u32,
        filter: Option<WatchFilter>,
    ) -> Result<WatchList> {
        let f = filter.unwrap_or_default().to_service()?;
        let mut list = WatchList {
            goals: vec![],
            milestones: vec![],
        };
        for (data, eval) in judged_plans(ctx, &f, as_of).await? {
            let (goals, milestones) = watch::upcoming(&data, &eval, days, &f);
            list.goals
                .extend(goals.into_iter().map(|j| goal_watch(&data, j)));
            list.milestones
                .extend(milestones.into_iter().map(|m| milestone_watch(&data, m)));
        }
        Ok(list)
    }

    /// A plan's units ranked by completion, with the lights of their assignments.
    async fn unit_ranking(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        as_of: Option<Date>,
        filter: Option<WatchFilter>,
    ) -> Result<Vec<UnitProgress>> {
        let mut f = filter.unwrap_or_default().to_service()?;
        let plan_id = parse_id("plan", &plan_id)?;
        f.plan_id = Some(plan_id);
        let rc = RequestContext::of(ctx)?;
        let asked = ctx.look_ahead().field("supervision").exists();
        let mut out = Vec::new();
        for (data, eval) in judged_plans(ctx, &f, as_of).await? {
            let date = as_of.map_or_else(|| rc.today_for(&data.plan), |d| d.0);
            // Loaded only when asked: the ranking alone costs what it did.
            let figures: HashMap<i64, SupervisionFigures> = if asked {
                super::supervision::figures_by_unit(ctx, data.plan.id, date)
                    .await?
                    .into_iter()
                    .collect()
            } else {
                HashMap::new()
            };
            out.extend(
                UnitProgress::ranked(&data, &watch::unit_ranking(&data, &eval, &f))
                    .into_iter()
                    .map(|mut row| {
                        row.supervision = figures.get(&row.unit.0.id).copied().unwrap_or_default();
                        row
                    }),
            );
        }
        Ok(out)
    }

    /// The reporting calendar of a month ("YYYY-MM") as of today.
    async fn reporting_calendar(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        month: String,
        filter: Option<WatchFilter>,
    ) -> Result<ReportingCalendar> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let f = filter.unwrap_or_default().to_service()?;
        let first = parse_month(&month).ok_or_else(|| {
            AppError::refused(
                ErrorCode::InvalidDate,
                format!("月份“{month}”的格式不对，请按 YYYY-MM 填写（如 2025-10）"),
                format!("{month:?} is not a month in YYYY-MM form"),
            )
        })?;
        let plan_id = parse_id("plan", &plan_id)?;
        rc.readable_plan(plan_id).await?;
        // Who reported when in the month: the calendar reads the history.
        let data = rc.plan_history(plan_id).await?;
        if domain::schedule::month_end(first) < data.plan.start_date || first > data.plan.end_date {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!(
                    "{month} 不在计划期（{} 至 {}）内，请选择计划期内的月份",
                    data.plan.start_date, data.plan.end_date
                ),
                format!(
                    "{month} is outside the plan period {} to {}",
                    data.plan.start_date, data.plan.end_date
                ),
            )
            .into());
        }
        let workdays = crate::service::notify::workdays::in_force(&rc.db).await?;
        let cal = watch::calendar(&data, first, rc.today_for(&data.plan), &f, &workdays)?;
        let unit = |id: i64| {
            data.unit(id)
                .cloned()
                .map(Unit)
                .ok_or_else(|| AppError::not_found("unit", id))
        };
        let mut assignments = Vec::new();
        for line in &cal.lines {
            let goal = data
                .goal(line.goal_id)
                .ok_or_else(|| AppError::not_found("goal", line.goal_id))?;
            assignments.push(CalendarEntry {
                assignment: Assignment::new(&data, line.assignment_id),
                unit: unit(line.unit_id)?,
                goal: Goal::new(&data, goal),
                state: line.state.into(),
                first_submitted_on: line.first_submitted_on.map(Date),
            });
        }
        let mut units = Vec::new();
        for row in &cal.units {
            units.push(UnitReporting {
                unit: unit(row.unit_id)?,
                reported: row.reported,
                late: row.late,
                missing: row.missing,
                pending: row.pending,
            });
        }
        Ok(ReportingCalendar {
            month: format!("{:04}-{:02}", cal.month.year(), cal.month.month()),
            reports_due: cal.reports_due,
            due_date: Date(cal.due_date),
            assignments,
            units,
            unjudgeable: cal.unjudged.as_ref().map(Unjudgeable::from),
            unjudgeable_reason: cal.unjudged.as_ref().map(|why| {
                why.message(cal.month, cal.due_date)
                    .get(rc.lang())
                    .to_string()
            }),
        })
    }
}
