use sea_orm::entity::prelude::*;

use crate::enums::ReviewState;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Denormalised so a plan's rows load with one indexed query.
    pub plan_id: i64,
    pub assignment_id: i64,
    /// The date the cumulative value stands at.
    pub as_of: Date,
    pub value: f64,
    /// 进展: progress notes.
    pub note: Option<String>,
    /// 问题: problems met.
    pub problems: Option<String>,
    /// 下一步: next steps.
    pub next_steps: Option<String>,
    pub submitted_at: DateTimeUtc,
    /// SUBMITTED, APPROVED or RETURNED.
    pub status: ReviewState,
    /// The token name that submitted it.
    pub submitted_by: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    /// Why a report was returned (退回原因).
    pub review_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
