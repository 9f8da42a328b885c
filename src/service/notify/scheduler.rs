//! The scheduler of time-based events (催报, 未报 and its escalation, a
//! light turning yellow or red, an overdue 节点, a 督办 deadline near or
//! past). Every server runs the loop; only the holder of the `scheduler`
//! lease row does the work, so it runs once cluster-wide, and another
//! server takes over within a lease of the holder stopping. A run is
//! idempotent: each event's key is unique (a unit's reminder for a month,
//! a goal's light on a day), so a run repeated after a restart, or by a
//! second holder after a lease ran out mid-run, writes nothing twice.
use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use domain::kinds::{GoalKind, Light, PlanState, ReportingCycle};
use domain::notify::{self, DeadlineAlert, EventKind, Reminder, ReminderRules};
use entity::{goal_light, supervision_item};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{Audience, NewEvent, dispatch::Dispatcher, emit, written_keys};
use crate::db::{begin_write, settle, statement};
use crate::error::AppResult;
use crate::service::watch::{self, WatchFilter};
use crate::service::{PlanData, plans, supervision};

/// When the scheduler runs and what it reminds of.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// How often each server tries to take the lease and run.
    pub interval: Duration,
    /// How long a holder keeps the lease without renewing it.
    pub lease: Duration,
    pub rules: ReminderRules,
    /// No reminder is written before this time of day (the plan's zone):
    /// a group robot does not post at midnight.
    pub not_before: NaiveTime,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            interval: Duration::from_secs(60),
            lease: Duration::from_secs(300),
            rules: ReminderRules::default(),
            not_before: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
        }
    }
}

/// Takes or renews the lease `name` for `holder` until `now + ttl`, if it
/// is free, expired or already `holder`'s. One statement; two servers
/// racing for it cannot both win (the row's upsert is atomic).
pub async fn take_lease<C: ConnectionTrait>(
    db: &C,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let until = now + chrono::Duration::from_std(ttl).unwrap_or_default();
    let row = db
        .query_one_raw(statement(
            backend,
            "INSERT INTO lease (name, holder, expires_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE lease.expires_at < ? OR lease.holder = excluded.holder RETURNING holder",
            vec![name.into(), holder.into(), until.into(), now.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// Each server's loop: take the lease, run, wake the dispatcher.
pub async fn run_forever(db: DatabaseConnection, config: SchedulerConfig, dispatcher: Dispatcher) {
    let holder = format!("scheduler-{}", uuid::Uuid::now_v7().simple());
    loop {
        let now = Utc::now();
        match take_lease(&db, "scheduler", &holder, config.lease, now).await {
            Ok(true) => match run(&db, now, &config).await {
                Ok(written) => {
                    if written > 0 {
                        tracing::info!(written, "reminders and alerts written");
                        dispatcher.wake();
                    }
                }
                Err(err) => tracing::error!(error = %err, "the reminder scheduler failed"),
            },
            Ok(false) => {}
            Err(err) => tracing::error!(error = %err, "the scheduler lease could not be read"),
        }
        tokio::time::sleep(config.interval).await;
    }
}

/// The month whose report falls due in `today`'s month (the one before).
fn reporting_month(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    let last_month = first.pred_opt().unwrap_or(first);
    last_month.with_day(1).unwrap_or(last_month)
}

fn month_key(month: NaiveDate) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

/// One run as of `now`: every event due, written once. Answers how many
/// were new.
pub async fn run(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    config: &SchedulerConfig,
) -> AppResult<usize> {
    // Every active plan past `not_before` today; of those, the ones whose
    // data moved since they were last checked, or not checked today, are
    // loaded and judged (the rest would write nothing new: every event of
    // a plan follows from its data and the day).
    let checked = checked_plans(db).await?;
    let mut todays: HashMap<i64, NaiveDate> = HashMap::new();
    let mut stale: Vec<(i64, i64)> = Vec::new();
    for plan in plans::list(db).await? {
        if PlanState::from(plan.state) != PlanState::Active {
            continue;
        }
        let zone =
            domain::dates::parse_time_zone(&plan.time_zone).unwrap_or(chrono_tz::Asia::Shanghai);
        let local = now.with_timezone(&zone);
        if local.time() < config.not_before {
            continue;
        }
        let today = local.date_naive();
        todays.insert(plan.id, today);
        if checked.get(&plan.id) != Some(&(plan.data_version, today)) {
            stale.push((plan.id, plan.data_version));
        }
    }
    let stale_ids: Vec<i64> = stale.iter().map(|(id, _)| *id).collect();
    let loaded = crate::service::load_plans(db, &stale_ids).await?;
    let workdays = super::workdays::in_force(db).await?;
    let seen: HashMap<i64, goal_light::Model> = if stale_ids.is_empty() {
        HashMap::new()
    } else {
        goal_light::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.goal_id, g))
            .collect()
    };
    let mut events: Vec<NewEvent> = Vec::new();
    let mut lights: Vec<(i64, Light, NaiveDate)> = Vec::new();
    for plan_id in &stale_ids {
        let (Some(data), Some(today)) = (loaded.get(plan_id), todays.get(plan_id)) else {
            continue;
        };
        reporting_reminders(data, *today, &workdays, &config.rules, &mut events)?;
        light_alerts(data, *today, &seen, &mut events, &mut lights)?;
        milestone_alerts(data, *today, &mut events);
    }
    supervision_alerts(db, &todays, &config.rules, &mut events).await?;
    let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
    let written = written_keys(db, &keys).await?;
    events.retain(|e| !written.contains(&e.key));
    if events.is_empty() && lights.is_empty() && stale.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let result: AppResult<usize> = async {
        let mut new = 0;
        for event in events {
            if emit(&txn, event, now).await?.is_some() {
                new += 1;
            }
        }
        remember_lights(&txn, &lights).await?;
        let marks: Vec<(i64, i64, NaiveDate)> = stale
            .iter()
            .filter_map(|(id, version)| Some((*id, *version, *todays.get(id)?)))
            .collect();
        remember_checks(&txn, &marks).await?;
        Ok(new)
    }
    .await;
    settle(txn, result).await
}

/// Each plan's data version and day at its last check: one statement.
async fn checked_plans<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i64, (i64, NaiveDate)>> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(statement(
            backend,
            "SELECT plan_id, data_version, day FROM scheduler_plan",
            vec![],
        ))
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get_by_index(0)?;
        let version: i64 = row.try_get_by_index(1)?;
        let day: NaiveDate = row.try_get_by_index(2)?;
        out.insert(id, (version, day));
    }
    Ok(out)
}

/// Keeps the version and day each plan was checked at.
async fn remember_checks<C: ConnectionTrait>(
    txn: &C,
    marks: &[(i64, i64, NaiveDate)],
) -> AppResult<()> {
    let rows: Vec<[sea_orm::Value; 3]> = marks
        .iter()
        .map(|(plan, version, day)| [(*plan).into(), (*version).into(), (*day).into()])
        .collect();
    upsert(
        txn,
        "scheduler_plan (plan_id, data_version, day)",
        "plan_id",
        "data_version = excluded.data_version, day = excluded.day",
        &rows,
    )
    .await
}

/// Inserts `rows` into `table (columns)`, updating `set` where `key`
/// exists: one statement per thousand rows.
async fn upsert<C: ConnectionTrait>(
    txn: &C,
    table: &str,
    key: &str,
    set: &str,
    rows: &[[sea_orm::Value; 3]],
) -> AppResult<()> {
    let backend = txn.get_database_backend();
    for chunk in rows.chunks(1000) {
        let places = vec!["(?, ?, ?)"; chunk.len()].join(", ");
        let values: Vec<sea_orm::Value> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
        txn.execute_raw(statement(
            backend,
            &format!("INSERT INTO {table} VALUES {places} ON CONFLICT ({key}) DO UPDATE SET {set}"),
            values,
        ))
        .await?;
    }
    Ok(())
}

/// REPORT_DUE_SOON and REPORT_MISSING (to the unit; to the office after
/// the grace period) for the month reported in `today`'s month.
fn reporting_reminders(
    data: &PlanData,
    today: NaiveDate,
    workdays: &domain::workdays::Workdays,
    rules: &ReminderRules,
    out: &mut Vec<NewEvent>,
) -> AppResult<()> {
    // Last month (due this month) and this month (due next month: a due
    // day of the 1st is near before this month is over).
    let last = reporting_month(today);
    let this = today.with_day(1).unwrap_or(today);
    for month in [last, this] {
        month_reminders(data, month, today, workdays, rules, out)?;
    }
    Ok(())
}

/// The reminders of one reported month.
fn month_reminders(
    data: &PlanData,
    month: NaiveDate,
    today: NaiveDate,
    workdays: &domain::workdays::Workdays,
    rules: &ReminderRules,
    out: &mut Vec<NewEvent>,
) -> AppResult<()> {
    let plan = &data.plan;
    let cycle = ReportingCycle::from(plan.reporting_cycle);
    if month < plan.start_date.with_day(1).unwrap_or(plan.start_date)
        || month > plan.end_date
        || !domain::calendar::reports_due_in(cycle, month)
    {
        return Ok(());
    }
    let calendar = watch::calendar(data, month, today, &WatchFilter::default(), workdays)?;
    if calendar.unjudged.is_some() {
        // A month the calendar cannot judge (no shares yet, a plan entered
        // after the due day) is not one to chase anyone for.
        return Ok(());
    }
    let due = calendar.due_date;
    let escalate_on = workdays.add_workdays(due, rules.escalate_after_workdays);
    for counts in &calendar.units {
        let unit = data
            .unit(counts.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("单位 {}", counts.unit_id));
        for reminder in notify::reminders(counts, today, due, escalate_on, rules) {
            let (kind, tag, audience) = match reminder {
                Reminder::DueSoon { .. } => (
                    EventKind::ReportDueSoon,
                    "REPORT_DUE_SOON",
                    Audience::Unit(counts.unit_id),
                ),
                Reminder::Missing { .. } => (
                    EventKind::ReportMissing,
                    "REPORT_MISSING",
                    Audience::Unit(counts.unit_id),
                ),
                Reminder::Escalated { .. } => (
                    EventKind::ReportMissing,
                    "REPORT_MISSING_ESCALATED",
                    Audience::Office,
                ),
            };
            let (title, body) = notify::reminder_text(&reminder, &plan.name, &unit, month, due);
            let (pending, missing, days) = match reminder {
                Reminder::DueSoon { pending, days_left } => (pending, 0, days_left),
                Reminder::Missing { missing, days_late }
                | Reminder::Escalated { missing, days_late } => (0, missing, days_late),
            };
            out.push(NewEvent {
                kind,
                key: format!("{tag}:{}:{}:{}", plan.id, counts.unit_id, month_key(month)),
                plan_id: Some(plan.id),
                unit_id: Some(counts.unit_id),
                subject_id: None,
                title,
                body,
                link: Some(format!(
                    "/calendar?plan={}&month={}",
                    plan.id,
                    month_key(month)
                )),
                payload: serde_json::json!({
                    "month": month_key(month),
                    "dueDate": due.to_string(),
                    "unit": unit,
                    "pending": pending,
                    "missing": missing,
                    "reported": counts.reported + counts.late,
                    "days": days,
                    "escalated": matches!(reminder, Reminder::Escalated { .. }),
                }),
                audiences: vec![audience],
            });
        }
    }
    Ok(())
}

/// LIGHT_CHANGED for each goal whose light today differs from the one
/// last seen and is yellow or red; every goal's light today is kept.
fn light_alerts(
    data: &PlanData,
    today: NaiveDate,
    seen: &HashMap<i64, goal_light::Model>,
    out: &mut Vec<NewEvent>,
    lights: &mut Vec<(i64, Light, NaiveDate)>,
) -> AppResult<()> {
    let eval = data.evaluation(today)?;
    for goal in data.goals() {
        if GoalKind::from(goal.kind) == GoalKind::Group {
            continue;
        }
        let Some(progress) = eval.goal(goal.id) else {
            continue;
        };
        let before = seen
            .get(&goal.id)
            .and_then(|g| g.light.parse::<Light>().ok());
        if before == Some(progress.light) {
            continue;
        }
        lights.push((goal.id, progress.light, today));
        let Some(before) = before.filter(|b| notify::light_turned(Some(*b), progress.light)) else {
            continue;
        };
        let lead = goal
            .lead_unit_id
            .and_then(|u| data.unit(u))
            .map(|u| u.name.as_str());
        let (title, body) = notify::light_text(&notify::LightFacts {
            plan: &data.plan.name,
            goal: &goal.title,
            lead_unit: lead,
            before,
            now: progress.light,
            date: today,
            completion: Some(progress.completion_percent),
            time_progress: progress.expected_percent,
        });
        let mut audiences = vec![Audience::Office];
        audiences.extend(goal.lead_unit_id.map(Audience::Unit));
        out.push(NewEvent {
            kind: EventKind::LightChanged,
            key: format!("LIGHT_CHANGED:{}:{today}:{}", goal.id, progress.light),
            plan_id: Some(data.plan.id),
            unit_id: goal.lead_unit_id,
            subject_id: Some(goal.id),
            title,
            body,
            link: Some(format!("/goals/{}", goal.id)),
            payload: serde_json::json!({
                "goalId": goal.id.to_string(),
                "goal": goal.title,
                "from": before.to_string(),
                "to": progress.light.to_string(),
                "asOf": today.to_string(),
                "completionPercent": progress.completion_percent,
                "expectedPercent": progress.expected_percent,
            }),
            audiences,
        });
    }
    Ok(())
}

/// MILESTONE_OVERDUE, once per 节点 past its due day and not done.
fn milestone_alerts(data: &PlanData, today: NaiveDate, out: &mut Vec<NewEvent>) {
    for goal in data.goals() {
        for m in data.milestones_of(goal.id) {
            if !domain::deadlines::milestone_overdue(m.due_date, m.completed_on, today) {
                continue;
            }
            let days = domain::deadlines::days_overdue(m.due_date, today);
            let lead = goal
                .lead_unit_id
                .and_then(|u| data.unit(u))
                .map(|u| u.name.as_str());
            let (title, body) = notify::milestone_text(
                &data.plan.name,
                &goal.title,
                &m.title,
                m.due_date,
                days,
                lead,
            );
            let mut audiences = vec![Audience::Office];
            audiences.extend(goal.lead_unit_id.map(Audience::Unit));
            out.push(NewEvent {
                kind: EventKind::MilestoneOverdue,
                key: format!("MILESTONE_OVERDUE:{}:{}", m.id, m.due_date),
                plan_id: Some(data.plan.id),
                unit_id: goal.lead_unit_id,
                subject_id: Some(m.id),
                title,
                body,
                link: Some(format!("/goals/{}", goal.id)),
                payload: serde_json::json!({
                    "milestoneId": m.id.to_string(),
                    "milestone": m.title,
                    "goalId": goal.id.to_string(),
                    "goal": goal.title,
                    "dueDate": m.due_date.to_string(),
                    "daysOverdue": days,
                }),
                audiences,
            });
        }
    }
}

/// SUPERVISION_DUE_SOON and SUPERVISION_OVERDUE for open items of the
/// plans run, by the deadline in force (after approved extensions): one
/// of each per deadline.
async fn supervision_alerts(
    db: &DatabaseConnection,
    todays: &HashMap<i64, NaiveDate>,
    rules: &ReminderRules,
    out: &mut Vec<NewEvent>,
) -> AppResult<()> {
    let plan_ids: Vec<i64> = todays.keys().copied().collect();
    if plan_ids.is_empty() {
        return Ok(());
    }
    let items = supervision_item::Entity::find()
        .filter(supervision_item::Column::PlanId.is_in(plan_ids))
        .filter(supervision_item::Column::State.ne(entity::enums::ItemState::Closed))
        .all(db)
        .await?;
    if items.is_empty() {
        return Ok(());
    }
    let details = supervision::details(db, &items).await?;
    let names: HashMap<i64, String> = entity::unit::Entity::find()
        .filter(entity::unit::Column::Id.is_in(items.iter().map(|i| i.lead_unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    for item in &items {
        let Some(today) = todays.get(&item.plan_id) else {
            continue;
        };
        let deadline = details.facts(item).deadline_on(*today);
        let Some(alert) = notify::deadline_alert(deadline, *today, rules.supervision_due_soon_days)
        else {
            continue;
        };
        let (kind, tag, days) = match alert {
            DeadlineAlert::DueSoon { days_left } => (
                EventKind::SupervisionDueSoon,
                "SUPERVISION_DUE_SOON",
                days_left,
            ),
            DeadlineAlert::Overdue { days_late } => (
                EventKind::SupervisionOverdue,
                "SUPERVISION_OVERDUE",
                days_late,
            ),
        };
        let lead = names.get(&item.lead_unit_id).cloned().unwrap_or_default();
        let text = notify::supervision_text(kind, &item.title, &lead, deadline, None, *today);
        let mut audiences = vec![Audience::Unit(item.lead_unit_id)];
        if kind == EventKind::SupervisionOverdue {
            audiences.push(Audience::Office);
        }
        out.push(NewEvent::about_item(
            kind,
            format!("{tag}:{}:{deadline}", item.id),
            item,
            &lead,
            deadline,
            text,
            ("days", days.into()),
            audiences,
        ));
    }
    Ok(())
}

/// Keeps the light each goal was seen with today.
async fn remember_lights<C: ConnectionTrait>(
    txn: &C,
    lights: &[(i64, Light, NaiveDate)],
) -> AppResult<()> {
    let rows: Vec<[sea_orm::Value; 3]> = lights
        .iter()
        .map(|(goal, light, day)| [(*goal).into(), light.to_string().into(), (*day).into()])
        .collect();
    upsert(
        txn,
        "goal_light (goal_id, light, seen_on)",
        "goal_id",
        "light = excluded.light, seen_on = excluded.seen_on",
        &rows,
    )
    .await
}
