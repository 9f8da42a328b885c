use sea_orm::entity::prelude::*;

/// The bytes of one attachment, read only to download it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment_content")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attachment_id: i64,
    #[sea_orm(column_type = "Blob")]
    pub bytes: Vec<u8>,
}

impl ActiveModelBehavior for ActiveModel {}
