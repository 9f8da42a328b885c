use sea_orm::entity::prelude::*;

/// Who has read a notification: each reader (account or token) apart.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_read")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub notification_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reader_key: String,
    pub read_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
