//! 问题台账: problems found (检查, 巡查, 信访…), rectified by a unit by a
//! deadline and closed (销号) when a recheck passes; one escalated becomes
//! a supervision item (整改督办单). Every step is one audited transaction
//! and one event row; what may happen in each state is the domain's.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{problem, problem_event, unit};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::plans;
use super::supervision::{self, NewItem};
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::supervision::{
    ItemLevel, ItemSource, ProblemAction, ProblemSeverity, ProblemSource, ProblemState,
    problem_after,
};
use domain::text::{self, Field};

impl Audited for problem::Model {
    const OBJECT: &'static str = "problem";
    fn object_id(&self) -> i64 {
        self.id
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

/// A problem as the target office records it.
pub struct NewProblem {
    pub plan_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub severity: ProblemSeverity,
    pub source: ProblemSource,
    pub found_on: NaiveDate,
    pub enterprise: Option<String>,
    pub location: Option<String>,
    pub unit_id: i64,
    pub deadline: NaiveDate,
    pub measures: Option<String>,
}

/// A step on a problem, with what it carries.
#[derive(Clone, Debug)]
pub enum ProblemStep {
    StartRectifying,
    SubmitRectification(String),
    Recheck { passed: bool, note: Option<String> },
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<problem::Model> {
    problem::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("problem", id))
}

async fn event<C: ConnectionTrait>(
    txn: &C,
    problem: &problem::Model,
    kind: &str,
    content: Option<String>,
    on_date: NaiveDate,
    at: DateTime<Utc>,
    actor: &str,
) -> AppResult<()> {
    problem_event::ActiveModel {
        problem_id: Set(problem.id),
        kind: Set(kind.to_string()),
        content: Set(content),
        on_date: Set(on_date),
        at: Set(at),
        actor: Set(actor.to_string()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Records a problem (待整改).
pub async fn record(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewProblem,
    now: DateTime<Utc>,
) -> AppResult<problem::Model> {
    let title = text::required(Field::ProblemTitle, &input.title)?;
    let description = text::optional(Field::ProblemDescription, input.description)?;
    let category = text::required(Field::Category, &input.category)?;
    let enterprise = text::optional(Field::Enterprise, input.enterprise)?;
    let location = text::optional(Field::Location, input.location)?;
    let measures = text::optional(Field::Measures, input.measures)?;
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let plan = plans::find_open(&txn, input.plan_id).await?;
        let today = domain::dates::today_in_named(&plan.time_zone, now);
        if input.found_on > today {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!("发现日期 {} 晚于今天（{today}）", input.found_on),
                format!("foundOn {} is after today ({today})", input.found_on),
            ));
        }
        if input.deadline < input.found_on {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!(
                    "整改时限 {} 早于发现日期 {}",
                    input.deadline, input.found_on
                ),
                format!(
                    "deadline {} is before the day it was found ({})",
                    input.deadline, input.found_on
                ),
            ));
        }
        unit::Entity::find_by_id(input.unit_id)
            .filter(unit::Column::ArchivedAt.is_null())
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("unit", input.unit_id))?;
        let created = problem::ActiveModel {
            plan_id: Set(plan.id),
            title: Set(title),
            description: Set(description),
            category: Set(category),
            severity: Set(input.severity.into()),
            source: Set(input.source.into()),
            found_on: Set(input.found_on),
            enterprise: Set(enterprise),
            location: Set(location),
            unit_id: Set(input.unit_id),
            deadline: Set(input.deadline),
            measures: Set(measures),
            state: Set(ProblemState::Open.into()),
            closed_on: Set(None),
            escalated_item_id: Set(None),
            created_at: Set(now),
            created_by: Set(author.actor_name.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        event(
            &txn,
            &created,
            "RECORD",
            None,
            today,
            now,
            &author.actor_name,
        )
        .await?;
        Ok(created)
    }
    .await;
    finish(txn, author, result).await
}

/// One step (开始整改, 提交整改, 复查): INVALID_TRANSITION, changing nothing,
/// when it does not start from the problem's state.
pub async fn step(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    step: ProblemStep,
    now: DateTime<Utc>,
) -> AppResult<problem::Model> {
    let (action, kind, content) = match &step {
        ProblemStep::StartRectifying => (ProblemAction::StartRectifying, "START", None),
        ProblemStep::SubmitRectification(t) => (
            ProblemAction::SubmitRectification,
            "SUBMIT",
            Some(text::required(Field::Rectification, t)?),
        ),
        ProblemStep::Recheck {
            passed: false,
            note,
        } if note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                "复查未通过时须写明复查意见，责任单位要据此继续整改",
                "a failed recheck needs a note (the unit rectifies by it)",
            ));
        }
        ProblemStep::Recheck { passed, note } => (
            if *passed {
                ProblemAction::RecheckPassed
            } else {
                ProblemAction::RecheckFailed
            },
            if *passed {
                "RECHECK_PASSED"
            } else {
                "RECHECK_FAILED"
            },
            text::optional(Field::RecheckNote, note.clone())?,
        ),
    };
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        let next = problem_after(current.state.into(), action)?;
        let plan = plans::find(&txn, current.plan_id).await?;
        let today = domain::dates::today_in_named(&plan.time_zone, now);
        let mut active: problem::ActiveModel = current.into();
        active.state = Set(next.into());
        active.closed_on = Set((next == ProblemState::Closed).then_some(today));
        let changed = active.update(&txn).await?;
        event(
            &txn,
            &changed,
            kind,
            content,
            today,
            now,
            &author.actor_name,
        )
        .await?;
        Ok(changed)
    }
    .await;
    finish(txn, author, result).await
}

/// 升级为督办: a supervision item (整改督办单) for the problem's unit, due
/// on its deadline (or in 15 days if that has passed), linked both ways;
/// once per problem. The problem's state stays.
pub async fn escalate(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<problem::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        problem_after(current.state.into(), ProblemAction::Escalate)?;
        if current.escalated_item_id.is_some() {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                "这个问题已升级为督办事项，不能重复升级",
                "this problem has been escalated already",
            ));
        }
        let plan = plans::find(&txn, current.plan_id).await?;
        let today = domain::dates::today_in_named(&plan.time_zone, now);
        let deadline = if current.deadline >= today {
            current.deadline
        } else {
            today + chrono::Days::new(15)
        };
        let content = [
            current.description.clone(),
            current.measures.clone().map(|m| format!("整改措施：{m}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
        let item = supervision::create_in(
            &txn,
            author,
            NewItem {
                plan_id: current.plan_id,
                title: format!("整改督办：{}", current.title),
                content: (!content.is_empty()).then_some(content),
                source: ItemSource::Inspection,
                level: ItemLevel::Key,
                lead_unit_id: current.unit_id,
                supporting_unit_ids: vec![],
                responsible_leader: None,
                deadline,
                goal_ids: vec![],
            },
            None,
            now,
        )
        .await?;
        // The item has its own audit row (the problem's is `finish`'s).
        crate::db::record_changes(&txn, &[(Some(author), &item)]).await?;
        let mut active: problem::ActiveModel = current.into();
        active.escalated_item_id = Set(Some(item.id));
        let changed = active.update(&txn).await?;
        event(
            &txn,
            &changed,
            "ESCALATE",
            Some(format!("督办事项 {}", item.id)),
            today,
            now,
            &author.actor_name,
        )
        .await?;
        Ok(changed)
    }
    .await;
    finish(txn, author, result).await
}

/// Problems of a plan (or every plan), oldest first.
pub async fn list(db: &DatabaseConnection, plan_id: Option<i64>) -> AppResult<Vec<problem::Model>> {
    let mut query = problem::Entity::find().order_by_asc(problem::Column::Id);
    if let Some(plan) = plan_id {
        query = query.filter(problem::Column::PlanId.eq(plan));
    }
    Ok(query.all(db).await?)
}

/// The events of these problems, oldest first (one statement per
/// thousand problems).
pub async fn events_of(
    db: &DatabaseConnection,
    problems: &[problem::Model],
) -> AppResult<HashMap<i64, Vec<problem_event::Model>>> {
    let ids: Vec<i64> = problems
        .iter()
        .map(|p| p.id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut out: HashMap<i64, Vec<problem_event::Model>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        for e in problem_event::Entity::find()
            .filter(problem_event::Column::ProblemId.is_in(chunk.iter().copied()))
            .order_by_asc(problem_event::Column::Id)
            .all(db)
            .await?
        {
            out.entry(e.problem_id).or_default().push(e);
        }
    }
    Ok(out)
}
