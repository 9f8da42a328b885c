//! A plan's rows, loaded set-wise: seven queries for any number of plans,
//! whatever their size. Everything a progress question needs is in here,
//! so GraphQL resolvers read from it instead of querying per object.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use entity::{assignment, goal, goal_supporting_unit, milestone, plan, report, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::completion::latest_report;
use crate::domain::facts::Dated;
use crate::domain::{
    AssignmentFacts, Evaluation, GoalFacts, MilestoneFacts, PlanFacts, ReportFact, ReviewState,
    evaluate,
};
use crate::error::{AppError, AppResult};

#[derive(Debug)]
pub struct PlanData {
    pub plan: plan::Model,
    /// Active goals in display order (position, then creation).
    goals: Vec<goal::Model>,
    assignments: Vec<assignment::Model>,
    milestones: Vec<milestone::Model>,
    /// Reports of active assignments, oldest first by (asOf, submission).
    reports: Vec<report::Model>,
    supporting: Vec<goal_supporting_unit::Model>,
    /// Every unit the plan names (owner, lead, supporting, assigned).
    units: HashMap<i64, unit::Model>,
    facts: PlanFacts,
    /// Evaluations already computed for this snapshot, by asOf date.
    evaluations: Mutex<HashMap<NaiveDate, Arc<Evaluation>>>,
}

impl PlanData {
    pub fn goal(&self, id: i64) -> Option<&goal::Model> {
        self.goals.iter().find(|g| g.id == id)
    }

    pub fn goals(&self) -> &[goal::Model] {
        &self.goals
    }

    pub fn top_level_goals(&self) -> impl Iterator<Item = &goal::Model> {
        self.goals.iter().filter(|g| g.parent_id.is_none())
    }

    pub fn children(&self, goal_id: i64) -> impl Iterator<Item = &goal::Model> {
        self.goals
            .iter()
            .filter(move |g| g.parent_id == Some(goal_id))
    }

    pub fn assignments_of(&self, goal_id: i64) -> impl Iterator<Item = &assignment::Model> {
        self.assignments
            .iter()
            .filter(move |a| a.goal_id == goal_id)
    }

    pub fn assignments(&self) -> &[assignment::Model] {
        &self.assignments
    }

    pub fn assignment(&self, id: i64) -> Option<&assignment::Model> {
        self.assignments.iter().find(|a| a.id == id)
    }

    pub fn milestones_of(&self, goal_id: i64) -> impl Iterator<Item = &milestone::Model> {
        self.milestones.iter().filter(move |m| m.goal_id == goal_id)
    }

    /// Every report of an assignment, returned ones included, oldest first.
    pub fn reports_of(&self, assignment_id: i64) -> impl Iterator<Item = &report::Model> {
        self.reports
            .iter()
            .filter(move |r| r.assignment_id == assignment_id)
    }

    /// The counting report that stands on `date` among these assignments'
    /// reports (the domain's rule: latest asOf, then last submitted).
    pub fn latest_counting_report(
        &self,
        assignment_ids: impl IntoIterator<Item = i64>,
        date: NaiveDate,
    ) -> Option<&report::Model> {
        let reports: Vec<&report::Model> = assignment_ids
            .into_iter()
            .flat_map(|a| self.counting_reports_of(a))
            .collect();
        latest_report(reports, date)
    }

    /// The reports of an assignment that count, oldest first.
    pub fn counting_reports_of(&self, assignment_id: i64) -> impl Iterator<Item = &report::Model> {
        let require_approval = self.plan.require_approval;
        self.reports_of(assignment_id)
            .filter(move |r| review_state(r).is_ok_and(|s| s.counts(require_approval)))
    }

    pub fn supporting_unit_ids(&self, goal_id: i64) -> Vec<i64> {
        self.supporting
            .iter()
            .filter(|s| s.goal_id == goal_id)
            .map(|s| s.unit_id)
            .collect()
    }

    /// A unit the plan names (archived ones included: history names them).
    pub fn unit(&self, id: i64) -> Option<&unit::Model> {
        self.units.get(&id)
    }

    pub fn facts(&self) -> &PlanFacts {
        &self.facts
    }

    /// The judgement as of `as_of`, computed once per date per snapshot.
    pub fn evaluation(&self, as_of: NaiveDate) -> Arc<Evaluation> {
        let mut cache = self.evaluations.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(as_of)
            .or_insert_with(|| Arc::new(evaluate(&self.facts, as_of)))
            .clone()
    }
}

/// Loads the given plans (archived ones are skipped) with seven queries.
pub async fn load_plans<C: ConnectionTrait>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, Arc<PlanData>>> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = plan_ids.iter().copied();
    let plans = plan::Entity::find()
        .filter(plan::Column::Id.is_in(ids.clone()))
        .filter(plan::Column::ArchivedAt.is_null())
        .all(db)
        .await?;
    let goals = goal::Entity::find()
        .filter(goal::Column::PlanId.is_in(ids.clone()))
        .filter(goal::Column::ArchivedAt.is_null())
        .order_by_asc(goal::Column::Position)
        .order_by_asc(goal::Column::Id)
        .all(db)
        .await?;
    let supporting = goal_supporting_unit::Entity::find()
        .filter(goal_supporting_unit::Column::PlanId.is_in(ids.clone()))
        .order_by_asc(goal_supporting_unit::Column::UnitId)
        .all(db)
        .await?;
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::PlanId.is_in(ids.clone()))
        .filter(assignment::Column::ArchivedAt.is_null())
        .order_by_asc(assignment::Column::Id)
        .all(db)
        .await?;
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::PlanId.is_in(ids.clone()))
        .filter(milestone::Column::ArchivedAt.is_null())
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Position)
        .order_by_asc(milestone::Column::Id)
        .all(db)
        .await?;
    let reports = report::Entity::find()
        .filter(report::Column::PlanId.is_in(ids))
        .order_by_asc(report::Column::AsOf)
        .order_by_asc(report::Column::SubmittedAt)
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?;

    let mut by_plan: HashMap<i64, Rows> = plans.into_iter().map(|p| (p.id, Rows::new(p))).collect();
    for g in goals {
        if let Some(rows) = by_plan.get_mut(&g.plan_id) {
            rows.goals.push(g);
        }
    }
    for s in supporting {
        if let Some(rows) = by_plan.get_mut(&s.plan_id) {
            rows.supporting.push(s);
        }
    }
    for a in assignments {
        if let Some(rows) = by_plan.get_mut(&a.plan_id) {
            rows.assignments.push(a);
        }
    }
    for m in milestones {
        if let Some(rows) = by_plan.get_mut(&m.plan_id) {
            rows.milestones.push(m);
        }
    }
    for r in reports {
        if let Some(rows) = by_plan.get_mut(&r.plan_id) {
            rows.reports.push(r);
        }
    }
    let mut unit_ids: Vec<i64> = by_plan.values().flat_map(Rows::unit_ids).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units = crate::service::units::by_ids(db, &unit_ids).await?;
    by_plan
        .into_iter()
        .map(|(id, rows)| Ok((id, Arc::new(rows.into_plan_data(&units)?))))
        .collect()
}

/// Rows of one plan on their way to becoming `PlanData`.
struct Rows {
    plan: plan::Model,
    goals: Vec<goal::Model>,
    supporting: Vec<goal_supporting_unit::Model>,
    assignments: Vec<assignment::Model>,
    milestones: Vec<milestone::Model>,
    reports: Vec<report::Model>,
}

impl Rows {
    fn new(plan: plan::Model) -> Self {
        Rows {
            plan,
            goals: vec![],
            supporting: vec![],
            assignments: vec![],
            milestones: vec![],
            reports: vec![],
        }
    }

    /// The units this plan names (owner, lead, supporting, assigned).
    fn unit_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.goals.iter().filter_map(|g| g.lead_unit_id).collect();
        ids.extend(self.supporting.iter().map(|s| s.unit_id));
        ids.extend(self.assignments.iter().map(|a| a.unit_id));
        ids.push(self.plan.owner_unit_id);
        ids
    }

    fn into_plan_data(self, all_units: &HashMap<i64, unit::Model>) -> AppResult<PlanData> {
        let units = self
            .unit_ids()
            .into_iter()
            .filter_map(|id| all_units.get(&id).map(|u| (id, u.clone())))
            .collect();
        // Rows of archived goals, or of goals below an archived one, are not
        // part of the plan any more.
        let active: HashSet<i64> = self.goals.iter().map(|g| g.id).collect();
        let assignments: Vec<assignment::Model> = self
            .assignments
            .into_iter()
            .filter(|a| active.contains(&a.goal_id))
            .collect();
        let assigned: HashSet<i64> = assignments.iter().map(|a| a.id).collect();
        let reports: Vec<report::Model> = self
            .reports
            .into_iter()
            .filter(|r| assigned.contains(&r.assignment_id))
            .collect();
        let milestones: Vec<milestone::Model> = self
            .milestones
            .into_iter()
            .filter(|m| active.contains(&m.goal_id))
            .collect();
        let supporting: Vec<goal_supporting_unit::Model> = self
            .supporting
            .into_iter()
            .filter(|s| active.contains(&s.goal_id))
            .collect();

        // Group once so building the facts stays linear in the plan's size.
        let mut reports_by_assignment: HashMap<i64, Vec<ReportFact>> = HashMap::new();
        for r in &reports {
            // Only reports that count are facts: never a returned one, and an
            // unreviewed one only when the plan does not require approval.
            if !review_state(r)?.counts(self.plan.require_approval) {
                continue;
            }
            reports_by_assignment
                .entry(r.assignment_id)
                .or_default()
                .push(ReportFact {
                    id: r.id,
                    as_of: r.as_of,
                    value: r.value,
                    submitted_at: r.submitted_at,
                });
        }
        let mut assignments_by_goal: HashMap<i64, Vec<AssignmentFacts>> = HashMap::new();
        for a in &assignments {
            assignments_by_goal
                .entry(a.goal_id)
                .or_default()
                .push(AssignmentFacts {
                    id: a.id,
                    unit_id: a.unit_id,
                    target: a.target_value,
                    deadline: a.deadline,
                    reports: reports_by_assignment.remove(&a.id).unwrap_or_default(),
                });
        }
        let mut milestones_by_goal: HashMap<i64, Vec<MilestoneFacts>> = HashMap::new();
        for m in &milestones {
            milestones_by_goal
                .entry(m.goal_id)
                .or_default()
                .push(MilestoneFacts {
                    id: m.id,
                    due: m.due_date,
                    weight: m.weight,
                    completed_on: m.completed_on,
                });
        }
        let goal_facts = self
            .goals
            .iter()
            .map(|g| {
                Ok(GoalFacts {
                    id: g.id,
                    parent_id: g.parent_id,
                    category: g.category.clone(),
                    kind: g.kind.parse().map_err(AppError::internal)?,
                    direction: g.direction.parse().map_err(AppError::internal)?,
                    target: g.target_value,
                    baseline: g.baseline_value,
                    weight: g.weight,
                    deadline: g.deadline,
                    monthly_plan: crate::service::goals::monthly_plan_of(g)?,
                    assignments: assignments_by_goal.remove(&g.id).unwrap_or_default(),
                    milestones: milestones_by_goal.remove(&g.id).unwrap_or_default(),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let facts = PlanFacts {
            start: self.plan.start_date,
            end: self.plan.end_date,
            score_cap: self.plan.score_cap,
            time_progress_mode: crate::service::plans::time_progress_mode_of(&self.plan)?,
            thresholds: crate::service::plans::thresholds_of(&self.plan),
            goals: goal_facts,
        };
        Ok(PlanData {
            plan: self.plan,
            goals: self.goals,
            assignments,
            milestones,
            reports,
            supporting,
            units,
            facts,
            evaluations: Mutex::new(HashMap::new()),
        })
    }
}

/// A report's review state as stored.
pub fn review_state(report: &report::Model) -> AppResult<ReviewState> {
    report.status.parse().map_err(AppError::internal)
}

impl Dated for report::Model {
    fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    fn order_key(&self) -> (NaiveDate, chrono::DateTime<chrono::Utc>, i64) {
        (self.as_of, self.submitted_at, self.id)
    }
}
