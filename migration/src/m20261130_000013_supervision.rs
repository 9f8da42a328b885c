use sea_orm_migration::sea_query::{Check, Expr};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000010_integrity::check_name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SupervisionItem {
    Table,
    Id,
    PlanId,
    Title,
    Content,
    Source,
    Level,
    LeadUnitId,
    ResponsibleLeader,
    AssignedOn,
    Deadline,
    State,
    ClosedOn,
    AutoGoalId,
    UrgeCount,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum SupervisionItemUnit {
    Table,
    ItemId,
    UnitId,
}

#[derive(DeriveIden)]
enum SupervisionItemGoal {
    Table,
    ItemId,
    GoalId,
}

#[derive(DeriveIden)]
enum SupervisionEvent {
    Table,
    Id,
    ItemId,
    Kind,
    Content,
    OnDate,
    At,
    Actor,
}

#[derive(DeriveIden)]
enum SupervisionExtension {
    Table,
    Id,
    ItemId,
    NewDeadline,
    Reason,
    RequestedAt,
    RequestedBy,
    Decision,
    DecisionReason,
    DecidedOn,
    DecidedAt,
    DecidedBy,
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
enum Goal {
    Table,
    Id,
}

const STATES: [&str; 5] = [
    "ASSIGNED",
    "ACCEPTED",
    "IN_PROGRESS",
    "CLOSURE_REQUESTED",
    "CLOSED",
];
const SOURCES: [&str; 5] = [
    "LEADER_INSTRUCTION",
    "MEETING",
    "RED_LIGHT",
    "INSPECTION",
    "OTHER",
];
const LEVELS: [&str; 3] = ["NORMAL", "KEY", "LISTED"];
const EVENTS: [&str; 10] = [
    "ASSIGN",
    "ACCEPT",
    "FEEDBACK",
    "CLOSURE_REQUEST",
    "CLOSE",
    "RETURN",
    "URGE",
    "EXTENSION_REQUEST",
    "EXTENSION_DECISION",
    "REOPEN",
];

fn foreign(
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

/// 督查督办: supervision items handed to a lead unit (with supporting
/// units and the goals they are about), what happened to each (签收, 反馈,
/// 申请办结, 退回, 催办, 办结, 重新打开: one row per event, never updated),
/// and extension requests with their decision (both deadlines kept: the
/// item keeps the one it was given, an approved request the new one).
///
/// `auto_goal_id` names the goal an automatic (RED_LIGHT) item is about;
/// a partial unique index keeps one open automatic item per goal, so two
/// servers running the daily check at once cannot both open one.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupervisionItem::Table)
                    .col(big_pk_auto(SupervisionItem::Id))
                    .col(big_integer(SupervisionItem::PlanId))
                    .col(string_len(SupervisionItem::Title, 200))
                    .col(text_null(SupervisionItem::Content))
                    .col(string_len(SupervisionItem::Source, 32))
                    .col(string_len(SupervisionItem::Level, 16))
                    .col(big_integer(SupervisionItem::LeadUnitId))
                    .col(string_len_null(SupervisionItem::ResponsibleLeader, 100))
                    .col(date(SupervisionItem::AssignedOn))
                    .col(date(SupervisionItem::Deadline))
                    .col(string_len(SupervisionItem::State, 32))
                    .col(date_null(SupervisionItem::ClosedOn))
                    .col(big_integer_null(SupervisionItem::AutoGoalId))
                    .col(integer(SupervisionItem::UrgeCount).default(0))
                    .col(timestamp_with_time_zone(SupervisionItem::CreatedAt))
                    .col(string_len(SupervisionItem::CreatedBy, 200))
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_plan",
                        (SupervisionItem::Table, SupervisionItem::PlanId),
                        (Plan::Table, Plan::Id),
                    ))
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_lead_unit",
                        (SupervisionItem::Table, SupervisionItem::LeadUnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_auto_goal",
                        (SupervisionItem::Table, SupervisionItem::AutoGoalId),
                        (Goal::Table, Goal::Id),
                    ))
                    .check(Check::named(
                        check_name("supervision_item", "state"),
                        Expr::col(SupervisionItem::State).is_in(STATES),
                    ))
                    .check(Check::named(
                        check_name("supervision_item", "source"),
                        Expr::col(SupervisionItem::Source).is_in(SOURCES),
                    ))
                    .check(Check::named(
                        check_name("supervision_item", "level"),
                        Expr::col(SupervisionItem::Level).is_in(LEVELS),
                    ))
                    // Closed exactly when it has a closing day.
                    .check(Check::named(
                        "supervision_item_closed_on",
                        Expr::col(SupervisionItem::State)
                            .eq("CLOSED")
                            .and(Expr::col(SupervisionItem::ClosedOn).is_not_null())
                            .or(Expr::col(SupervisionItem::State)
                                .ne("CLOSED")
                                .and(Expr::col(SupervisionItem::ClosedOn).is_null())),
                    ))
                    .check(Check::named(
                        "supervision_item_urges_not_negative",
                        Expr::col(SupervisionItem::UrgeCount).gte(0),
                    ))
                    .take(),
            )
            .await?;
        // A plan's items (every list), a unit's (its REPORTER's list).
        for (name, column) in [
            ("idx_supervision_item_plan", SupervisionItem::PlanId),
            (
                "idx_supervision_item_lead_unit",
                SupervisionItem::LeadUnitId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SupervisionItem::Table)
                        .col(column)
                        .take(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX supervision_item_open_auto_goal ON supervision_item (auto_goal_id) \
                 WHERE auto_goal_id IS NOT NULL AND state <> 'CLOSED'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupervisionItemUnit::Table)
                    .col(big_integer(SupervisionItemUnit::ItemId))
                    .col(big_integer(SupervisionItemUnit::UnitId))
                    .primary_key(
                        Index::create()
                            .col(SupervisionItemUnit::ItemId)
                            .col(SupervisionItemUnit::UnitId),
                    )
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_unit_item",
                        (SupervisionItemUnit::Table, SupervisionItemUnit::ItemId),
                        (SupervisionItem::Table, SupervisionItem::Id),
                    ))
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_unit_unit",
                        (SupervisionItemUnit::Table, SupervisionItemUnit::UnitId),
                        (Unit::Table, Unit::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionItemGoal::Table)
                    .col(big_integer(SupervisionItemGoal::ItemId))
                    .col(big_integer(SupervisionItemGoal::GoalId))
                    .primary_key(
                        Index::create()
                            .col(SupervisionItemGoal::ItemId)
                            .col(SupervisionItemGoal::GoalId),
                    )
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_goal_item",
                        (SupervisionItemGoal::Table, SupervisionItemGoal::ItemId),
                        (SupervisionItem::Table, SupervisionItem::Id),
                    ))
                    .foreign_key(&mut foreign(
                        "fk_supervision_item_goal_goal",
                        (SupervisionItemGoal::Table, SupervisionItemGoal::GoalId),
                        (Goal::Table, Goal::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionEvent::Table)
                    .col(big_pk_auto(SupervisionEvent::Id))
                    .col(big_integer(SupervisionEvent::ItemId))
                    .col(string_len(SupervisionEvent::Kind, 32))
                    .col(text_null(SupervisionEvent::Content))
                    // The day in the plan's time zone: what lights count.
                    .col(date(SupervisionEvent::OnDate))
                    .col(timestamp_with_time_zone(SupervisionEvent::At))
                    .col(string_len(SupervisionEvent::Actor, 200))
                    .foreign_key(&mut foreign(
                        "fk_supervision_event_item",
                        (SupervisionEvent::Table, SupervisionEvent::ItemId),
                        (SupervisionItem::Table, SupervisionItem::Id),
                    ))
                    .check(Check::named(
                        check_name("supervision_event", "kind"),
                        Expr::col(SupervisionEvent::Kind).is_in(EVENTS),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_supervision_event_item")
                    .table(SupervisionEvent::Table)
                    .col(SupervisionEvent::ItemId)
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionExtension::Table)
                    .col(big_pk_auto(SupervisionExtension::Id))
                    .col(big_integer(SupervisionExtension::ItemId))
                    .col(date(SupervisionExtension::NewDeadline))
                    .col(text(SupervisionExtension::Reason))
                    .col(timestamp_with_time_zone(SupervisionExtension::RequestedAt))
                    .col(string_len(SupervisionExtension::RequestedBy, 200))
                    .col(string_len_null(SupervisionExtension::Decision, 16))
                    .col(text_null(SupervisionExtension::DecisionReason))
                    .col(date_null(SupervisionExtension::DecidedOn))
                    .col(timestamp_with_time_zone_null(
                        SupervisionExtension::DecidedAt,
                    ))
                    .col(string_len_null(SupervisionExtension::DecidedBy, 200))
                    .foreign_key(&mut foreign(
                        "fk_supervision_extension_item",
                        (SupervisionExtension::Table, SupervisionExtension::ItemId),
                        (SupervisionItem::Table, SupervisionItem::Id),
                    ))
                    .check(Check::named(
                        check_name("supervision_extension", "decision"),
                        Expr::col(SupervisionExtension::Decision)
                            .is_null()
                            .or(Expr::col(SupervisionExtension::Decision)
                                .is_in(["APPROVED", "REJECTED"])),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_supervision_extension_item")
                    .table(SupervisionExtension::Table)
                    .col(SupervisionExtension::ItemId)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SupervisionExtension::Table.into_iden(),
            SupervisionEvent::Table.into_iden(),
            SupervisionItemGoal::Table.into_iden(),
            SupervisionItemUnit::Table.into_iden(),
            SupervisionItem::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).take())
                .await?;
        }
        Ok(())
    }
}
