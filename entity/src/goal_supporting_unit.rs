use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_supporting_unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
    /// Denormalised so a plan's rows load with one indexed query.
    pub plan_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
