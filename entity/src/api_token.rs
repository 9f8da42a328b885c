use sea_orm::entity::prelude::*;

use crate::enums::Role;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who holds it, e.g. "招商合作局 填报员".
    pub name: String,
    /// ADMIN, REPORTER or VIEWER.
    pub role: Role,
    /// The unit a REPORTER reports for.
    pub unit_id: Option<i64>,
    /// SHA-256 of the token, hex; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
