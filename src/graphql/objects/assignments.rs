//! A unit's assignment of a goal (分解), with its reports and figures.
use super::*;

pub struct Assignment {
    pub(super) data: Arc<PlanData>,
    pub(super) id: i64,
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
    /// The unit's assignment: its own target, or the goal's when it has none.
    async fn target_value(&self) -> Result<Option<f64>> {
        Ok(domain::deadlines::assignment_target(
            self.model()?.target_value,
            self.goal_model()?.target_value,
        )
        .map(domain::completion::unsigned_zero))
    }
    /// The unit's deadline: its own, or the goal's.
    async fn deadline(&self) -> Result<Option<Date>> {
        Ok(domain::deadlines::assignment_deadline(
            self.model()?.deadline,
            self.goal_model()?.deadline,
        )
        .map(Date))
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
