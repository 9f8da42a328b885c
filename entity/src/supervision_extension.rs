use sea_orm::entity::prelude::*;

/// A request to move a supervision item's deadline (申请延期), and the
/// target office's decision (APPROVED or REJECTED; none while pending).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_extension")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub new_deadline: Date,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub requested_at: DateTimeUtc,
    pub requested_by: String,
    pub decision: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    /// The day it was decided, in the plan's time zone: an approved new
    /// deadline is in force from then.
    pub decided_on: Option<Date>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
