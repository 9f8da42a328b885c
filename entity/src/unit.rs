use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// `domain::text::key(name)`: what duplicate names are compared by
    /// (unique among active siblings). Kept by `before_save`.
    pub name_key: String,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Every write of a name writes its key too, so no code path can store
    /// a unit the unique index would compare wrongly.
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if let sea_orm::ActiveValue::Set(name) = &self.name {
            self.name_key = sea_orm::ActiveValue::Set(domain::text::key(name));
        }
        Ok(self)
    }
}
