use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{goal, milestone, plan, report, unit};

use super::context::RequestContext;
use super::scalars::Date;
use crate::domain::{self, Evaluation};
use crate::service::PlanData;

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "GoalKind", remote = "crate::domain::GoalKind")]
pub enum GoalKind {
    Cumulative,
    Rate,
    Milestone,
    Veto,
    Group,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "Direction", remote = "crate::domain::Direction")]
pub enum Direction {
    Increase,
    Decrease,
}

/// Completion figures of anything that is judged.
#[derive(SimpleObject, Clone, Copy)]
pub struct Progress {
    /// The target in the goal's measure unit; null where not applicable.
    pub target: Option<f64>,
    /// What counts as done as of the date; null when nothing counts yet.
    pub actual: Option<f64>,
    /// c in percent, uncapped and unrounded (show one decimal).
    pub completion_percent: f64,
}

impl From<domain::Progress> for Progress {
    fn from(p: domain::Progress) -> Self {
        Progress {
            target: p.target,
            actual: p.actual,
            completion_percent: p.completion_percent,
        }
    }
}

#[derive(SimpleObject)]
pub struct UnitProgress {
    pub unit: Unit,
    pub progress: Progress,
}

#[derive(SimpleObject)]
pub struct CategoryProgress {
    pub category: String,
    pub progress: Progress,
}

pub fn id_of(id: i64) -> ID {
    ID(id.to_string())
}

/// The date a figure is asked for: the argument, or today in the plan's zone.
fn evaluation(ctx: &Context<'_>, data: &PlanData, as_of: Option<Date>) -> Result<Arc<Evaluation>> {
    let rc = RequestContext::of(ctx)?;
    let date: NaiveDate = match as_of {
        Some(Date(d)) => d,
        None => rc.today_for(&data.plan),
    };
    Ok(data.evaluation(date))
}

/// A progress figure of an object missing from the evaluated tree (it cannot
/// happen for objects reached through the snapshot; kept total for safety).
fn zero() -> Progress {
    domain::Progress::percent_only(0.0).into()
}

pub struct Plan(pub plan::Model);

#[Object]
impl Plan {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }
    /// IANA zone deciding "today" for figures asked without asOf.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Cap on each goal's completion where it feeds a roll-up (1.0 = 100 %).
    async fn score_cap(&self) -> f64 {
        self.0.score_cap
    }
    async fn owner_unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        Ok(RequestContext::of(ctx)?
            .unit(self.0.owner_unit_id)
            .await?
            .map(Unit))
    }
    /// Top-level goals in 分解表 order.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(data
            .top_level_goals()
            .map(|g| Goal::new(&data, g))
            .collect())
    }
    /// Every goal of the plan, sub-goals included, parents before children.
    async fn all_goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let mut out = Vec::new();
        let mut stack: Vec<&goal::Model> = data.top_level_goals().collect();
        stack.reverse();
        while let Some(g) = stack.pop() {
            out.push(Goal::new(&data, g));
            let mut children: Vec<&goal::Model> = data.children(g.id).collect();
            children.reverse();
            stack.extend(children);
        }
        Ok(out)
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(evaluation(ctx, &data, as_of)?.plan().into())
    }
    /// Units with assignments in this plan, highest completion first.
    async fn unit_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<UnitProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of)?;
        Ok(eval
            .units()
            .iter()
            .filter_map(|(unit_id, progress)| {
                Some(UnitProgress {
                    unit: Unit(data.unit(*unit_id)?.clone()),
                    progress: (*progress).into(),
                })
            })
            .collect())
    }
    /// Categories of the top-level goals, in the order they first appear.
    async fn category_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<CategoryProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of)?;
        Ok(eval
            .categories()
            .iter()
            .map(|(category, progress)| CategoryProgress {
                category: category.clone(),
                progress: (*progress).into(),
            })
            .collect())
    }
}

pub struct Goal {
    data: Arc<PlanData>,
    model: goal::Model,
}

impl Goal {
    pub fn new(data: &Arc<PlanData>, model: &goal::Model) -> Self {
        Goal {
            data: data.clone(),
            model: model.clone(),
        }
    }
}

#[Object]
impl Goal {
    async fn id(&self) -> ID {
        id_of(self.model.id)
    }
    async fn plan(&self) -> Plan {
        Plan(self.data.plan.clone())
    }
    async fn parent(&self) -> Option<Goal> {
        let parent = self.data.goal(self.model.parent_id?)?;
        Some(Goal::new(&self.data, parent))
    }
    /// The 序号 as printed in the 分解表, e.g. "3.1".
    async fn code(&self) -> Option<&str> {
        self.model.code.as_deref()
    }
    async fn title(&self) -> &str {
        &self.model.title
    }
    async fn category(&self) -> Option<&str> {
        self.model.category.as_deref()
    }
    async fn kind(&self) -> Result<GoalKind> {
        let kind: domain::GoalKind = self
            .model
            .kind
            .parse()
            .map_err(crate::error::AppError::internal)?;
        Ok(kind.into())
    }
    async fn measure_unit(&self) -> Option<&str> {
        self.model.measure_unit.as_deref()
    }
    async fn target_value(&self) -> Option<f64> {
        self.model.target_value
    }
    async fn baseline_value(&self) -> Option<f64> {
        self.model.baseline_value
    }
    async fn direction(&self) -> Result<Direction> {
        let d: domain::Direction = self
            .model
            .direction
            .parse()
            .map_err(crate::error::AppError::internal)?;
        Ok(d.into())
    }
    async fn weight(&self) -> f64 {
        self.model.weight
    }
    async fn deadline(&self) -> Option<Date> {
        self.model.deadline.map(Date)
    }
    async fn lead_unit(&self) -> Option<Unit> {
        self.data.unit(self.model.lead_unit_id?).cloned().map(Unit)
    }
    async fn supporting_units(&self) -> Vec<Unit> {
        self.data
            .supporting_unit_ids(self.model.id)
            .into_iter()
            .filter_map(|id| self.data.unit(id).cloned().map(Unit))
            .collect()
    }
    async fn responsible_leader(&self) -> Option<&str> {
        self.model.responsible_leader.as_deref()
    }
    async fn responsible_person(&self) -> Option<&str> {
        self.model.responsible_person.as_deref()
    }
    /// The target as worded in the 责任书.
    async fn original_text(&self) -> Option<&str> {
        self.model.original_text.as_deref()
    }
    async fn children(&self) -> Vec<Goal> {
        self.data
            .children(self.model.id)
            .map(|g| Goal::new(&self.data, g))
            .collect()
    }
    async fn assignments(&self) -> Vec<Assignment> {
        self.data
            .assignments_of(self.model.id)
            .map(|a| Assignment::new(&self.data, a.id))
            .collect()
    }
    async fn milestones(&self) -> Vec<Milestone> {
        self.data
            .milestones_of(self.model.id)
            .cloned()
            .map(Milestone)
            .collect()
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let eval = evaluation(ctx, &self.data, as_of)?;
        Ok(eval
            .goal(self.model.id)
            .map(Progress::from)
            .unwrap_or_else(zero))
    }
}

pub struct Assignment {
    data: Arc<PlanData>,
    id: i64,
}

impl Assignment {
    pub fn new(data: &Arc<PlanData>, id: i64) -> Self {
        Assignment {
            data: data.clone(),
            id,
        }
    }

    fn model(&self) -> Result<&entity::assignment::Model> {
        self.data
            .assignment(self.id)
            .ok_or_else(|| crate::error::AppError::not_found("assignment", self.id).into())
    }

    fn goal_model(&self) -> Result<&goal::Model> {
        let goal_id = self.model()?.goal_id;
        self.data
            .goal(goal_id)
            .ok_or_else(|| crate::error::AppError::not_found("goal", goal_id).into())
    }
}

#[Object]
impl Assignment {
    async fn id(&self) -> ID {
        id_of(self.id)
    }
    async fn goal(&self) -> Result<Goal> {
        Ok(Goal::new(&self.data, self.goal_model()?))
    }
    async fn unit(&self) -> Result<Unit> {
        let unit_id = self.model()?.unit_id;
        self.data
            .unit(unit_id)
            .cloned()
            .map(Unit)
            .ok_or_else(|| crate::error::AppError::not_found("unit", unit_id).into())
    }
    /// The unit's share: its own target, or the goal's when it has none.
    async fn target_value(&self) -> Result<Option<f64>> {
        Ok(self
            .model()?
            .target_value
            .or(self.goal_model()?.target_value))
    }
    /// The unit's deadline: its own, or the goal's.
    async fn deadline(&self) -> Result<Option<Date>> {
        Ok(self
            .model()?
            .deadline
            .or(self.goal_model()?.deadline)
            .map(Date))
    }
    async fn responsible_person(&self) -> Result<Option<String>> {
        Ok(self.model()?.responsible_person.clone())
    }
    /// Every report ever submitted, oldest first by (asOf, submission).
    async fn reports(&self) -> Vec<Report> {
        self.data.reports_of(self.id).cloned().map(Report).collect()
    }
    /// The report that stands as of the date (the latest counting one).
    async fn latest_report(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Option<Report>> {
        let rc = RequestContext::of(ctx)?;
        let date = as_of
            .map(|d| d.0)
            .unwrap_or_else(|| rc.today_for(&self.data.plan));
        Ok(self
            .data
            .reports_of(self.id)
            .filter(|r| r.as_of <= date)
            .last()
            .cloned()
            .map(Report))
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let eval = evaluation(ctx, &self.data, as_of)?;
        Ok(eval
            .assignment(self.id)
            .map(Progress::from)
            .unwrap_or_else(zero))
    }
}

pub struct Milestone(pub milestone::Model);

#[Object]
impl Milestone {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    async fn weight(&self) -> f64 {
        self.0.weight
    }
    async fn completed_on(&self) -> Option<Date> {
        self.0.completed_on.map(Date)
    }
}

pub struct Report(pub report::Model);

#[Object]
impl Report {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// The cumulative value (or current level) as of `asOf`.
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// 进展: progress notes.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 问题: problems met.
    async fn problems(&self) -> Option<&str> {
        self.0.problems.as_deref()
    }
    /// 下一步: next steps.
    async fn next_steps(&self) -> Option<&str> {
        self.0.next_steps.as_deref()
    }
    /// When the report was submitted (RFC 3339, UTC).
    async fn submitted_at(&self) -> String {
        self.0.submitted_at.to_rfc3339()
    }
}

#[derive(Clone)]
pub struct Unit(pub unit::Model);

#[Object]
impl Unit {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.parent_id {
            Some(id) => Ok(RequestContext::of(ctx)?.unit(id).await?.map(Unit)),
            None => Ok(None),
        }
    }
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
}
