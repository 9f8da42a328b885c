use sea_orm::entity::prelude::*;

/// The light a goal was last seen with by the scheduler, so LIGHT_CHANGED
/// fires when it changes, not every day it stays red.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_light")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_id: i64,
    pub light: String,
    pub seen_on: Date,
}

impl ActiveModelBehavior for ActiveModel {}
