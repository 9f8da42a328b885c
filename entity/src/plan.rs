use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_unit_id: i64,
    pub name: String,
    pub year: i32,
    pub start_date: Date,
    pub end_date: Date,
    /// IANA zone that decides "today" for asOf defaults (Asia/Shanghai).
    pub time_zone: String,
    /// Score cap as a fraction: 1.0 caps every goal at 100 % in roll-ups.
    pub score_cap: f64,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
