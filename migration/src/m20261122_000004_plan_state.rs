use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    State,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Plans made before the lifecycle already took reports: ACTIVE.
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(string_len(Plan::State, 16).default("ACTIVE"))
                    .take(),
            )
            .await
    }
}
