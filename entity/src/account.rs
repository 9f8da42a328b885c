use sea_orm::entity::prelude::*;

use crate::enums::Role;

/// A person who signs in with a password. The role rules are the tokens'
/// (a REPORTER reports for a unit), and a session becomes the same
/// `Actor` a token does.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// As the administrator typed it (trimmed), e.g. "zhaoshang".
    pub username: String,
    /// `domain::text::key(username)`: what sign-in and duplicates compare
    /// (case and width folded). Unique; kept by `before_save`.
    #[sea_orm(unique)]
    pub username_key: String,
    /// How pages and the audit trail name the person, e.g. "招商合作局填报员".
    pub display_name: String,
    /// ADMIN, REPORTER or VIEWER.
    pub role: Role,
    /// The unit a REPORTER reports for.
    pub unit_id: Option<i64>,
    /// Argon2id, as a PHC string; never sent anywhere.
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    /// Set on creation and on a reset: until the person chooses a password
    /// of their own, a session may only ask `me` and `changePassword`.
    pub must_change_password: bool,
    /// When an administrator disabled the account; it cannot sign in.
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub password_changed_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Every write of a username writes its key too, so no code path can
    /// store an account the unique index would compare wrongly.
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if let sea_orm::ActiveValue::Set(name) = &self.username {
            self.username_key = sea_orm::ActiveValue::Set(domain::text::key(name));
        }
        Ok(self)
    }
}
