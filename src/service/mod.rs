//! Use cases over the database. Each write validates its input (pure rules
//! in `domain::validation`, lookups here) before it writes anything, and
//! writes inside one transaction; each read loads a plan's inputs set-wise.

/// Accounts (users) that sign in with a password: create, list, disable, reset.
pub mod accounts;
/// Assignments (分解) of goals to units.
pub mod assignments;
/// 佐证材料: uploads, kept in the database, linked by the step citing them.
pub mod attachments;
/// Next year's plan from this year's: the goal tree, units and dates moved.
pub mod copy;
/// The 完成情况表 as .xlsx and CSV.
pub mod export;
/// Goals (目标任务): create, update, archive.
pub mod goals;
/// Importing a 目标任务分解表 spreadsheet into a plan, all or nothing.
pub mod import;
/// Milestones (节点目标) and their completion.
pub mod milestones;
/// Reminders and notifications: the outbox, webhooks, the scheduler, live updates.
pub mod notify;
/// Argon2id password hashes and the rules for a new password.
pub mod passwords;
/// Loads everything that judges a plan in a fixed number of queries.
pub mod plan_data;
/// Plans (年度目标): create, update, archive.
pub mod plans;
/// 问题台账: problems, rectification, recheck, escalation.
/// Which servers serve the database (`mubiao restore` refuses while any does).
pub mod presence;
pub mod problems;
/// Reports (月报): cumulative values with notes.
pub mod reports;
/// Signing in, the sessions it opens (in the database), signing out.
pub mod sessions;
/// Plan snapshots kept between requests, checked against `data_version`.
pub mod snapshot_cache;
/// 督查督办: supervision items, their steps and extensions, automatic items.
pub mod supervision;
/// Bearer tokens: issue, revoke, authenticate.
pub mod tokens;
/// Units (责任单位) and their tree.
pub mod units;
/// Watch lists and the reporting calendar over plan snapshots.
pub mod watch;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::{AppError, AppResult};

pub use plan_data::{PlanData, load_plans};

/// The clock, passed in so tests and the demo can fix "now".
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Finds a row by primary key, failing with NOT_FOUND if it is missing or archived.
pub(crate) async fn find_active<E, C>(
    db: &C,
    entity: &'static str,
    id: i64,
    archived_at: impl Fn(&E::Model) -> Option<DateTime<Utc>>,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    E::PrimaryKey: sea_orm::PrimaryKeyTrait<ValueType = i64>,
    C: ConnectionTrait,
{
    match E::find_by_id(id).one(db).await? {
        Some(m) if archived_at(&m).is_none() => Ok(m),
        _ => Err(AppError::not_found(entity, id)),
    }
}
