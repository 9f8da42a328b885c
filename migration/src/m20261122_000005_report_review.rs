use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Report {
    Table,
    Status,
    SubmittedBy,
    ReviewedBy,
    ReviewedAt,
    ReviewReason,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    RequireApproval,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let report_columns = [
            string_len(Report::Status, 16).default("SUBMITTED").take(),
            string_null(Report::SubmittedBy),
            string_null(Report::ReviewedBy),
            timestamp_with_time_zone_null(Report::ReviewedAt),
            text_null(Report::ReviewReason),
        ];
        for column in report_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Report::Table)
                        .add_column(column)
                        .take(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(boolean(Plan::RequireApproval).default(false))
                    .take(),
            )
            .await
    }
}
