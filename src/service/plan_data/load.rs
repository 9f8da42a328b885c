//! The SQL of a snapshot: a plan's structure in six queries for any number
//! of plans, and its reports in the scope a question needs in one more.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use entity::{assignment, goal, goal_supporting_unit, milestone, plan, report, unit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    StreamTrait,
};

use super::decode::{rows_by_position, streamed};
use super::facts::assemble;
use super::{PlanData, PlanStructure, ReportScope};
use crate::error::AppResult;
use domain::ReviewState;

/// Loads the given plans (archived ones are skipped) with their whole
/// report history: seven queries for any number of plans.
pub async fn load_plans<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, Arc<PlanData>>> {
    let structures = load_structures(db, plan_ids).await?;
    snapshots(db, structures.into_values().collect(), ReportScope::History).await
}

/// Each live plan's data_version, by id: one statement.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(plan::Entity::find()
        .select_only()
        .column(plan::Column::Id)
        .column(plan::Column::DataVersion)
        .filter(plan::Column::Id.is_in(plan_ids.iter().copied()))
        .filter(plan::Column::ArchivedAt.is_null())
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Snapshots of these plans in `scope`: one query for the reports (none
/// for `Structure`), then the facts of each plan.
pub async fn snapshots<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    structures: Vec<Arc<PlanStructure>>,
    scope: ReportScope,
) -> AppResult<HashMap<i64, Arc<PlanData>>> {
    let mut reports = load_reports(db, &structures, scope).await?;
    structures
        .into_iter()
        .map(|s| {
            let id = s.plan.id;
            let rows = reports.remove(&id).unwrap_or_default();
            Ok((id, Arc::new(assemble(s, scope, rows)?)))
        })
        .collect()
}

/// The plans' rows without reports (archived plans are skipped): six
/// queries for any number of plans.
pub async fn load_structures<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, Arc<PlanStructure>>> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = plan_ids.iter().copied();
    let plans = plan::Entity::find()
        .filter(plan::Column::Id.is_in(ids.clone()))
        .filter(plan::Column::ArchivedAt.is_null())
        .all(db)
        .await?;
    let goals = streamed(
        db,
        goal::Entity::find()
            .filter(goal::Column::PlanId.is_in(ids.clone()))
            .filter(goal::Column::ArchivedAt.is_null())
            .order_by_asc(goal::Column::Position)
            .order_by_asc(goal::Column::Id),
    )
    .await?;
    let supporting = goal_supporting_unit::Entity::find()
        .filter(goal_supporting_unit::Column::PlanId.is_in(ids.clone()))
        .order_by_asc(goal_supporting_unit::Column::UnitId)
        .all(db)
        .await?;
    let assignments = streamed(
        db,
        assignment::Entity::find()
            .filter(assignment::Column::PlanId.is_in(ids.clone()))
            .filter(assignment::Column::ArchivedAt.is_null())
            .order_by_asc(assignment::Column::Id),
    )
    .await?;
    let milestones = streamed(
        db,
        milestone::Entity::find()
            .filter(milestone::Column::PlanId.is_in(ids))
            .filter(milestone::Column::ArchivedAt.is_null())
            .order_by_asc(milestone::Column::DueDate)
            .order_by_asc(milestone::Column::Position)
            .order_by_asc(milestone::Column::Id),
    )
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
    let mut unit_ids: Vec<i64> = by_plan.values().flat_map(Rows::unit_ids).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units = crate::service::units::by_ids(db, &unit_ids).await?;
    Ok(by_plan
        .into_iter()
        .map(|(id, rows)| (id, Arc::new(rows.into_structure(&units))))
        .collect())
}

/// The reports of these plans in `scope`, by plan: nothing for
/// `Structure`; every row for `History`; for `StandingOn(d)` one row per
/// assignment, found by the (assignment, asOf, submitted, id) index.
async fn load_reports<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    structures: &[Arc<PlanStructure>],
    scope: ReportScope,
) -> AppResult<HashMap<i64, Vec<report::Model>>> {
    let ids: Vec<i64> = structures.iter().map(|s| s.plan.id).collect();
    let rows = match scope {
        _ if ids.is_empty() => Vec::new(),
        ReportScope::Structure => Vec::new(),
        ReportScope::History => streamed(db, history(report::Column::PlanId.is_in(ids))).await?,
        ReportScope::GoalHistory(goal_id) => {
            let assignments: Vec<i64> = structures
                .iter()
                .flat_map(|s| s.subtree_assignment_ids(goal_id))
                .collect();
            if assignments.is_empty() {
                Vec::new()
            } else {
                streamed(db, history(report::Column::AssignmentId.is_in(assignments))).await?
            }
        }
        ReportScope::StandingOn(date) => {
            let unreviewed_count: Vec<i64> = structures
                .iter()
                .filter(|s| !s.plan.require_approval)
                .map(|s| s.plan.id)
                .collect();
            standing_reports(db, &ids, &unreviewed_count, date).await?
        }
    };
    let mut by_plan: HashMap<i64, Vec<report::Model>> = HashMap::new();
    for r in rows {
        by_plan.entry(r.plan_id).or_default().push(r);
    }
    Ok(by_plan)
}

/// Every report matching `filter`, oldest first by (asOf, submission): the
/// order the domain's "latest report" rule breaks ties by.
fn history(filter: sea_orm::sea_query::SimpleExpr) -> Select<report::Entity> {
    report::Entity::find()
        .filter(filter)
        .order_by_asc(report::Column::AsOf)
        .order_by_asc(report::Column::SubmittedAt)
        .order_by_asc(report::Column::Id)
}

/// Per active assignment of the plans, the counting report that stands on
/// `date`: the latest by (asOf, submission, id) at or before it, never a
/// returned one, and an unreviewed one only in the plans that do not
/// require approval. A correlated `LIMIT 1` per assignment walks the
/// standing index backwards; measured against a window function over the
/// same rows it is 5–7× faster on SQLite (see ARCHITECTURE.md).
async fn standing_reports<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
    unreviewed_count: &[i64],
    date: NaiveDate,
) -> AppResult<Vec<report::Model>> {
    // `IN ()` is not SQL: an empty list is written as `IN (NULL)`.
    let list = |ids: &[i64]| match ids.len() {
        0 => "NULL".to_string(),
        n => vec!["?"; n].join(", "),
    };
    let sql = format!(
        "SELECT r.* FROM assignment a JOIN report r ON r.id = (\
           SELECT r2.id FROM report r2 \
           WHERE r2.assignment_id = a.id AND r2.as_of <= ? \
             AND (r2.status = ? OR (r2.status = ? AND r2.plan_id IN ({}))) \
           ORDER BY r2.as_of DESC, r2.submitted_at DESC, r2.id DESC LIMIT 1) \
         WHERE a.plan_id IN ({}) AND a.archived_at IS NULL",
        list(unreviewed_count),
        list(plan_ids)
    );
    let mut values: Vec<sea_orm::Value> = vec![
        date.into(),
        ReviewState::Approved.as_str().into(),
        ReviewState::Submitted.as_str().into(),
    ];
    values.extend(
        unreviewed_count
            .iter()
            .chain(plan_ids)
            .map(|id| (*id).into()),
    );
    let backend = ConnectionTrait::get_database_backend(db);
    rows_by_position(db, crate::db::statement(backend, &sql, values)).await
}

/// Rows of one plan on their way to becoming a `PlanStructure`.
struct Rows {
    plan: plan::Model,
    goals: Vec<goal::Model>,
    supporting: Vec<goal_supporting_unit::Model>,
    assignments: Vec<assignment::Model>,
    milestones: Vec<milestone::Model>,
}

impl Rows {
    fn new(plan: plan::Model) -> Self {
        Rows {
            plan,
            goals: vec![],
            supporting: vec![],
            assignments: vec![],
            milestones: vec![],
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

    fn into_structure(self, all_units: &HashMap<i64, unit::Model>) -> PlanStructure {
        let units = self
            .unit_ids()
            .into_iter()
            .filter_map(|id| all_units.get(&id).map(|u| (id, u.clone())))
            .collect();
        // Rows of archived goals, or of goals below an archived one, are not
        // part of the plan any more.
        let active: HashSet<i64> = self.goals.iter().map(|g| g.id).collect();
        PlanStructure {
            assignments: self
                .assignments
                .into_iter()
                .filter(|a| active.contains(&a.goal_id))
                .collect(),
            milestones: self
                .milestones
                .into_iter()
                .filter(|m| active.contains(&m.goal_id))
                .collect(),
            supporting: self
                .supporting
                .into_iter()
                .filter(|s| active.contains(&s.goal_id))
                .collect(),
            plan: self.plan,
            goals: self.goals,
            units,
        }
    }
}
