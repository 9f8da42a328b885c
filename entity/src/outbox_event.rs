use sea_orm::entity::prelude::*;

/// One event (a report returned, a reminder due), written in the
/// transaction of the change or the scheduler run that caused it. The key
/// is unique: a time-based event computed twice is written once.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "REPORT_MISSING:3:12:2025-10": what makes the event the same event.
    #[sea_orm(unique)]
    pub event_key: String,
    pub kind: String,
    pub plan_id: Option<i64>,
    /// The unit the event is about, if any.
    pub unit_id: Option<i64>,
    /// The report, goal, milestone or item it is about.
    pub subject_id: Option<i64>,
    /// The message's first line, in Chinese.
    pub title: String,
    /// The message with its figures, in Chinese (plain lines).
    pub body: String,
    /// The page it is about ("/goals/12"), when there is one.
    pub link: Option<String>,
    /// The event's facts as JSON, for GENERIC receivers.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
