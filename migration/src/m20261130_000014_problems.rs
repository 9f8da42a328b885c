use sea_orm_migration::sea_query::{Check, Expr};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000010_integrity::check_name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Problem {
    Table,
    Id,
    PlanId,
    Title,
    Description,
    Category,
    Severity,
    Source,
    FoundOn,
    Enterprise,
    Location,
    UnitId,
    Deadline,
    Measures,
    State,
    ClosedOn,
    EscalatedItemId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ProblemEvent {
    Table,
    Id,
    ProblemId,
    Kind,
    Content,
    OnDate,
    At,
    Actor,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Unit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SupervisionItem {
    Table,
    Id,
}

const STATES: [&str; 4] = ["OPEN", "RECTIFYING", "RECHECK", "CLOSED"];
const SEVERITIES: [&str; 3] = ["GENERAL", "MAJOR", "SERIOUS"];
const SOURCES: [&str; 5] = [
    "CHECK",
    "PATROL",
    "PETITION",
    "HIGHER_INSPECTION",
    "SELF_CHECK",
];
const EVENTS: [&str; 6] = [
    "RECORD",
    "START",
    "SUBMIT",
    "RECHECK_PASSED",
    "RECHECK_FAILED",
    "ESCALATE",
];

/// 问题台账: problems found (检查, 巡查, 信访…) at an enterprise or place,
/// each with the unit that rectifies it and a deadline, and what happened
/// to it (开始整改, 提交整改, 复查 passed or failed, 升级为督办: one row per
/// event, never updated). An escalated problem names the supervision item
/// (整改督办单) it became.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Problem::Table)
                    .col(big_pk_auto(Problem::Id))
                    .col(big_integer(Problem::PlanId))
                    .col(string_len(Problem::Title, 200))
                    .col(text_null(Problem::Description))
                    .col(string_len(Problem::Category, 32))
                    .col(string_len(Problem::Severity, 16))
                    .col(string_len(Problem::Source, 32))
                    .col(date(Problem::FoundOn))
                    .col(string_len_null(Problem::Enterprise, 100))
                    .col(string_len_null(Problem::Location, 100))
                    .col(big_integer(Problem::UnitId))
                    .col(date(Problem::Deadline))
                    .col(text_null(Problem::Measures))
                    .col(string_len(Problem::State, 16))
                    .col(date_null(Problem::ClosedOn))
                    .col(big_integer_null(Problem::EscalatedItemId))
                    .col(timestamp_with_time_zone(Problem::CreatedAt))
                    .col(string_len(Problem::CreatedBy, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_problem_plan")
                            .from(Problem::Table, Problem::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_problem_unit")
                            .from(Problem::Table, Problem::UnitId)
                            .to(Unit::Table, Unit::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_problem_escalated_item")
                            .from(Problem::Table, Problem::EscalatedItemId)
                            .to(SupervisionItem::Table, SupervisionItem::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Check::named(
                        check_name("problem", "state"),
                        Expr::col(Problem::State).is_in(STATES),
                    ))
                    .check(Check::named(
                        check_name("problem", "severity"),
                        Expr::col(Problem::Severity).is_in(SEVERITIES),
                    ))
                    .check(Check::named(
                        check_name("problem", "source"),
                        Expr::col(Problem::Source).is_in(SOURCES),
                    ))
                    .check(Check::named(
                        "problem_closed_on",
                        Expr::col(Problem::State)
                            .eq("CLOSED")
                            .and(Expr::col(Problem::ClosedOn).is_not_null())
                            .or(Expr::col(Problem::State)
                                .ne("CLOSED")
                                .and(Expr::col(Problem::ClosedOn).is_null())),
                    ))
                    .take(),
            )
            .await?;
        for (name, column) in [
            ("idx_problem_plan", Problem::PlanId),
            ("idx_problem_unit", Problem::UnitId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Problem::Table)
                        .col(column)
                        .take(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ProblemEvent::Table)
                    .col(big_pk_auto(ProblemEvent::Id))
                    .col(big_integer(ProblemEvent::ProblemId))
                    .col(string_len(ProblemEvent::Kind, 32))
                    .col(text_null(ProblemEvent::Content))
                    .col(date(ProblemEvent::OnDate))
                    .col(timestamp_with_time_zone(ProblemEvent::At))
                    .col(string_len(ProblemEvent::Actor, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_problem_event_problem")
                            .from(ProblemEvent::Table, ProblemEvent::ProblemId)
                            .to(Problem::Table, Problem::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Check::named(
                        check_name("problem_event", "kind"),
                        Expr::col(ProblemEvent::Kind).is_in(EVENTS),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_problem_event_problem")
                    .table(ProblemEvent::Table)
                    .col(ProblemEvent::ProblemId)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProblemEvent::Table).take())
            .await?;
        manager
            .drop_table(Table::drop().table(Problem::Table).take())
            .await?;
        Ok(())
    }
}
