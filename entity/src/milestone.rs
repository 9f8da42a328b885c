use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "milestone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Denormalised so a plan's rows load with one indexed query.
    pub plan_id: i64,
    pub goal_id: i64,
    pub position: i32,
    pub title: String,
    pub due_date: Date,
    pub weight: f64,
    pub completed_on: Option<Date>,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
