use sea_orm::entity::prelude::*;

/// A goal a supervision item is about.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_item_goal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
