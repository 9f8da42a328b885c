//! The working-day calendar in force: the State Council's notices shipped
//! in `domain::workdays`, with an ADMIN's overrides of single days.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::workdays::Workdays;
use entity::calendar_day;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};

use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};

impl Audited for calendar_day::Model {
    const OBJECT: &'static str = "calendar day";
    /// The day as a number (days since 0001-01-01), the log's object id.
    fn object_id(&self) -> i64 {
        i64::from(self.day.num_days_from_ce())
    }
    /// Every plan's due days (and so its reporting calendar) may move.
    fn touches(&self) -> Touches {
        Touches::AllPlans
    }
}

/// The calendar in force: one statement.
pub async fn in_force<C: ConnectionTrait>(db: &C) -> AppResult<Workdays> {
    let overrides = calendar_day::Entity::find().all(db).await?;
    Ok(Workdays::with_overrides(
        overrides.into_iter().map(|d| (d.day, d.workday)),
    ))
}

/// Every override, in date order.
pub async fn overrides(db: &DatabaseConnection) -> AppResult<Vec<calendar_day::Model>> {
    use sea_orm::QueryOrder;
    Ok(calendar_day::Entity::find()
        .order_by_asc(calendar_day::Column::Day)
        .all(db)
        .await?)
}

/// `setCalendarDay`: `day` is a working day or a day off from now on,
/// whatever the notices say; `None` removes the override (the notices
/// again). Bumps every plan's data version: due days may move.
pub async fn set_day(
    db: &DatabaseConnection,
    author: &Audit,
    day: NaiveDate,
    workday: Option<bool>,
    now: DateTime<Utc>,
) -> AppResult<calendar_day::Model> {
    if !(2000..=2100).contains(&day.year()) {
        return Err(AppError::refused(
            ErrorCode::InvalidDate,
            format!("日期 {day} 超出可设置的范围（2000—2100 年）"),
            format!("{day} is outside the years a calendar day may be set for (2000–2100)"),
        ));
    }
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let existing = calendar_day::Entity::find_by_id(day).one(&txn).await?;
        match (existing, workday) {
            (Some(row), None) => {
                calendar_day::Entity::delete_by_id(day).exec(&txn).await?;
                Ok(calendar_day::Model {
                    workday: domain::workdays::is_workday(day),
                    ..row
                })
            }
            (None, None) => Ok(calendar_day::Model {
                day,
                workday: domain::workdays::is_workday(day),
                set_by: author.actor_name.clone(),
                set_at: now,
            }),
            (Some(row), Some(workday)) => {
                let mut active: calendar_day::ActiveModel = row.into();
                active.workday = Set(workday);
                active.set_by = Set(author.actor_name.clone());
                active.set_at = Set(now);
                Ok(active.update(&txn).await?)
            }
            (None, Some(workday)) => Ok(calendar_day::ActiveModel {
                day: Set(day),
                workday: Set(workday),
                set_by: Set(author.actor_name.clone()),
                set_at: Set(now),
            }
            .insert(&txn)
            .await?),
        }
    }
    .await;
    finish(txn, author, result).await
}
