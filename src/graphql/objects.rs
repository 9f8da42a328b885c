use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{goal, milestone, plan, report, unit};

use super::context::RequestContext;
pub use super::enums::*;
pub use super::ids::id_of;
use super::scalars::Date;
use crate::service::PlanData;
use domain::{self, Evaluation};

/// The judgement of anything that is judged, as of a date.
#[derive(SimpleObject, Clone, Copy)]
pub struct Progress {
    /// The target in the goal's measure unit; null where not applicable.
    pub target: Option<f64>,
    /// What counts as done as of the date; null when nothing counts yet.
    pub actual: Option<f64>,
    /// c in percent, uncapped and unrounded (show one decimal).
    pub completion_percent: f64,
    /// 序时进度 e in percent; null for RATE and VETO.
    pub expected_percent: Option<f64>,
    /// c − e in percentage points; null where e is null.
    pub gap: Option<f64>,
    pub light: Light,
    pub status: ProgressStatus,
    /// A goal's weight × capped c / 100; the sum for plans, categories and units.
    pub score: Option<f64>,
}

impl From<domain::Progress> for Progress {
    fn from(p: domain::Progress) -> Self {
        Progress {
            target: p.target,
            actual: p.actual,
            completion_percent: p.completion_percent,
            expected_percent: p.expected_percent,
            gap: p.gap,
            light: p.light.into(),
            status: p.status.into(),
            score: p.score,
        }
    }
}

/// How many of a unit's assignments show each light.
#[derive(SimpleObject, Clone, Copy)]
pub struct LightCounts {
    pub green: u32,
    pub blue: u32,
    pub yellow: u32,
    pub red: u32,
}

impl From<domain::LightCounts> for LightCounts {
    fn from(c: domain::LightCounts) -> Self {
        LightCounts {
            green: c.green,
            blue: c.blue,
            yellow: c.yellow,
            red: c.red,
        }
    }
}

#[derive(SimpleObject)]
pub struct UnitProgress {
    /// 1 for the highest completion.
    pub rank: usize,
    pub unit: Unit,
    pub progress: Progress,
    pub lights: LightCounts,
}

impl UnitProgress {
    /// Ranked rows for the judged units the plan snapshot knows.
    pub fn ranked(data: &PlanData, units: &[domain::UnitJudgement]) -> Vec<UnitProgress> {
        units
            .iter()
            .filter_map(|u| Some((data.unit(u.unit_id)?.clone(), u)))
            .enumerate()
            .map(|(i, (unit, u))| UnitProgress {
                rank: i + 1,
                unit: Unit(unit),
                progress: u.progress.into(),
                lights: u.lights.into(),
            })
            .collect()
    }
}

/// One point of a trend line, at a month end.
#[derive(SimpleObject)]
pub struct TrendPoint {
    pub date: Date,
    pub completion_percent: f64,
    pub expected_percent: Option<f64>,
    pub gap: Option<f64>,
    pub light: Light,
}

impl TrendPoint {
    fn new(date: NaiveDate, p: domain::Progress) -> Self {
        TrendPoint {
            date: Date(date),
            completion_percent: p.completion_percent,
            expected_percent: p.expected_percent,
            gap: p.gap,
            light: p.light.into(),
        }
    }
}

/// The series at each month end of the plan period up to `up_to` (default
/// today), every point computed from `data`, a snapshot with the report
/// history (one load for all the points).
async fn trend(
    ctx: &Context<'_>,
    data: &PlanData,
    up_to: Option<Date>,
    pick: impl Fn(&Evaluation) -> Option<domain::Progress>,
) -> Result<Vec<TrendPoint>> {
    let rc = RequestContext::of(ctx)?;
    let up_to = up_to
        .map(|d| d.0)
        .unwrap_or_else(|| rc.today_for(&data.plan));
    let mut points = Vec::new();
    for date in domain::schedule::month_ends(data.plan.start_date, data.plan.end_date, up_to) {
        if let Some(p) = pick(&*data.evaluation(date)?) {
            points.push(TrendPoint::new(date, p));
        }
    }
    Ok(points)
}

/// One goal's part in the year-end score.
#[derive(SimpleObject)]
pub struct GoalScore {
    pub goal: Goal,
    pub weight: f64,
    pub completion_percent: f64,
    /// c after the plan's cap: what the score counts.
    pub counted_percent: f64,
    pub score: f64,
}

/// The year-end view (年终考核) as of a date.
#[derive(SimpleObject)]
pub struct Scorecard {
    pub as_of: Date,
    /// Σ of the top-level goals' scores, or 0 when vetoed.
    pub score: f64,
    /// What the score would be without the veto.
    pub score_before_veto: f64,
    /// The most the plan can score: Σ weights × the cap.
    pub max_score: f64,
    pub score_cap: f64,
    pub vetoed: bool,
    /// The VETO goals that failed.
    pub vetoed_by: Vec<Goal>,
    /// The top-level goals in plan order.
    pub goals: Vec<GoalScore>,
}

#[derive(SimpleObject)]
pub struct CategoryProgress {
    pub category: String,
    pub progress: Progress,
}

/// A goal list whose goals ask their trends reads the plan's history once,
/// before the goals resolve, instead of one query per goal.
async fn prefetch_history_for_trends(ctx: &Context<'_>, plan_id: i64) -> Result<()> {
    fn asks_trend(field: async_graphql::SelectionField<'_>) -> bool {
        field
            .selection_set()
            .any(|f| f.name() == "trend" || asks_trend(f))
    }
    if asks_trend(ctx.field()) {
        RequestContext::of(ctx)?.plan_history(plan_id).await?;
    }
    Ok(())
}

/// The judgement at the date a figure is asked for (the argument, or today
/// in the plan's zone), from the reports standing on that date.
async fn evaluation(
    ctx: &Context<'_>,
    data: &PlanData,
    as_of: Option<Date>,
) -> Result<Arc<Evaluation>> {
    let rc = RequestContext::of(ctx)?;
    let date: NaiveDate = match as_of {
        Some(Date(d)) => d,
        None => rc.today_for(&data.plan),
    };
    rc.evaluation(data.plan.id, date).await
}

/// Objects reached through the snapshot are always judged; this is the
/// error should one not be.
fn not_judged(entity: &'static str, id: i64) -> async_graphql::Error {
    crate::error::AppError::not_found(entity, id).into()
}

pub struct Plan(pub plan::Model);

impl Plan {
    /// Fields that read the plan snapshot (everything but the plan's own row).
    pub const SNAPSHOT_FIELDS: [&'static str; 10] = [
        "ownerUnit",
        "goals",
        "allGoals",
        "progress",
        "unitProgress",
        "categoryProgress",
        "vetoed",
        "scorecard",
        "trend",
        "unitTrend",
    ];
}

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
    /// DRAFT (targets being set), ACTIVE (reports accepted) or CLOSED (settled, read-only).
    async fn state(&self) -> PlanState {
        domain::PlanState::from(self.0.state).into()
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
    async fn time_progress_mode(&self) -> TimeProgressMode {
        domain::TimeProgressMode::from(self.0.time_progress_mode).into()
    }
    /// Points below time progress where BLUE turns YELLOW (inclusive).
    async fn yellow_gap(&self) -> f64 {
        self.0.yellow_gap
    }
    /// Points below time progress beyond which YELLOW turns RED.
    async fn red_gap(&self) -> f64 {
        self.0.red_gap
    }
    /// RATE goals at or above this completion are YELLOW, below RED.
    async fn rate_yellow_floor(&self) -> f64 {
        self.0.rate_yellow_floor
    }
    async fn reporting_cycle(&self) -> ReportingCycle {
        domain::ReportingCycle::from(self.0.reporting_cycle).into()
    }
    /// The day of the following month by which a report is due.
    async fn report_due_day(&self) -> i32 {
        self.0.report_due_day
    }
    /// Whether reports count only once approved.
    async fn require_approval(&self) -> bool {
        self.0.require_approval
    }
    /// Whether a failed VETO goal voids the plan's score as of the date.
    async fn vetoed(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<bool> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(evaluation(ctx, &data, as_of).await?.vetoed())
    }
    /// The year-end view: the score, each top-level goal's part, the cap and the veto.
    async fn scorecard(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Scorecard> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        let card = domain::scorecard::scorecard(data.facts(), &eval);
        let goal = |id: i64| data.goal(id).map(|g| Goal::new(&data, g));
        Ok(Scorecard {
            as_of: Date(eval.as_of),
            score: card.score,
            score_before_veto: card.score_before_veto,
            max_score: card.max_score,
            score_cap: data.plan.score_cap,
            vetoed: card.vetoed,
            vetoed_by: card.vetoed_by.iter().filter_map(|id| goal(*id)).collect(),
            goals: card
                .lines
                .iter()
                .map(|l| {
                    Ok(GoalScore {
                        goal: goal(l.goal_id).ok_or_else(|| not_judged("goal", l.goal_id))?,
                        weight: l.weight,
                        completion_percent: l.completion_percent,
                        counted_percent: l.counted_percent,
                        score: l.score,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
    /// The plan's completion and time progress at each month end up to `upTo`.
    async fn trend(&self, ctx: &Context<'_>, up_to: Option<Date>) -> Result<Vec<TrendPoint>> {
        let data = RequestContext::of(ctx)?.plan_history(self.0.id).await?;
        trend(ctx, &data, up_to, |e| Some(e.plan())).await
    }
    /// A unit's completion and time progress within this plan at each month end.
    async fn unit_trend(
        &self,
        ctx: &Context<'_>,
        unit_id: ID,
        up_to: Option<Date>,
    ) -> Result<Vec<TrendPoint>> {
        let unit_id = super::ids::parse_id("unit", &unit_id)?;
        let data = RequestContext::of(ctx)?.plan_history(self.0.id).await?;
        trend(ctx, &data, up_to, |e| e.unit(unit_id).map(|u| u.progress)).await
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
        prefetch_history_for_trends(ctx, self.0.id).await?;
        Ok(data
            .top_level_goals()
            .map(|g| Goal::new(&data, g))
            .collect())
    }
    /// Every goal of the plan, sub-goals included, parents before children.
    async fn all_goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        prefetch_history_for_trends(ctx, self.0.id).await?;
        Ok(data
            .goals_in_order()
            .into_iter()
            .map(|g| Goal::new(&data, g))
            .collect())
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(evaluation(ctx, &data, as_of).await?.plan().into())
    }
    /// Units with assignments in this plan, highest completion first, with
    /// the lights of their assignments.
    async fn unit_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<UnitProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        Ok(UnitProgress::ranked(&data, eval.units()))
    }
    /// Categories of the top-level goals, in the order they first appear.
    async fn category_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<CategoryProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
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
    async fn kind(&self) -> GoalKind {
        domain::GoalKind::from(self.model.kind).into()
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
    async fn direction(&self) -> Direction {
        domain::Direction::from(self.model.direction).into()
    }
    async fn weight(&self) -> f64 {
        self.model.weight
    }
    async fn deadline(&self) -> Option<Date> {
        self.model.deadline.map(Date)
    }
    /// Planned cumulative values per month of the plan, if the goal follows a curve.
    async fn monthly_plan(&self) -> Result<Option<Vec<f64>>> {
        Ok(crate::service::goals::monthly_plan_of(&self.model)?)
    }
    /// Completion and time progress at each month end up to `upTo`.
    async fn trend(&self, ctx: &Context<'_>, up_to: Option<Date>) -> Result<Vec<TrendPoint>> {
        let id = self.model.id;
        let history = RequestContext::of(ctx)?
            .goal_history(self.data.plan.id, id)
            .await?;
        trend(ctx, &history, up_to, |e| e.goal(id)).await
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
        let eval = evaluation(ctx, &self.data, as_of).await?;
        eval.goal(self.model.id)
            .map(Progress::from)
            .ok_or_else(|| not_judged("goal", self.model.id))
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
        Ok(domain::deadlines::share_target(
            self.model()?.target_value,
            self.goal_model()?.target_value,
        ))
    }
    /// The unit's deadline: its own, or the goal's.
    async fn deadline(&self) -> Result<Option<Date>> {
        Ok(
            domain::deadlines::share_deadline(self.model()?.deadline, self.goal_model()?.deadline)
                .map(Date),
        )
    }
    async fn responsible_person(&self) -> Result<Option<String>> {
        Ok(self.model()?.responsible_person.clone())
    }
    /// Every report ever submitted, oldest first by (asOf, submission).
    async fn reports(&self, ctx: &Context<'_>) -> Result<Vec<Report>> {
        let history = RequestContext::of(ctx)?
            .plan_history(self.data.plan.id)
            .await?;
        Ok(history.reports_of(self.id).cloned().map(Report).collect())
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
        let history = rc.plan_history(self.data.plan.id).await?;
        Ok(history
            .latest_counting_report([self.id], date)?
            .cloned()
            .map(Report))
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let eval = evaluation(ctx, &self.data, as_of).await?;
        eval.assignment(self.id)
            .map(Progress::from)
            .ok_or_else(|| not_judged("assignment", self.id))
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
    /// Completed after its due date (逾期完成); it still counts.
    async fn completed_late(&self) -> bool {
        domain::deadlines::completed_late(self.0.due_date, self.0.completed_on)
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
    /// The token name that submitted it.
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }
    /// SUBMITTED, APPROVED or RETURNED.
    async fn status(&self) -> ReviewState {
        domain::ReviewState::from(self.0.status).into()
    }
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    async fn reviewed_at(&self) -> Option<String> {
        self.0.reviewed_at.map(|t| t.to_rfc3339())
    }
    /// Why it was returned (退回原因).
    async fn review_reason(&self) -> Option<&str> {
        self.0.review_reason.as_deref()
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

/// A report waiting for review, with what it is about.
#[derive(SimpleObject)]
pub struct ReviewItem {
    pub report: Report,
    pub assignment: Assignment,
}

/// The caller of a request.
#[derive(SimpleObject)]
pub struct Me {
    /// The token's name ("operator" for MUBIAO_ADMIN_TOKEN).
    pub name: String,
    pub role: Role,
    /// The unit a REPORTER reports for.
    pub unit: Option<Unit>,
}

/// An issued token; the token itself is shown only once, at creation.
pub struct ApiToken(pub entity::api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        domain::access::Role::from(self.0.role).into()
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.unit_id {
            Some(id) => Ok(RequestContext::of(ctx)?.unit(id).await?.map(Unit)),
            None => Ok(None),
        }
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        self.0.created_at.to_rfc3339()
    }
    async fn expires_at(&self) -> Option<String> {
        self.0.expires_at.map(|t| t.to_rfc3339())
    }
    async fn last_used_at(&self) -> Option<String> {
        self.0.last_used_at.map(|t| t.to_rfc3339())
    }
    async fn revoked_at(&self) -> Option<String> {
        self.0.revoked_at.map(|t| t.to_rfc3339())
    }
}

/// A token just issued: `token` is the secret, shown this once.
#[derive(SimpleObject)]
pub struct IssuedToken {
    pub token: String,
    pub api_token: ApiToken,
}

/// One row of the audit log.
pub struct AuditEntry(pub entity::audit_log::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    /// RFC 3339, UTC.
    async fn at(&self) -> String {
        self.0.at.to_rfc3339()
    }
    async fn actor(&self) -> &str {
        &self.0.actor_name
    }
    async fn role(&self) -> &str {
        &self.0.actor_role
    }
    /// The mutation or command, e.g. "submitReport".
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    async fn object_id(&self) -> ID {
        id_of(self.0.object_id)
    }
    /// The input as given, secrets removed.
    async fn input(&self) -> Result<async_graphql::Json<serde_json::Value>> {
        let value =
            serde_json::from_str(&self.0.input).map_err(crate::error::AppError::internal)?;
        Ok(async_graphql::Json(value))
    }
}
