//! Schema migrations, one file per change, applied in order on start-up.
pub use sea_orm_migration::prelude::*;

/// The core tables: units, plans, goals, assignments, milestones, reports.
mod m20261121_000001_create_core;
/// Plan settings for time progress, lights and the reporting calendar; goal curves.
mod m20261122_000002_judgement_settings;
/// Bearer tokens (hashes only) with roles.
mod m20261122_000003_api_tokens;
/// The plan lifecycle: DRAFT, ACTIVE, CLOSED.
mod m20261122_000004_plan_state;
/// Report review (审核): status, reviewer, reason; the plan's requireApproval.
mod m20261122_000005_report_review;
/// The append-only audit log.
mod m20261122_000006_audit_log;
/// The index that finds the report standing on a date per assignment.
mod m20261122_000007_standing_report_index;
/// plan.data_version: what cached plan snapshots are checked against.
mod m20261122_000008_plan_data_version;
/// Idempotency keys of submitted reports: a retry files nothing new.
mod m20261127_000009_idempotency_keys;
/// Unique unit names under a parent and shares per goal; enum columns checked.
mod m20261127_000010_integrity;
/// What an office's 分解表 carries: subsets, last year's result, remarks, RANK goals.
mod m20261128_000011_office_sheet;
/// Accounts that sign in with a password, their sessions, and locks after failed sign-ins.
mod m20261129_000012_accounts;
/// 督查督办: supervision items, their events and extension requests.
mod m20261130_000013_supervision;
/// 问题台账: problems, what happened to each, the item an escalation became.
mod m20261130_000014_problems;
/// 佐证材料: uploaded files and their bytes, linked to what they prove.
mod m20261201_000015_attachments;
/// Reminders and notifications: outbox, webhooks, deliveries, calendar overrides.
mod m20261202_000016_notifications;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_core::Migration),
            Box::new(m20261122_000002_judgement_settings::Migration),
            Box::new(m20261122_000003_api_tokens::Migration),
            Box::new(m20261122_000004_plan_state::Migration),
            Box::new(m20261122_000005_report_review::Migration),
            Box::new(m20261122_000006_audit_log::Migration),
            Box::new(m20261122_000007_standing_report_index::Migration),
            Box::new(m20261122_000008_plan_data_version::Migration),
            Box::new(m20261127_000009_idempotency_keys::Migration),
            Box::new(m20261127_000010_integrity::Migration),
            Box::new(m20261128_000011_office_sheet::Migration),
            Box::new(m20261129_000012_accounts::Migration),
            Box::new(m20261130_000013_supervision::Migration),
            Box::new(m20261130_000014_problems::Migration),
            Box::new(m20261201_000015_attachments::Migration),
            Box::new(m20261202_000016_notifications::Migration),
        ]
    }
}
