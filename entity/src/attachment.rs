use sea_orm::entity::prelude::*;

/// An uploaded file (佐证材料), without its bytes (`attachment_content`).
/// Unlinked (owner NULL) until a step cites it; then it belongs to one
/// SUPERVISION_ITEM, PROBLEM or REPORT, and to the event that cited it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Cleaned (`domain::evidence::clean`), with an extension that fits.
    pub name: String,
    pub size: i64,
    /// From the bytes, never from the uploader.
    pub content_type: String,
    /// Hex.
    pub sha256: String,
    /// The name shown (a token's or account's name).
    pub uploaded_by: String,
    /// The token or account that uploaded it ("token:7", "user:3",
    /// "operator"): only it may cite or read the file while unlinked.
    pub uploader_key: String,
    pub uploaded_at: DateTimeUtc,
    pub owner_kind: Option<String>,
    pub owner_id: Option<i64>,
    /// The supervision or problem event that cited it.
    pub event_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
