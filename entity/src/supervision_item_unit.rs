use sea_orm::entity::prelude::*;

/// A supporting unit (配合单位) of a supervision item.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_item_unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
