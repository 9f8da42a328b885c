use chrono::{DateTime, NaiveDate, Utc};
use entity::{goal, report};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::{assignments, clean_text, goals, plans};
use crate::db::{begin_write, finish};
use crate::domain::validation;
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
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Ok(created)
    }
    .await;
    finish(txn, result).await
}
