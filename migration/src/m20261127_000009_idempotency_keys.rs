use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Caller,
    Key,
    ReportId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Report {
    Table,
    Id,
}

/// The keys clients send with `submitReport` so that a retry files nothing
/// new: one row per (caller, key), naming the report the first submission
/// filed. The primary key is what makes two racing retries file one
/// report, on any number of servers; rows older than a day are deleted as
/// new keys arrive.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(string_len(IdempotencyKey::Caller, 64))
                    .col(string_len(IdempotencyKey::Key, 400))
                    .col(big_integer(IdempotencyKey::ReportId))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::Caller)
                            .col(IdempotencyKey::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyKey::Table, IdempotencyKey::ReportId)
                            .to(Report::Table, Report::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_key_created_at")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::CreatedAt)
                    .take(),
            )
            .await
    }
}
