use sea_orm_migration::sea_query::{Check, Expr};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000010_integrity::check_name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Plan {
    Table,
    ReportDuePostponed,
}

#[derive(DeriveIden)]
enum CalendarDay {
    Table,
    Day,
    Workday,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum OutboxEvent {
    Table,
    Id,
    EventKey,
    Kind,
    PlanId,
    UnitId,
    SubjectId,
    Title,
    Body,
    Link,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    EventId,
    UnitId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationRead {
    Table,
    NotificationId,
    ReaderKey,
    ReadAt,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Name,
    Kind,
    Url,
    Secret,
    Events,
    UnitId,
    Active,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Id,
    WebhookId,
    EventId,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    LastStatus,
    LastError,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Lease {
    Table,
    Name,
    Holder,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SchedulerPlan {
    Table,
    PlanId,
    DataVersion,
    Day,
}

#[derive(DeriveIden)]
enum GoalLight {
    Table,
    GoalId,
    Light,
    SeenOn,
}

const KINDS: [&str; 11] = [
    "REPORT_DUE_SOON",
    "REPORT_MISSING",
    "REPORT_RETURNED",
    "REPORT_APPROVED",
    "LIGHT_CHANGED",
    "MILESTONE_OVERDUE",
    "SUPERVISION_ASSIGNED",
    "SUPERVISION_DUE_SOON",
    "SUPERVISION_OVERDUE",
    "SUPERVISION_RETURNED",
    "TEST",
];
const HOOK_KINDS: [&str; 5] = ["WECOM", "DINGTALK", "FEISHU", "GENERIC", "EMAIL"];
const DELIVERY_STATES: [&str; 3] = ["PENDING", "DELIVERED", "DEAD"];

/// Reminders and notifications: the plan's 遇节假日顺延 switch, an ADMIN's
/// overrides of the working-day calendar, the transactional outbox (one
/// row per event, its key unique so a time-based event written twice is
/// written once), the in-app notifications and who has read them,
/// webhooks and one delivery row per webhook and event (the dispatcher's
/// queue: claimed with a lease, retried with backoff, dead-lettered), the
/// scheduler's lease, the last light each goal was seen with, and the
/// data version and day each plan was last checked at (a plan that has
/// not changed since today's run is not loaded again).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(boolean(Plan::ReportDuePostponed).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarDay::Table)
                    .col(date(CalendarDay::Day).primary_key())
                    .col(boolean(CalendarDay::Workday))
                    .col(string_len(CalendarDay::SetBy, 200))
                    .col(timestamp_with_time_zone(CalendarDay::SetAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvent::Table)
                    .col(big_pk_auto(OutboxEvent::Id))
                    .col(string_len_uniq(OutboxEvent::EventKey, 200))
                    .col(string_len(OutboxEvent::Kind, 40))
                    .col(big_integer_null(OutboxEvent::PlanId))
                    .col(big_integer_null(OutboxEvent::UnitId))
                    .col(big_integer_null(OutboxEvent::SubjectId))
                    .col(string_len(OutboxEvent::Title, 300))
                    .col(text(OutboxEvent::Body))
                    .col(string_len_null(OutboxEvent::Link, 300))
                    .col(text(OutboxEvent::Payload))
                    .col(timestamp_with_time_zone(OutboxEvent::CreatedAt))
                    .check(Check::named(
                        check_name("outbox_event", "kind"),
                        Expr::col(OutboxEvent::Kind).is_in(KINDS),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(big_pk_auto(Notification::Id))
                    .col(big_integer(Notification::EventId))
                    // NULL: the target office's (ADMINs and leaders).
                    .col(big_integer_null(Notification::UnitId))
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_event")
                            .from(Notification::Table, Notification::EventId)
                            .to(OutboxEvent::Table, OutboxEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_unit")
                    .table(Notification::Table)
                    .col(Notification::UnitId)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationRead::Table)
                    .col(big_integer(NotificationRead::NotificationId))
                    .col(string_len(NotificationRead::ReaderKey, 100))
                    .col(timestamp_with_time_zone(NotificationRead::ReadAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationRead::NotificationId)
                            .col(NotificationRead::ReaderKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_read_notification")
                            .from(NotificationRead::Table, NotificationRead::NotificationId)
                            .to(Notification::Table, Notification::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(big_pk_auto(Webhook::Id))
                    .col(string_len(Webhook::Name, 200))
                    .col(string_len(Webhook::Kind, 16))
                    .col(string_len(Webhook::Url, 1000))
                    .col(string_len_null(Webhook::Secret, 200))
                    // Comma-separated kinds; empty: every kind.
                    .col(text(Webhook::Events))
                    .col(big_integer_null(Webhook::UnitId))
                    .col(boolean(Webhook::Active).default(true))
                    .col(timestamp_with_time_zone(Webhook::CreatedAt))
                    .col(string_len(Webhook::CreatedBy, 200))
                    .check(Check::named(
                        check_name("webhook", "kind"),
                        Expr::col(Webhook::Kind).is_in(HOOK_KINDS),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .col(big_pk_auto(Delivery::Id))
                    .col(big_integer(Delivery::WebhookId))
                    .col(big_integer(Delivery::EventId))
                    .col(string_len(Delivery::State, 16))
                    .col(integer(Delivery::Attempts).default(0))
                    .col(timestamp_with_time_zone(Delivery::NextAttemptAt))
                    .col(string_len_null(Delivery::ClaimedBy, 100))
                    .col(timestamp_with_time_zone_null(Delivery::ClaimedUntil))
                    .col(integer_null(Delivery::LastStatus))
                    .col(string_len_null(Delivery::LastError, 500))
                    .col(timestamp_with_time_zone_null(Delivery::DeliveredAt))
                    .col(timestamp_with_time_zone(Delivery::CreatedAt))
                    .check(Check::named(
                        check_name("delivery", "state"),
                        Expr::col(Delivery::State).is_in(DELIVERY_STATES),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_webhook")
                            .from(Delivery::Table, Delivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_event")
                            .from(Delivery::Table, Delivery::EventId)
                            .to(OutboxEvent::Table, OutboxEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("delivery_once")
                    .table(Delivery::Table)
                    .col(Delivery::WebhookId)
                    .col(Delivery::EventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("delivery_due")
                    .table(Delivery::Table)
                    .col(Delivery::State)
                    .col(Delivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Lease::Table)
                    .col(string_len(Lease::Name, 50).primary_key())
                    .col(string_len(Lease::Holder, 100))
                    .col(timestamp_with_time_zone(Lease::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GoalLight::Table)
                    .col(big_integer(GoalLight::GoalId).primary_key())
                    .col(string_len(GoalLight::Light, 16))
                    .col(date(GoalLight::SeenOn))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchedulerPlan::Table)
                    .col(big_integer(SchedulerPlan::PlanId).primary_key())
                    .col(big_integer(SchedulerPlan::DataVersion))
                    .col(date(SchedulerPlan::Day))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SchedulerPlan::Table.into_iden(),
            GoalLight::Table.into_iden(),
            Lease::Table.into_iden(),
            Delivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            NotificationRead::Table.into_iden(),
            Notification::Table.into_iden(),
            OutboxEvent::Table.into_iden(),
            CalendarDay::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .drop_column(Plan::ReportDuePostponed)
                    .to_owned(),
            )
            .await
    }
}
