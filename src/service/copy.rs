//! Next year's plan from this year's (`copyPlan`, `mubiao plan copy`): a
//! target office starts a year from the last one's 分解表, not from a blank
//! sheet. The copy is a DRAFT with the same goal tree, units, assignments
//! and milestones, every date moved to the new year (a deadline on the eve
//! of the Spring Festival to the new year's eve:
//! `domain::wording::same_deadline_in`), and last year's actual of each goal
//! as its 上年完成; reports and completions stay behind. One transaction
//! through the same `create_*_in` functions as the API's single writes, so
//! the copy obeys every rule a new plan does; one audit row.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::plan;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement,
};

use super::plan_data::{ReportScope, load_structures, snapshots};
use super::{assignments, goals, milestones, plans};
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::dates::same_day_in;
use domain::text::{self, Field};
use domain::validation;
use domain::wording::same_deadline_in;

/// What to copy, and into which year.
pub struct CopyPlan {
    pub plan_id: i64,
    pub year: i32,
    /// The new plan's name; by default the old one with its year replaced.
    pub name: Option<String>,
    /// The request's clock: when the new assignments are made (the
    /// reporting calendar expects reports from then on).
    pub now: DateTime<Utc>,
}

/// The new plan and what was copied into it.
#[derive(Debug)]
pub struct Copied {
    pub plan: plan::Model,
    pub goals: usize,
    pub assignments: usize,
    pub milestones: usize,
}

impl Audited for Copied {
    const OBJECT: &'static str = "plan";
    fn object_id(&self) -> i64 {
        self.plan.id
    }
    fn touches(&self) -> Touches {
        Touches::Plan(self.plan.id)
    }
}

/// The default name of the copy: the old name with its year replaced by
/// the new one (洞庭产业开发区2025年目标任务 → 洞庭产业开发区2026年目标任务).
/// Its year is the old plan's year wherever it stands as a number of its
/// own (not inside a longer one); failing that, the first year (2000–2100)
/// the name gives (a slip: a 2025 plan named 2024年…). A name without a
/// year gets the new one in front (年度目标任务 → 2026年年度目标任务).
pub fn next_name(name: &str, from_year: i32, to_year: i32) -> String {
    let years = domain::wording::years_in(name);
    let own: Vec<usize> = years
        .iter()
        .filter(|(_, y)| *y == from_year)
        .map(|(i, _)| *i)
        .collect();
    let replace: Vec<usize> = if own.is_empty() {
        years
            .iter()
            .find(|(_, y)| (2000..=2100).contains(y))
            .map(|(i, _)| vec![*i])
            .unwrap_or_default()
    } else {
        own
    };
    if replace.is_empty() {
        return format!("{to_year}年{name}");
    }
    let mut out = String::with_capacity(name.len());
    let mut from = 0;
    for i in replace {
        out.push_str(&name[from..i]);
        out.push_str(&to_year.to_string());
        from = i + 4;
    }
    out.push_str(&name[from..]);
    out
}

/// Copies a plan into another year as a DRAFT. Refused: a year outside
/// 2000–2100 (`INVALID_PLAN_PERIOD`), a year that already has an active
/// plan of that name (`DUPLICATE`).
pub async fn copy_plan(
    db: &DatabaseConnection,
    author: &Audit,
    input: CopyPlan,
) -> AppResult<Copied> {
    let txn = begin_write(db).await?;
    let result = copy_in(&txn, input).await;
    finish(txn, author, result).await
}

async fn copy_in<C>(txn: &C, input: CopyPlan) -> AppResult<Copied>
where
    C: ConnectionTrait + sea_orm::StreamTrait + Send,
{
    let year = validation::plan_year(input.year)?;
    let old = plans::find(txn, input.plan_id).await?;
    let years = year - old.year;
    let name = match input.name {
        Some(name) => text::required(Field::PlanName, &name)?,
        None => text::required(Field::PlanName, &next_name(&old.name, old.year, year))?,
    };
    refuse_taken_name(txn, year, &name).await?;

    // Last year's figures as its plan ended: the reports standing then.
    let structures = load_structures(txn, &[old.id]).await?;
    let data = snapshots(
        txn,
        structures.into_values().collect(),
        ReportScope::StandingOn(old.end_date),
    )
    .await?
    .remove(&old.id)
    .ok_or_else(|| AppError::not_found("plan", old.id))?;
    let eval = data.evaluation(old.end_date)?;

    let new_plan = plans::create_full_in(
        txn,
        plans::NewPlan {
            name,
            year,
            owner_unit_id: old.owner_unit_id,
            start_date: Some(same_day_in(old.start_date, years)),
            end_date: Some(same_day_in(old.end_date, years)),
            time_zone: Some(old.time_zone.clone()),
            score_cap: Some(old.score_cap),
            settings: plans::JudgementSettings {
                time_progress_mode: Some(old.time_progress_mode.into()),
                yellow_gap: Some(old.yellow_gap),
                red_gap: Some(old.red_gap),
                rate_yellow_floor: Some(old.rate_yellow_floor),
                reporting_cycle: Some(old.reporting_cycle.into()),
                report_due_day: Some(old.report_due_day),
                report_due_postponed: Some(old.report_due_postponed),
                require_approval: Some(old.require_approval),
            },
        },
        old.remarks.clone(),
    )
    .await?;

    // A unit archived since (a bureau merged away) leads or supports
    // nothing in the new year; it cannot carry an assignment (archiving
    // refuses a unit that does).
    let active_unit = |id: i64| data.unit(id).is_some_and(|u| u.archived_at.is_none());
    let mut new_ids: HashMap<i64, i64> = HashMap::new();
    let mut copied = Copied {
        plan: new_plan,
        goals: 0,
        assignments: 0,
        milestones: 0,
    };
    // Parents before their sub-goals, siblings in order: positions follow.
    for g in data.goals_in_order() {
        let parent_id = match g.parent_id {
            Some(p) => Some(*new_ids.get(&p).ok_or_else(|| {
                AppError::internal(format!("goal {} came before its parent {p}", g.id))
            })?),
            None => None,
        };
        let created = goals::create_full_in(
            txn,
            goals::NewGoal {
                plan_id: copied.plan.id,
                parent_id,
                code: g.code.clone(),
                title: g.title.clone(),
                category: g.category.clone(),
                kind: g.kind.into(),
                measure_unit: g.measure_unit.clone(),
                target_value: g.target_value,
                baseline_value: g.baseline_value,
                direction: Some(g.direction.into()),
                weight: Some(g.weight),
                deadline: g.deadline.map(|d| same_deadline_in(d, years)),
                monthly_plan: goals::monthly_plan_of(g)?,
                lead_unit_id: g.lead_unit_id.filter(|u| active_unit(*u)),
                supporting_unit_ids: data
                    .supporting_unit_ids(g.id)
                    .into_iter()
                    .filter(|u| active_unit(*u))
                    .collect(),
                responsible_leader: g.responsible_leader.clone(),
                responsible_person: g.responsible_person.clone(),
                original_text: g.original_text.clone(),
            },
            goals::GoalDetails {
                subset: g.subset,
                previous_year_value: eval.goal(g.id).and_then(|p| p.actual),
                remarks: g.remarks.clone(),
                supporting_text: g.supporting_text.clone(),
                ongoing: g.ongoing,
            },
        )
        .await?;
        new_ids.insert(g.id, created.id);
        copied.goals += 1;
    }
    // Assignments once the whole tree stands (a goal broken into sub-goals
    // is never assigned, so no order among them matters).
    for a in data.assignments() {
        assignments::create_in(
            txn,
            assignments::NewAssignment {
                goal_id: new_ids[&a.goal_id],
                unit_id: a.unit_id,
                target_value: a.target_value,
                deadline: a.deadline.map(|d| same_deadline_in(d, years)),
                responsible_person: a.responsible_person.clone(),
                created_at: input.now,
            },
        )
        .await?;
        copied.assignments += 1;
    }
    for g in data.goals() {
        for m in data.milestones_of(g.id) {
            milestones::create_in(
                txn,
                milestones::NewMilestone {
                    goal_id: new_ids[&g.id],
                    title: m.title.clone(),
                    due_date: same_deadline_in(m.due_date, years),
                    weight: Some(m.weight),
                },
            )
            .await?;
            copied.milestones += 1;
        }
    }
    Ok(copied)
}

/// A year holds one active plan of a name (compared by `text::key`, so a
/// look-alike is the same name). Two copies racing to the same year on
/// PostgreSQL wait for each other here (SQLite's write transaction already
/// runs one at a time), so the second one sees the first's plan.
async fn refuse_taken_name<C: ConnectionTrait>(txn: &C, year: i32, name: &str) -> AppResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        // Released when the transaction ends; the key names copies into `year`.
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext('mubiao copy plan'), $1)",
            [year.into()],
        ))
        .await?;
    }
    let key = text::key(name);
    let taken = plan::Entity::find()
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::ArchivedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .find(|p| text::key(&p.name) == key);
    match taken {
        Some(p) => Err(AppError::refused(
            ErrorCode::Duplicate,
            format!(
                "{year}年已有名为“{}”的目标计划（ID {}），请另取名称",
                p.name, p.id
            ),
            format!(
                "{year} already has a plan named {} (ID {}); give the copy another name",
                p.name, p.id
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_takes_the_new_year() {
        assert_eq!(
            next_name("洞庭产业开发区2025年目标任务", 2025, 2026),
            "洞庭产业开发区2026年目标任务"
        );
        assert_eq!(
            next_name("2025年度目标任务（2025版）", 2025, 2026),
            "2026年度目标任务（2026版）"
        );
        // Only the plan's year standing on its own is a year.
        assert_eq!(next_name("20251项任务", 2025, 2026), "2026年20251项任务");
        assert_eq!(next_name("年度目标任务", 2025, 2026), "2026年年度目标任务");
        assert_eq!(
            next_name("2024年度目标任务", 2025, 2026),
            "2026年度目标任务"
        );
        assert_eq!(next_name("2025", 2025, 2026), "2026");
    }
}
