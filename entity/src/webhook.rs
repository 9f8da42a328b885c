use sea_orm::entity::prelude::*;

/// Where events are pushed: a 企业微信, 钉钉 or 飞书 group robot, or any
/// receiver of signed JSON (GENERIC).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// WECOM, DINGTALK, FEISHU or GENERIC.
    pub kind: String,
    pub url: String,
    /// The signing secret (DINGTALK, FEISHU, GENERIC); never answered.
    pub secret: Option<String>,
    /// Comma-separated event kinds; empty for every kind.
    #[sea_orm(column_type = "Text")]
    pub events: String,
    /// Only events addressed to this unit; `None`: the office's events.
    pub unit_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
