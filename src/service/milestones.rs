use chrono::NaiveDate;
use entity::milestone;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::{find_active, goals, now, plans};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::completion::unsigned_zero;
use domain::text::{self, Field};
use domain::{GoalKind, validation};

pub struct NewMilestone {
    pub goal_id: i64,
    pub title: String,
    pub due_date: NaiveDate,
    pub weight: Option<f64>,
}

#[derive(Default)]
pub struct MilestoneChanges {
    pub title: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub weight: Option<f64>,
    /// `Some(None)` undoes a completion entered by mistake.
    pub completed_on: Option<Option<NaiveDate>>,
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<milestone::Model> {
    find_active::<milestone::Entity, _>(db, "milestone", id, |m| m.archived_at).await
}

fn due_within(plan: &entity::plan::Model, date: NaiveDate) -> AppResult<NaiveDate> {
    Ok(validation::within_plan(
        domain::Rule::MilestoneOutsidePlan,
        "due date",
        date,
        plan.start_date,
        plan.end_date,
    )?)
}

/// A milestone cannot be completed before its plan starts; it may be
/// completed after the plan ends (a deliverable due 12-31 can land in January).
fn completion_date(plan: &entity::plan::Model, date: NaiveDate) -> AppResult<NaiveDate> {
    if date < plan.start_date {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!(
                "完成日期 {date} 早于计划开始日期 {}，请核对",
                plan.start_date
            ),
            format!(
                "completedOn {date} is before the plan starts {}",
                plan.start_date
            ),
        ));
    }
    Ok(date)
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewMilestone,
) -> AppResult<milestone::Model> {
    let txn = begin_write(db).await?;
    let result = create_in(&txn, input).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (the spreadsheet import
/// creates a whole plan in one).
pub async fn create_in<C: ConnectionTrait>(
    txn: &C,
    input: NewMilestone,
) -> AppResult<milestone::Model> {
    let title = text::required(Field::MilestoneTitle, &input.title)?;
    let weight = unsigned_zero(validation::weight(input.weight.unwrap_or(1.0))?);
    let goal = goals::find(txn, input.goal_id).await?;
    if GoalKind::from(goal.kind) != GoalKind::Milestone {
        return Err(AppError::refused(
            ErrorCode::KindMismatch,
            format!(
                "只有节点型目标才能设节点；“{}”是{}目标",
                goal.title,
                GoalKind::from(goal.kind).zh_name()
            ),
            format!(
                "milestones belong to MILESTONE goals; {} is {}",
                goal.title, goal.kind
            ),
        ));
    }
    let plan = plans::find_open(txn, goal.plan_id).await?;
    let due = due_within(&plan, input.due_date)?;
    let position = milestone::Entity::find()
        .filter(milestone::Column::GoalId.eq(goal.id))
        .count(txn)
        .await?;
    let created = milestone::ActiveModel {
        plan_id: Set(goal.plan_id),
        goal_id: Set(goal.id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        title: Set(title),
        due_date: Set(due),
        weight: Set(weight),
        completed_on: Set(None),
        archived_at: Set(None),
        created_at: Set(now()),
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
    changes: MilestoneChanges,
) -> AppResult<milestone::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        // Completing or editing a milestone of an archived goal is refused.
        goals::find(&txn, current.goal_id)
            .await
            .map_err(|_| archived_goal())?;
        // Recording a completion needs an ACTIVE plan; other edits an open one.
        let plan = if changes.completed_on.is_some() {
            plans::find_taking_reports(&txn, current.plan_id).await?
        } else {
            plans::find_open(&txn, current.plan_id).await?
        };
        let mut active: milestone::ActiveModel = current.into();
        if let Some(title) = changes.title {
            active.title = Set(text::required(Field::MilestoneTitle, &title)?);
        }
        if let Some(due) = changes.due_date {
            active.due_date = Set(due_within(&plan, due)?);
        }
        if let Some(weight) = changes.weight {
            active.weight = Set(unsigned_zero(validation::weight(weight)?));
        }
        if let Some(done) = changes.completed_on {
            active.completed_on = Set(done.map(|d| completion_date(&plan, d)).transpose()?);
        }
        let updated = active.update(&txn).await?;
        Ok(updated)
    }
    .await;
    finish(txn, author, result).await
}

pub async fn complete(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    completed_on: NaiveDate,
) -> AppResult<milestone::Model> {
    update(
        db,
        author,
        id,
        MilestoneChanges {
            completed_on: Some(Some(completed_on)),
            ..Default::default()
        },
    )
    .await
}

pub async fn archive(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
) -> AppResult<milestone::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        // A closed year is read-only, archiving included.
        plans::find_open(&txn, current.plan_id).await?;
        let mut active: milestone::ActiveModel = current.into();
        active.archived_at = Set(Some(now()));
        let archived = active.update(&txn).await?;
        Ok(archived)
    }
    .await;
    finish(txn, author, result).await
}

fn archived_goal() -> AppError {
    AppError::refused(
        ErrorCode::Archived,
        "该节点所属的目标任务已归档，节点不能再登记完成或修改",
        "the milestone's goal is archived",
    )
}
