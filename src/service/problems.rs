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

use super::attachments::{self, Evidence, Owner};
use super::plans;
use super::supervision::{self, NewItem};
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish, record_changes, settle};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
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
#[derive(Clone, Debug)]
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
) -> AppResult<i64> {
    let event = problem_event::ActiveModel {
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
    Ok(event.id)
}

/// Records a problem (待整改).
pub async fn record(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewProblem,
    now: DateTime<Utc>,
) -> AppResult<problem::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let plan = plans::find_open(&txn, input.plan_id).await?;
        unit::Entity::find_by_id(input.unit_id)
            .filter(unit::Column::ArchivedAt.is_null())
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("unit", input.unit_id))?;
        record_in(&txn, author, &plan, input, now).await
    }
    .await;
    finish(txn, author, result).await
}

/// Records a problem of an open `plan` whose unit is known to exist, in
/// the caller's transaction: every rule is checked before anything is
/// written, so a refusal leaves the transaction as it was.
async fn record_in<C: ConnectionTrait>(
    txn: &C,
    author: &Audit,
    plan: &entity::plan::Model,
    input: NewProblem,
    now: DateTime<Utc>,
) -> AppResult<problem::Model> {
    let title = text::required(Field::ProblemTitle, &input.title)?;
    let description = text::optional(Field::ProblemDescription, input.description)?;
    let category = text::required(Field::Category, &input.category)?;
    let enterprise = text::optional(Field::Enterprise, input.enterprise)?;
    let location = text::optional(Field::Location, input.location)?;
    let measures = text::optional(Field::Measures, input.measures)?;
    let today = domain::dates::today_in_named(&plan.time_zone, now);
    domain::supervision::check_problem_dates(input.found_on, input.deadline, today, plan.year)?;
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
    .insert(txn)
    .await?;
    event(
        txn,
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

/// A 问题清单 to import.
pub struct ListRequest {
    pub plan_id: i64,
    pub file: Vec<u8>,
    /// The workbook sheet; by default the first.
    pub sheet: Option<String>,
    pub dry_run: bool,
    pub timing: crate::import::limits::ImportTiming,
    pub now: DateTime<Utc>,
}

/// What importing a problem list did (or, in a dry run, would do).
pub struct ListImport {
    pub dry_run: bool,
    pub created: Vec<problem::Model>,
    /// Every row as read, with what was read by a rule (dry run or not).
    pub preview: Vec<PreviewRow>,
}

/// A row of the list as it will be (or was) recorded.
pub struct PreviewRow {
    /// 1-based, as the sheet shows it.
    pub row: u32,
    pub problem: NewProblem,
    pub notes: Vec<domain::Message>,
}

/// Imports a 问题清单 (.xlsx or CSV) into an open plan, all or nothing: every
/// unreadable cell, unknown unit and broken rule is listed with its cell
/// (SHEET_INVALID) and nothing is written. A dry run checks everything and
/// writes nothing.
pub async fn import_list(
    db: &DatabaseConnection,
    author: &Audit,
    request: ListRequest,
) -> AppResult<ListImport> {
    use crate::import::limits::{Budget, off_the_workers, take_turn};
    let ListRequest {
        plan_id,
        file,
        sheet,
        dry_run,
        timing,
        now,
    } = request;
    let plan = plans::find_open(db, plan_id).await?;
    let turn = take_turn(timing.wait).await?;
    let budget = Budget::new(timing.read);
    let year = plan.year;
    let units: HashMap<String, i64> = unit::Entity::find()
        .filter(unit::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|u| (domain::text::key(&u.name), u.id))
        .collect();
    let (drafts, mut problems) = off_the_workers(&turn, move || {
        crate::import::read_preferring(
            &file,
            sheet.as_deref(),
            &["问题", "隐患", "台账", "清单"],
            budget,
        )
        .map(|grid| crate::import::problem_list::read(&grid, year, &units))
    })
    .await?
    .map_err(super::import::read_refused)?;
    let today = domain::dates::today_in_named(&plan.time_zone, now);
    // A list imported twice records nothing twice: a row naming a problem
    // the plan has (or the sheet had above) is one to remove.
    let mut known: HashSet<(String, i64, NaiveDate)> = problem::Entity::find()
        .filter(problem::Column::PlanId.eq(plan.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (domain::text::key(&p.title), p.unit_id, p.found_on))
        .collect();
    let mut ready = Vec::new();
    let mut preview = Vec::new();
    for draft in drafts {
        let cell = |column: u32| Some(crate::import::grid::column_name(column));
        if !known.insert((
            domain::text::key(&draft.title),
            draft.unit_id,
            draft.found_on,
        )) {
            problems.push(Problem {
                row: draft.row + 1,
                column: cell(draft.title_column),
                header: None,
                code: ErrorCode::Duplicate,
                message: domain::Message::new(
                    format!(
                        "“{}”（同一责任单位、同一发现时间）已经登记过，请删去这一行",
                        draft.title
                    ),
                    format!(
                        "{:?} (same unit, same day found) is recorded already; remove this row",
                        draft.title
                    ),
                ),
            });
            continue;
        }
        if let Err(refusal) = domain::supervision::check_problem_dates(
            draft.found_on,
            draft.deadline,
            today,
            plan.year,
        ) {
            problems.push(Problem {
                row: draft.row + 1,
                column: cell(draft.deadline_column),
                header: None,
                code: ErrorCode::InvalidValue,
                message: refusal.message,
            });
            continue;
        }
        let input = NewProblem {
            plan_id: plan.id,
            title: draft.title,
            description: draft.description,
            category: draft.category,
            severity: draft.severity,
            source: draft.source,
            found_on: draft.found_on,
            enterprise: draft.enterprise,
            location: draft.location,
            unit_id: draft.unit_id,
            deadline: draft.deadline,
            measures: draft.measures,
        };
        preview.push(PreviewRow {
            row: draft.row + 1,
            problem: input.clone(),
            notes: draft.notes,
        });
        ready.push(input);
    }
    if ready.is_empty() && problems.is_empty() {
        problems.push(Problem {
            row: 1,
            column: None,
            header: None,
            code: ErrorCode::MissingTitle,
            message: domain::Message::new("表中没有问题行", "the sheet lists no problems"),
        });
    }
    if !problems.is_empty() {
        return Err(super::import::sheet_invalid(problems));
    }
    let txn = begin_write(db).await?;
    let result: AppResult<Vec<problem::Model>> = async {
        let mut created = Vec::with_capacity(ready.len());
        for input in ready {
            created.push(record_in(&txn, author, &plan, input, now).await?);
        }
        let audited: Vec<(Option<&Audit>, &problem::Model)> =
            created.iter().map(|p| (Some(author), p)).collect();
        record_changes(&txn, &audited).await?;
        Ok(created)
    }
    .await;
    let created = if dry_run {
        if let Err(err) = txn.rollback().await {
            tracing::warn!(error = %err, "rollback after a dry run failed");
        }
        result?
    } else {
        settle(txn, result).await?
    };
    drop(turn);
    Ok(ListImport {
        dry_run,
        created,
        preview,
    })
}

/// One step (开始整改, 提交整改, 复查): INVALID_TRANSITION, changing nothing,
/// when it does not start from the problem's state. A rectification links
/// the files it cites (`evidence`) to the problem, in the same transaction.
pub async fn step(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    step: ProblemStep,
    evidence: &Evidence,
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
        let event = event(
            &txn,
            &changed,
            kind,
            content,
            today,
            now,
            &author.actor_name,
        )
        .await?;
        attachments::link(&txn, evidence, Owner::Problem(changed.id), Some(event)).await?;
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

/// The 佐证材料 of some problems, by problem, oldest first: one statement
/// per thousand problems.
pub async fn files_of(
    db: &DatabaseConnection,
    problems: &[problem::Model],
) -> AppResult<HashMap<i64, Vec<entity::attachment::Model>>> {
    let ids: Vec<i64> = problems.iter().map(|p| p.id).collect();
    let mut out: HashMap<i64, Vec<entity::attachment::Model>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        for f in attachments::of_owners(db, "PROBLEM", chunk).await? {
            if let Some(owner) = f.owner_id {
                out.entry(owner).or_default().push(f);
            }
        }
    }
    Ok(out)
}
