use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// Who sent the key: "token:<id>", or "operator" for the operator's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub caller: String,
    /// The client's key, as sent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The report the first submission with this key filed.
    pub report_id: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
