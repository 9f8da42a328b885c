use sea_orm::entity::prelude::*;

use crate::enums::{ProblemSeverity, ProblemSource, ProblemState};

/// A problem of the ledger (问题台账): found somewhere, rectified by a unit
/// by a deadline, closed (销号) when a recheck passes.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problem")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// 安全, 环保, 消防, 质量, 其他 — or a park's own.
    pub category: String,
    pub severity: ProblemSeverity,
    pub source: ProblemSource,
    pub found_on: Date,
    pub enterprise: Option<String>,
    pub location: Option<String>,
    /// The unit that rectifies it.
    pub unit_id: i64,
    pub deadline: Date,
    /// 整改措施.
    #[sea_orm(column_type = "Text", nullable)]
    pub measures: Option<String>,
    pub state: ProblemState,
    pub closed_on: Option<Date>,
    /// The supervision item (整改督办单) it was escalated into.
    pub escalated_item_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
