use chrono::{DateTime, NaiveDate, Utc};
use entity::{goal, report};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::{assignments, clean_text, goals, plans};
use crate::db::{begin_write, finish};
use crate::domain::{ReviewState, validation};
use crate::error::{AppError, AppResult, ErrorCode};

pub struct NewReport {
    pub assignment_id: i64,
    pub as_of: NaiveDate,
    pub value: f64,
    pub note: Option<String>,
    pub problems: Option<String>,
    pub next_steps: Option<String>,
    /// When the report reached the server (the request's clock); the
    /// reporting calendar judges lateness by it.
    pub submitted_at: DateTime<Utc>,
    /// The token name that submits it.
    pub submitted_by: Option<String>,
}

/// A reviewer's decision on a submitted report.
pub enum Decision {
    Approve,
    /// Return to the unit, with the reason it must fix (退回原因).
    Return(String),
}

/// Records a unit's cumulative figure as of a date. Reports are never
/// changed: a correction is a new report, and the latest one counts.
pub async fn submit(db: &DatabaseConnection, input: NewReport) -> AppResult<report::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let assignment = assignments::find(&txn, input.assignment_id).await?;
        let goal = goal::Entity::find_by_id(assignment.goal_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("goal", assignment.goal_id))?;
        if goal.archived_at.is_some() {
            return Err(AppError::rejected(
                ErrorCode::Archived,
                format!("goal {} is archived and takes no reports", goal.title),
            ));
        }
        let kind = goals::kind_of(&goal)?;
        if !kind.takes_reports() {
            return Err(AppError::rejected(
                ErrorCode::KindMismatch,
                format!("a {kind} goal takes no reports; complete its milestones instead"),
            ));
        }
        let value = validation::report_value(kind, input.value)?;
        let plan = plans::find_taking_reports(&txn, goal.plan_id).await?;
        let as_of = validation::within_plan(
            ErrorCode::ReportOutsidePlan,
            "asOf",
            input.as_of,
            plan.start_date,
            plan.end_date,
        )?;
        let created = report::ActiveModel {
            plan_id: Set(plan.id),
            assignment_id: Set(assignment.id),
            as_of: Set(as_of),
            value: Set(value),
            note: Set(clean_text(input.note)),
            problems: Set(clean_text(input.problems)),
            next_steps: Set(clean_text(input.next_steps)),
            submitted_at: Set(input.submitted_at),
            status: Set(ReviewState::Submitted.as_str().to_string()),
            submitted_by: Set(input.submitted_by),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_reason: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Ok(created)
    }
    .await;
    finish(txn, result).await
}

/// Approves or returns a SUBMITTED report. A returned report never counts;
/// the unit submits a corrected one.
pub async fn review(
    db: &DatabaseConnection,
    id: i64,
    decision: Decision,
    reviewer: &str,
    now: DateTime<Utc>,
) -> AppResult<report::Model> {
    let (state, reason) = match decision {
        Decision::Approve => (ReviewState::Approved, None),
        Decision::Return(reason) => (
            ReviewState::Returned,
            Some(validation::required_text("reason", &reason)?),
        ),
    };
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = report::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("report", id))?;
        // A settled year's reports are settled too.
        plans::find_open(&txn, current.plan_id).await?;
        let now_state = super::plan_data::review_state(&current)?;
        if now_state != ReviewState::Submitted {
            return Err(AppError::rejected(
                ErrorCode::InvalidTransition,
                format!("report {id} is already {now_state}; a correction is a new report"),
            ));
        }
        let mut active: report::ActiveModel = current.into();
        active.status = Set(state.as_str().to_string());
        active.reviewed_by = Set(Some(reviewer.to_string()));
        active.reviewed_at = Set(Some(now));
        active.review_reason = Set(reason);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, result).await
}

/// Reports waiting for review, oldest submission first, optionally for one
/// plan or one unit's assignments; open plans only.
pub async fn review_queue(
    db: &DatabaseConnection,
    plan_id: Option<i64>,
    unit_id: Option<i64>,
) -> AppResult<Vec<report::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut query = report::Entity::find()
        .filter(report::Column::Status.eq(ReviewState::Submitted.as_str()))
        .order_by_asc(report::Column::SubmittedAt)
        .order_by_asc(report::Column::Id);
    if let Some(plan) = plan_id {
        query = query.filter(report::Column::PlanId.eq(plan));
    }
    if let Some(unit) = unit_id {
        let shares = entity::assignment::Entity::find()
            .filter(entity::assignment::Column::UnitId.eq(unit))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id);
        query = query.filter(report::Column::AssignmentId.is_in(shares));
    }
    let open_plans: std::collections::HashSet<i64> = plans::list(db)
        .await?
        .into_iter()
        .filter(|p| plans::state_of(p).is_ok_and(|s| s != crate::domain::PlanState::Closed))
        .map(|p| p.id)
        .collect();
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .filter(|r| open_plans.contains(&r.plan_id))
        .collect())
}
