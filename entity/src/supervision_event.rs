use sea_orm::entity::prelude::*;

/// What happened to a supervision item: ASSIGN, ACCEPT, FEEDBACK,
/// CLOSURE_REQUEST, CLOSE, RETURN, URGE, EXTENSION_REQUEST,
/// EXTENSION_DECISION or REOPEN. Never updated.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub kind: String,
    /// The feedback, the closure summary, the reason of a return.
    #[sea_orm(column_type = "Text", nullable)]
    pub content: Option<String>,
    /// The day in the plan's time zone (what the light counts).
    pub on_date: Date,
    pub at: DateTimeUtc,
    pub actor: String,
}

impl ActiveModelBehavior for ActiveModel {}
