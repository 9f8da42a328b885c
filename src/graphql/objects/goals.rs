//! A goal (目标任务) with its figures, assignments and milestones.
use super::*;
use domain::completion::unsigned_zero;

pub struct Goal {
    pub(super) data: Arc<PlanData>,
    pub(super) model: goal::Model,
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
        self.model.target_value.map(unsigned_zero)
    }
    async fn baseline_value(&self) -> Option<f64> {
        self.model.baseline_value.map(unsigned_zero)
    }
    async fn direction(&self) -> Direction {
        domain::Direction::from(self.model.direction).into()
    }
    /// Points out of the plan total (分值); 0 for a 一票否决 item and for a
    /// 其中 row without points of its own.
    async fn weight(&self) -> f64 {
        unsigned_zero(self.model.weight)
    }
    async fn deadline(&self) -> Option<Date> {
        self.model.deadline.map(Date)
    }
    /// Planned cumulative values per month of the plan, if the goal follows a curve.
    async fn monthly_plan(&self) -> Result<Option<Vec<f64>>> {
        Ok(crate::service::goals::monthly_plan_of(&self.model)?
            .map(|curve| curve.into_iter().map(unsigned_zero).collect()))
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
    /// A 其中 row: shown under its parent with its own figures, never added
    /// into the parent's actual; it weighs 0 unless given points.
    async fn subset(&self) -> bool {
        self.model.subset
    }
    /// Last year's result (上年完成), in the goal's measure unit.
    async fn previous_year_value(&self) -> Option<f64> {
        self.model.previous_year_value.map(unsigned_zero)
    }
    /// 备注.
    async fn remarks(&self) -> Option<&str> {
        self.model.remarks.as_deref()
    }
    /// 配合单位 written as words that name no unit ("各局办").
    async fn supporting_text(&self) -> Option<&str> {
        self.model.supporting_text.as_deref()
    }
    /// The work goes on all year (持续推进, 常态化): it is due at the
    /// plan's end and judged there like any goal.
    async fn ongoing(&self) -> bool {
        self.model.ongoing
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
