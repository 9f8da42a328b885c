use sea_orm::entity::prelude::*;

/// What happened to a problem: RECORD, START, SUBMIT, RECHECK_PASSED,
/// RECHECK_FAILED or ESCALATE. Never updated.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problem_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub problem_id: i64,
    pub kind: String,
    /// The rectification, the recheck's note.
    #[sea_orm(column_type = "Text", nullable)]
    pub content: Option<String>,
    pub on_date: Date,
    pub at: DateTimeUtc,
    pub actor: String,
}

impl ActiveModelBehavior for ActiveModel {}
