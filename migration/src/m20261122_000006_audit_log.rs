use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorName,
    ActorRole,
    Operation,
    ObjectType,
    ObjectId,
    Input,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(string(AuditLog::ActorName))
                    .col(string_len(AuditLog::ActorRole, 16))
                    .col(string_len(AuditLog::Operation, 64))
                    .col(string_len(AuditLog::ObjectType, 32))
                    .col(big_integer(AuditLog::ObjectId))
                    .col(text(AuditLog::Input))
                    .take(),
            )
            .await?;
        // The questions asked of the log: an object's history, an actor's
        // changes, a time range.
        for (name, cols) in [
            (
                "idx_audit_object",
                vec![AuditLog::ObjectType, AuditLog::ObjectId],
            ),
            ("idx_audit_actor", vec![AuditLog::ActorName]),
            ("idx_audit_at", vec![AuditLog::At]),
        ] {
            let mut index = Index::create().name(name).table(AuditLog::Table).take();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }
}
