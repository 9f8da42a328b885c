use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Unit {
    Table,
    Id,
    ParentId,
    Name,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
    OwnerUnitId,
    Name,
    Year,
    StartDate,
    EndDate,
    TimeZone,
    ScoreCap,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Goal {
    Table,
    Id,
    PlanId,
    ParentId,
    Position,
    Code,
    Title,
    Category,
    Kind,
    MeasureUnit,
    TargetValue,
    BaselineValue,
    Direction,
    Weight,
    Deadline,
    LeadUnitId,
    ResponsibleLeader,
    ResponsiblePerson,
    OriginalText,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GoalSupportingUnit {
    Table,
    GoalId,
    UnitId,
    PlanId,
}

#[derive(DeriveIden)]
enum Assignment {
    Table,
    Id,
    PlanId,
    GoalId,
    UnitId,
    TargetValue,
    Deadline,
    ResponsiblePerson,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Milestone {
    Table,
    Id,
    PlanId,
    GoalId,
    Position,
    Title,
    DueDate,
    Weight,
    CompletedOn,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Report {
    Table,
    Id,
    PlanId,
    AssignmentId,
    AsOf,
    Value,
    Note,
    Problems,
    NextSteps,
    SubmittedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Unit::Table)
                    .col(big_pk_auto(Unit::Id))
                    .col(big_integer_null(Unit::ParentId))
                    .col(string(Unit::Name))
                    .col(timestamp_with_time_zone_null(Unit::ArchivedAt))
                    .col(timestamp_with_time_zone(Unit::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_unit_parent",
                        (Unit::Table, Unit::ParentId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_unit_parent")
                    .table(Unit::Table)
                    .col(Unit::ParentId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Plan::Table)
                    .col(big_pk_auto(Plan::Id))
                    .col(big_integer(Plan::OwnerUnitId))
                    .col(string(Plan::Name))
                    .col(integer(Plan::Year))
                    .col(date(Plan::StartDate))
                    .col(date(Plan::EndDate))
                    .col(string(Plan::TimeZone))
                    .col(double(Plan::ScoreCap))
                    .col(timestamp_with_time_zone_null(Plan::ArchivedAt))
                    .col(timestamp_with_time_zone(Plan::CreatedAt))
                    .col(timestamp_with_time_zone(Plan::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_plan_owner",
                        (Plan::Table, Plan::OwnerUnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Goal::Table)
                    .col(big_pk_auto(Goal::Id))
                    .col(big_integer(Goal::PlanId))
                    .col(big_integer_null(Goal::ParentId))
                    .col(integer(Goal::Position))
                    .col(string_null(Goal::Code))
                    .col(text(Goal::Title))
                    .col(string_null(Goal::Category))
                    .col(string_len(Goal::Kind, 16))
                    .col(string_null(Goal::MeasureUnit))
                    .col(double_null(Goal::TargetValue))
                    .col(double_null(Goal::BaselineValue))
                    .col(string_len(Goal::Direction, 16))
                    .col(double(Goal::Weight))
                    .col(date_null(Goal::Deadline))
                    .col(big_integer_null(Goal::LeadUnitId))
                    .col(string_null(Goal::ResponsibleLeader))
                    .col(string_null(Goal::ResponsiblePerson))
                    .col(text_null(Goal::OriginalText))
                    .col(timestamp_with_time_zone_null(Goal::ArchivedAt))
                    .col(timestamp_with_time_zone(Goal::CreatedAt))
                    .col(timestamp_with_time_zone(Goal::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_goal_plan",
                        (Goal::Table, Goal::PlanId),
                        (Plan::Table, Plan::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_goal_parent",
                        (Goal::Table, Goal::ParentId),
                        (Goal::Table, Goal::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_goal_lead_unit",
                        (Goal::Table, Goal::LeadUnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_plan")
                    .table(Goal::Table)
                    .col(Goal::PlanId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GoalSupportingUnit::Table)
                    .col(big_integer(GoalSupportingUnit::GoalId))
                    .col(big_integer(GoalSupportingUnit::UnitId))
                    .col(big_integer(GoalSupportingUnit::PlanId))
                    .primary_key(
                        Index::create()
                            .col(GoalSupportingUnit::GoalId)
                            .col(GoalSupportingUnit::UnitId),
                    )
                    .foreign_key(&mut fk(
                        "fk_support_goal",
                        (GoalSupportingUnit::Table, GoalSupportingUnit::GoalId),
                        (Goal::Table, Goal::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_support_unit",
                        (GoalSupportingUnit::Table, GoalSupportingUnit::UnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_support_plan")
                    .table(GoalSupportingUnit::Table)
                    .col(GoalSupportingUnit::PlanId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Assignment::Table)
                    .col(big_pk_auto(Assignment::Id))
                    .col(big_integer(Assignment::PlanId))
                    .col(big_integer(Assignment::GoalId))
                    .col(big_integer(Assignment::UnitId))
                    .col(double_null(Assignment::TargetValue))
                    .col(date_null(Assignment::Deadline))
                    .col(string_null(Assignment::ResponsiblePerson))
                    .col(timestamp_with_time_zone_null(Assignment::ArchivedAt))
                    .col(timestamp_with_time_zone(Assignment::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_assignment_plan",
                        (Assignment::Table, Assignment::PlanId),
                        (Plan::Table, Plan::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_assignment_goal",
                        (Assignment::Table, Assignment::GoalId),
                        (Goal::Table, Goal::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_assignment_unit",
                        (Assignment::Table, Assignment::UnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignment_plan")
                    .table(Assignment::Table)
                    .col(Assignment::PlanId)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignment_goal")
                    .table(Assignment::Table)
                    .col(Assignment::GoalId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Milestone::Table)
                    .col(big_pk_auto(Milestone::Id))
                    .col(big_integer(Milestone::PlanId))
                    .col(big_integer(Milestone::GoalId))
                    .col(integer(Milestone::Position))
                    .col(text(Milestone::Title))
                    .col(date(Milestone::DueDate))
                    .col(double(Milestone::Weight))
                    .col(date_null(Milestone::CompletedOn))
                    .col(timestamp_with_time_zone_null(Milestone::ArchivedAt))
                    .col(timestamp_with_time_zone(Milestone::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_milestone_plan",
                        (Milestone::Table, Milestone::PlanId),
                        (Plan::Table, Plan::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_milestone_goal",
                        (Milestone::Table, Milestone::GoalId),
                        (Goal::Table, Goal::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_milestone_plan")
                    .table(Milestone::Table)
                    .col(Milestone::PlanId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Report::Table)
                    .col(big_pk_auto(Report::Id))
                    .col(big_integer(Report::PlanId))
                    .col(big_integer(Report::AssignmentId))
                    .col(date(Report::AsOf))
                    .col(double(Report::Value))
                    .col(text_null(Report::Note))
                    .col(text_null(Report::Problems))
                    .col(text_null(Report::NextSteps))
                    .col(timestamp_with_time_zone(Report::SubmittedAt))
                    .foreign_key(&mut fk(
                        "fk_report_plan",
                        (Report::Table, Report::PlanId),
                        (Plan::Table, Plan::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_report_assignment",
                        (Report::Table, Report::AssignmentId),
                        (Assignment::Table, Assignment::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_report_plan")
                    .table(Report::Table)
                    .col(Report::PlanId)
                    .take(),
            )
            .await?;
        // The as-of lookup: latest report of an assignment at or before a date.
        manager
            .create_index(
                Index::create()
                    .name("idx_report_assignment_as_of")
                    .table(Report::Table)
                    .col(Report::AssignmentId)
                    .col(Report::AsOf)
                    .col(Report::Id)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
