use chrono::{DateTime, NaiveDate, Utc};
use entity::{assignment, goal};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::{find_active, goals, now, plans, units};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::text::{self, Field};
use domain::{GoalKind, validation};

pub struct NewAssignment {
    pub goal_id: i64,
    pub unit_id: i64,
    pub target_value: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub responsible_person: Option<String>,
    /// When the assignment was made (the request's clock); the reporting
    /// calendar expects reports from the months after it.
    pub created_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct AssignmentChanges {
    pub target_value: Option<Option<f64>>,
    pub deadline: Option<Option<NaiveDate>>,
    pub responsible_person: Option<Option<String>>,
}

/// The units carrying active assignments of a goal.
pub async fn units_of_goal<C: ConnectionTrait>(db: &C, goal_id: i64) -> AppResult<Vec<i64>> {
    Ok(assignment::Entity::find()
        .filter(assignment::Column::GoalId.eq(goal_id))
        .filter(assignment::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.unit_id)
        .collect())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<assignment::Model> {
    find_active::<assignment::Entity, _>(db, "assignment", id, |a| a.archived_at).await
}

/// The unit's target for the goal's kind, stored without a negative zero.
fn check_target(kind: GoalKind, target: Option<f64>) -> AppResult<Option<f64>> {
    Ok(validation::assignment_target(kind, target)?.map(domain::completion::unsigned_zero))
}

fn check_goal(goal: &goal::Model) -> AppResult<GoalKind> {
    let kind = GoalKind::from(goal.kind);
    if kind == GoalKind::Group {
        return Err(AppError::refused(
            ErrorCode::GroupNotAssignable,
            format!(
                "“{}”是分组，只用来归并子目标，不能分解到责任单位；请分解它的子目标",
                goal.title
            ),
            "a GROUP goal only groups sub-goals; assign its sub-goals instead",
        ));
    }
    Ok(kind)
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewAssignment,
) -> AppResult<assignment::Model> {
    let txn = begin_write(db).await?;
    let result = create_in(&txn, input).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (the spreadsheet import
/// creates a whole plan in one).
pub async fn create_in<C: ConnectionTrait>(
    txn: &C,
    input: NewAssignment,
) -> AppResult<assignment::Model> {
    let goal = goals::find(txn, input.goal_id).await?;
    let kind = check_goal(&goal)?;
    let plan = plans::find_open(txn, goal.plan_id).await?;
    let target = check_target(kind, input.target_value)?;
    let deadline = plans::deadline_within(&plan, input.deadline)?;
    units::find(txn, input.unit_id).await?;
    // 其中 rows are no break-up: a goal with only those under it is
    // measured by its own assignments.
    let has_children = goal::Entity::find()
        .filter(goal::Column::ParentId.eq(goal.id))
        .filter(goal::Column::ArchivedAt.is_null())
        .filter(goal::Column::Subset.eq(false))
        .count(txn)
        .await?;
    if has_children > 0 {
        return Err(AppError::refused(
            ErrorCode::StructureConflict,
            format!(
                "“{}”已分解为子目标，不能再直接分解到责任单位；请分解它的子目标",
                goal.title
            ),
            "this goal is broken into sub-goals; assign the sub-goals instead",
        ));
    }
    let duplicate = assignment::Entity::find()
        .filter(assignment::Column::GoalId.eq(goal.id))
        .filter(assignment::Column::UnitId.eq(input.unit_id))
        .filter(assignment::Column::ArchivedAt.is_null())
        .count(txn)
        .await?;
    if duplicate > 0 {
        return Err(AppError::refused(
            ErrorCode::Duplicate,
            "该单位已承担这项目标的分解任务，请修改原有分解",
            "this unit already carries a share of the goal; update that assignment instead",
        ));
    }
    let created = assignment::ActiveModel {
        plan_id: Set(goal.plan_id),
        goal_id: Set(goal.id),
        unit_id: Set(input.unit_id),
        target_value: Set(target),
        deadline: Set(deadline),
        responsible_person: Set(text::optional(
            Field::ResponsiblePerson,
            input.responsible_person,
        )?),
        archived_at: Set(None),
        created_at: Set(input.created_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    changes: AssignmentChanges,
) -> AppResult<assignment::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        let goal = goals::find(&txn, current.goal_id).await?;
        let kind = check_goal(&goal)?;
        let plan = plans::find_open(&txn, goal.plan_id).await?;
        let mut active: assignment::ActiveModel = current.into();
        if let Some(target) = changes.target_value {
            active.target_value = Set(check_target(kind, target)?);
        }
        if let Some(deadline) = changes.deadline {
            active.deadline = Set(plans::deadline_within(&plan, deadline)?);
        }
        if let Some(person) = changes.responsible_person {
            active.responsible_person = Set(text::optional(Field::ResponsiblePerson, person)?);
        }
        let updated = active.update(&txn).await?;
        Ok(updated)
    }
    .await;
    finish(txn, author, result).await
}

pub async fn archive(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
) -> AppResult<assignment::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        // A closed year is read-only, archiving included.
        plans::find_open(&txn, current.plan_id).await?;
        let mut active: assignment::ActiveModel = current.into();
        active.archived_at = Set(Some(now()));
        let archived = active.update(&txn).await?;
        Ok(archived)
    }
    .await;
    finish(txn, author, result).await
}
