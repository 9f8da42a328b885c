use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    DataVersion,
}

/// A counter every change to a plan's rows bumps in the change's own
/// transaction (`db::finish`). Servers keep loaded plans in memory keyed by
/// it and check it on every request, so a change made through any server
/// is seen by all of them at once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(big_integer(Plan::DataVersion).default(0))
                    .to_owned(),
            )
            .await
    }
}
