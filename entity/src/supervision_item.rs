use sea_orm::entity::prelude::*;

use crate::enums::{ItemLevel, ItemSource, ItemState};

/// A supervision item (督办事项): handed to a lead unit with a deadline.
/// What happened to it is in `supervision_event`; extension requests in
/// `supervision_extension` (the deadline here is the one it was given).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub content: Option<String>,
    pub source: ItemSource,
    pub level: ItemLevel,
    pub lead_unit_id: i64,
    pub responsible_leader: Option<String>,
    /// The day it was handed over (交办), in the plan's time zone.
    pub assigned_on: Date,
    /// The deadline it was given; approved extensions move it from the
    /// day they are decided (`domain::supervision::ItemFacts::deadline_on`).
    pub deadline: Date,
    pub state: ItemState,
    /// While closed: the day it closed.
    pub closed_on: Option<Date>,
    /// The goal an automatic (RED_LIGHT) item is about.
    pub auto_goal_id: Option<i64>,
    /// 催办 so far.
    pub urge_count: i32,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
