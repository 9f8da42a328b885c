use sea_orm::entity::prelude::*;

/// One change, written in the change's own transaction. Append-only: the
/// API has no way to edit or delete a row.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// The token's name ("operator", "cli", "demo" for the tools).
    pub actor_name: String,
    pub actor_role: String,
    /// The mutation or command, e.g. "submitReport".
    pub operation: String,
    /// "plan", "goal", "assignment", "milestone", "report", "unit", "token".
    pub object_type: String,
    pub object_id: i64,
    /// The input as given, secrets removed (JSON).
    #[sea_orm(column_type = "Text")]
    pub input: String,
}

impl ActiveModelBehavior for ActiveModel {}
