use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assignment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Denormalised so a plan's rows load with one indexed query.
    pub plan_id: i64,
    pub goal_id: i64,
    pub unit_id: i64,
    /// The unit's own share; null means "the goal's target".
    pub target_value: Option<f64>,
    /// The unit's own deadline; null means "the goal's deadline".
    pub deadline: Option<Date>,
    pub responsible_person: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
