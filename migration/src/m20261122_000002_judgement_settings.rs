use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    TimeProgressMode,
    YellowGap,
    RedGap,
    RateYellowFloor,
    ReportingCycle,
    ReportDueDay,
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    MonthlyPlan,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let plan_columns = [
            string_len(Plan::TimeProgressMode, 16)
                .default("MONTHLY")
                .take(),
            double(Plan::YellowGap).default(10.0).take(),
            double(Plan::RedGap).default(30.0).take(),
            double(Plan::RateYellowFloor).default(80.0).take(),
            string_len(Plan::ReportingCycle, 16)
                .default("MONTHLY")
                .take(),
            integer(Plan::ReportDueDay).default(5).take(),
        ];
        for mut column in plan_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Plan::Table)
                        .add_column(&mut column)
                        .take(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Goal::Table)
                    .add_column(json_binary_null(Goal::MonthlyPlan))
                    .take(),
            )
            .await?;
        Ok(())
    }
}
