use sea_orm::entity::prelude::*;

/// An ADMIN's override of one day of the working-day calendar (a local
/// 调休, a day the State Council moved after the data shipped).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub workday: bool,
    pub set_by: String,
    pub set_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
