use sea_orm::entity::prelude::*;

/// Failed sign-ins under one username (whether an account has it or
/// not), and the lock they set.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// `domain::text::key` of the username typed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub username_key: String,
    /// Failures since the last lock, success or quiet spell.
    pub failures: i32,
    pub last_failure_at: DateTimeUtc,
    /// Until when a sign-in under this name is refused, right password or not.
    pub locked_until: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
