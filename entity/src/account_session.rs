use sea_orm::entity::prelude::*;

/// A signed-in browser: the cookie carries a random token, this row its
/// hash. Every server reads the same rows, so any of them accepts it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the cookie's token, hex; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub account_id: i64,
    pub created_at: DateTimeUtc,
    /// Refreshed at most once a minute; the idle timeout counts from it.
    pub last_seen_at: DateTimeUtc,
    /// The absolute end, fixed at sign-in.
    pub expires_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
