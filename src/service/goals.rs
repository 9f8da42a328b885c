use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{assignment, goal, goal_supporting_unit, plan};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::{find_active, now, plans, units};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::completion::unsigned_zero;
use domain::text::{self, Field};
use domain::{Direction, GoalKind, Refusal, schedule, validation};

pub struct NewGoal {
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub kind: GoalKind,
    pub measure_unit: Option<String>,
    pub target_value: Option<f64>,
    pub baseline_value: Option<f64>,
    pub direction: Option<Direction>,
    pub weight: Option<f64>,
    pub deadline: Option<NaiveDate>,
    /// Cumulative planned values per month of the plan (CUMULATIVE only).
    pub monthly_plan: Option<Vec<f64>>,
    pub lead_unit_id: Option<i64>,
    pub supporting_unit_ids: Vec<i64>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub original_text: Option<String>,
}

/// What a real office's 分解表 says of a goal beyond its target (migration
/// 11), given beside a [`NewGoal`] to [`create_with`] / [`create_full_in`]
/// (the default: none of it, as `create_in` makes a goal).
#[derive(Clone, Debug, Default)]
pub struct GoalDetails {
    /// A 其中 row: shown under its parent with its own figures, never added
    /// into it; weighs 0 unless given points of its own.
    pub subset: bool,
    /// Last year's result (上年完成).
    pub previous_year_value: Option<f64>,
    /// 备注.
    pub remarks: Option<String>,
    /// 配合单位 written as words that name no unit ("各局办").
    pub supporting_text: Option<String>,
    /// The work goes on all year (持续推进): due at the plan's end.
    pub ongoing: bool,
}

/// Changes to a goal; `None` keeps a field, `Some(None)` clears a nullable one.
/// The kind cannot change: reports already read under it.
#[derive(Default)]
pub struct GoalChanges {
    pub parent_id: Option<Option<i64>>,
    pub code: Option<Option<String>>,
    pub title: Option<String>,
    pub category: Option<Option<String>>,
    pub measure_unit: Option<Option<String>>,
    pub target_value: Option<Option<f64>>,
    pub baseline_value: Option<Option<f64>>,
    pub direction: Option<Direction>,
    pub weight: Option<f64>,
    pub deadline: Option<Option<NaiveDate>>,
    pub monthly_plan: Option<Option<Vec<f64>>>,
    pub lead_unit_id: Option<Option<i64>>,
    pub supporting_unit_ids: Option<Vec<i64>>,
    pub responsible_leader: Option<Option<String>>,
    pub responsible_person: Option<Option<String>>,
    pub original_text: Option<Option<String>>,
    pub subset: Option<bool>,
    pub previous_year_value: Option<Option<f64>>,
    pub remarks: Option<Option<String>>,
    pub supporting_text: Option<Option<String>>,
    pub ongoing: Option<bool>,
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<goal::Model> {
    find_active::<goal::Entity, _>(db, "goal", id, |g| g.archived_at).await
}

/// The stored monthly plan curve, if any.
pub fn monthly_plan_of(goal: &goal::Model) -> AppResult<Option<Vec<f64>>> {
    goal.monthly_plan
        .clone()
        .map(|json| serde_json::from_value(json).map_err(AppError::internal))
        .transpose()
}

fn curve_json(curve: Vec<f64>) -> serde_json::Value {
    serde_json::Value::from(curve)
}

/// The fields of a goal that must be consistent with each other, checked
/// the same way on create and on update.
struct Shape {
    kind: GoalKind,
    target: Option<f64>,
    baseline: Option<f64>,
    direction: Direction,
    weight: f64,
    deadline: Option<NaiveDate>,
    measure_unit: Option<String>,
    monthly_plan: Option<Vec<f64>>,
}

/// Numbers are stored without a negative zero: a client may send -0.0
/// (a VETO limit, a weight), and every page would then print "-0".
fn check_shape(shape: Shape, plan: &plan::Model) -> AppResult<Shape> {
    let target = validation::target_for_kind(shape.kind, shape.target)?.map(unsigned_zero);
    Ok(Shape {
        baseline: validation::baseline_for_kind(shape.kind, shape.baseline, target)?
            .map(unsigned_zero),
        target,
        direction: validation::direction_for_kind(shape.kind, shape.direction)?,
        weight: unsigned_zero(validation::weight(shape.weight)?),
        deadline: plans::deadline_within(plan, shape.deadline)?,
        monthly_plan: validation::monthly_plan(
            shape.kind,
            shape.monthly_plan,
            schedule::months_through(plan.start_date, plan.end_date),
        )?
        .map(|curve| curve.into_iter().map(unsigned_zero).collect()),
        ..shape
    })
}

/// Last year's result: any finite figure of a plausible size (a growth
/// rate may have been negative).
fn previous_year_value(value: Option<f64>) -> AppResult<Option<f64>> {
    value
        .map(|v| {
            validation::finite("previousYearValue", v)
                .map(unsigned_zero)
                .map_err(|mut refusal: Refusal| {
                    // The domain names the API's field; a clerk reads 上年完成.
                    refusal.message.zh =
                        refusal
                            .message
                            .zh
                            .replacen("previousYearValue", "上年完成", 1);
                    AppError::from(refusal)
                })
        })
        .transpose()
}

/// A 其中 row is part of the goal above it, so it needs one.
fn check_subset(subset: bool, parent_id: Option<i64>) -> AppResult<()> {
    if subset && parent_id.is_none() {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "“其中”项是上级目标的一部分，须填写所属的上级目标",
            "a subset (其中) row is part of the goal above it; give its parentId",
        ));
    }
    Ok(())
}

/// Ongoing work (持续推进) is due at the plan's end: a goal marked ongoing
/// takes no other deadline.
fn check_ongoing(ongoing: bool, deadline: Option<NaiveDate>, plan: &plan::Model) -> AppResult<()> {
    match deadline {
        Some(d) if ongoing && d != plan.end_date => Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!(
                "持续推进的工作以计划截止日（{}）为完成时限，不能另设完成时限 {d}",
                plan.end_date
            ),
            format!(
                "ongoing work is due at the plan's end ({}); it takes no other deadline than that ({d})",
                plan.end_date
            ),
        )),
        _ => Ok(()),
    }
}

/// A sub-goal hangs under a GROUP (any kind) or under a CUMULATIVE goal
/// (CUMULATIVE sub-goals of the same measure unit, summed into it).
///
/// A 其中 row (`subset`) is never added into its parent, so under a
/// CUMULATIVE goal it may be of any kind and measure unit, and the parent
/// may be assigned to units (it is measured by its own assignments).
async fn check_parent<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    parent_id: i64,
    child_kind: GoalKind,
    child_measure_unit: Option<&str>,
    subset: bool,
) -> AppResult<goal::Model> {
    let parent = find(db, parent_id).await?;
    if parent.plan_id != plan_id {
        return Err(AppError::refused(
            ErrorCode::ParentInOtherPlan,
            format!(
                "上级目标“{}”属于另一个年度计划，请选择本计划中的上级目标",
                parent.title
            ),
            format!("parent goal {parent_id} belongs to another plan"),
        ));
    }
    match GoalKind::from(parent.kind) {
        GoalKind::Group => {}
        GoalKind::Cumulative if subset => {}
        GoalKind::Cumulative => {
            if child_kind != GoalKind::Cumulative {
                return Err(AppError::refused(
                    ErrorCode::KindMismatch,
                    format!(
                        "累计型目标的子目标也须是累计型（这个是{}）；不同类型的目标请放在同一个分组下",
                        child_kind.zh_name()
                    ),
                    "sub-goals of a CUMULATIVE goal are CUMULATIVE; group mixed kinds under a GROUP goal",
                ));
            }
            if parent.measure_unit.as_deref() != child_measure_unit {
                return Err(AppError::refused(
                    ErrorCode::MeasureUnitMismatch,
                    match parent.measure_unit.as_deref() {
                        Some(unit) => format!(
                            "“{}”的子目标计量单位须为“{unit}”，与上级目标一致",
                            parent.title
                        ),
                        None => {
                            format!("“{}”没有计量单位，其子目标也不能填写计量单位", parent.title)
                        }
                    },
                    format!(
                        "sub-goals of {} are measured in {}",
                        parent.title,
                        parent.measure_unit.as_deref().unwrap_or("(none)")
                    ),
                ));
            }
            let assigned = assignment::Entity::find()
                .filter(assignment::Column::GoalId.eq(parent_id))
                .filter(assignment::Column::ArchivedAt.is_null())
                .count(db)
                .await?;
            if assigned > 0 {
                return Err(AppError::refused(
                    ErrorCode::StructureConflict,
                    format!(
                        "“{}”已分解到责任单位；一项目标要么分解为子目标，要么分解到责任单位，不能两者兼有",
                        parent.title
                    ),
                    "this goal is already assigned to units; a goal is either broken into sub-goals or assigned",
                ));
            }
        }
        other => {
            return Err(AppError::refused(
                ErrorCode::KindMismatch,
                format!(
                    "{}目标“{}”不能有子目标；子目标只能放在分组或累计型目标下",
                    other.zh_name(),
                    parent.title
                ),
                format!("a {other} goal cannot have sub-goals"),
            ));
        }
    }
    Ok(parent)
}

async fn check_units<C: ConnectionTrait>(
    db: &C,
    lead: Option<i64>,
    supporting: &[i64],
) -> AppResult<()> {
    let mut wanted: Vec<i64> = supporting.to_vec();
    wanted.extend(lead);
    wanted.sort_unstable();
    wanted.dedup();
    let found = units::by_ids(db, &wanted).await?;
    for id in wanted {
        match found.get(&id) {
            Some(u) if u.archived_at.is_none() => {}
            _ => return Err(AppError::not_found("unit", id)),
        }
    }
    Ok(())
}

async fn replace_supporting<C: ConnectionTrait>(
    db: &C,
    goal: &goal::Model,
    unit_ids: &[i64],
) -> AppResult<()> {
    goal_supporting_unit::Entity::delete_many()
        .filter(goal_supporting_unit::Column::GoalId.eq(goal.id))
        .exec(db)
        .await?;
    let mut ids = unit_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let rows = ids
        .into_iter()
        .map(|unit_id| goal_supporting_unit::ActiveModel {
            goal_id: Set(goal.id),
            unit_id: Set(unit_id),
            plan_id: Set(goal.plan_id),
        });
    goal_supporting_unit::Entity::insert_many(rows)
        .exec(db)
        .await?;
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewGoal,
) -> AppResult<goal::Model> {
    create_with(db, author, input, GoalDetails::default()).await
}

/// `create` with what the 分解表 says beyond the target.
pub async fn create_with(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewGoal,
    details: GoalDetails,
) -> AppResult<goal::Model> {
    let txn = begin_write(db).await?;
    let result = create_full_in(&txn, input, details).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (the spreadsheet import
/// creates a whole plan in one).
pub async fn create_in<C: ConnectionTrait>(txn: &C, input: NewGoal) -> AppResult<goal::Model> {
    create_full_in(txn, input, GoalDetails::default()).await
}

/// `create_with` inside the caller's transaction (copying a plan to
/// another year creates its whole tree in one).
pub async fn create_full_in<C: ConnectionTrait>(
    txn: &C,
    input: NewGoal,
    details: GoalDetails,
) -> AppResult<goal::Model> {
    let title = text::required(Field::GoalTitle, &input.title)?;
    let plan = plans::find_open(txn, input.plan_id).await?;
    let measure_unit = text::optional(Field::MeasureUnit, input.measure_unit)?;
    check_subset(details.subset, input.parent_id)?;
    let shape = check_shape(
        Shape {
            kind: input.kind,
            target: input.target_value,
            baseline: input.baseline_value,
            direction: input.direction.unwrap_or_default(),
            // A 其中 row weighs nothing unless it has points of its own.
            weight: input
                .weight
                .unwrap_or(if details.subset { 0.0 } else { 1.0 }),
            deadline: input.deadline,
            measure_unit,
            monthly_plan: input.monthly_plan,
        },
        &plan,
    )?;
    check_ongoing(details.ongoing, shape.deadline, &plan)?;
    let previous_year_value = previous_year_value(details.previous_year_value)?;
    let remarks = text::optional(Field::Remarks, details.remarks)?;
    let supporting_text = text::optional(Field::SupportingText, details.supporting_text)?;
    let mut category = text::optional(Field::Category, input.category)?;
    if let Some(parent_id) = input.parent_id {
        let parent = check_parent(
            txn,
            plan.id,
            parent_id,
            shape.kind,
            shape.measure_unit.as_deref(),
            details.subset,
        )
        .await?;
        // Sub-goals belong to their parent's category unless told otherwise.
        category = category.or(parent.category);
    }
    check_units(txn, input.lead_unit_id, &input.supporting_unit_ids).await?;
    let siblings = goal::Entity::find()
        .filter(goal::Column::PlanId.eq(plan.id))
        .filter(match input.parent_id {
            Some(p) => goal::Column::ParentId.eq(p),
            None => goal::Column::ParentId.is_null(),
        })
        .count(txn)
        .await?;
    let stamp = now();
    let created = goal::ActiveModel {
        plan_id: Set(plan.id),
        parent_id: Set(input.parent_id),
        position: Set(i32::try_from(siblings).unwrap_or(i32::MAX)),
        code: Set(text::optional(Field::GoalCode, input.code)?),
        title: Set(title),
        category: Set(category),
        kind: Set(shape.kind.into()),
        measure_unit: Set(shape.measure_unit),
        target_value: Set(shape.target),
        baseline_value: Set(shape.baseline),
        direction: Set(shape.direction.into()),
        weight: Set(shape.weight),
        deadline: Set(shape.deadline),
        monthly_plan: Set(shape.monthly_plan.map(curve_json)),
        lead_unit_id: Set(input.lead_unit_id),
        responsible_leader: Set(text::optional(
            Field::ResponsibleLeader,
            input.responsible_leader,
        )?),
        responsible_person: Set(text::optional(
            Field::ResponsiblePerson,
            input.responsible_person,
        )?),
        original_text: Set(text::optional(Field::OriginalText, input.original_text)?),
        archived_at: Set(None),
        created_at: Set(stamp),
        updated_at: Set(stamp),
        subset: Set(details.subset),
        previous_year_value: Set(previous_year_value),
        remarks: Set(remarks),
        supporting_text: Set(supporting_text),
        ongoing: Set(details.ongoing),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    replace_supporting(txn, &created, &input.supporting_unit_ids).await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    changes: GoalChanges,
) -> AppResult<goal::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        let plan = plans::find_open(&txn, current.plan_id).await?;
        let kind = GoalKind::from(current.kind);
        let shape = check_shape(
            Shape {
                kind,
                target: changes.target_value.unwrap_or(current.target_value),
                baseline: changes.baseline_value.unwrap_or(current.baseline_value),
                direction: match changes.direction {
                    Some(d) => d,
                    None => current.direction.into(),
                },
                weight: changes.weight.unwrap_or(current.weight),
                deadline: changes.deadline.unwrap_or(current.deadline),
                measure_unit: match changes.measure_unit {
                    Some(m) => text::optional(Field::MeasureUnit, m)?,
                    None => current.measure_unit.clone(),
                },
                monthly_plan: match changes.monthly_plan {
                    Some(curve) => curve,
                    None => monthly_plan_of(&current)?,
                },
            },
            &plan,
        )?;
        let parent_id = changes.parent_id.unwrap_or(current.parent_id);
        let subset = changes.subset.unwrap_or(current.subset);
        check_subset(subset, parent_id)?;
        let ongoing = changes.ongoing.unwrap_or(current.ongoing);
        check_ongoing(ongoing, shape.deadline, &plan)?;
        if let Some(parent) = parent_id {
            check_parent(
                &txn,
                plan.id,
                parent,
                kind,
                shape.measure_unit.as_deref(),
                subset,
            )
            .await?;
            let parents: HashMap<i64, Option<i64>> = goal::Entity::find()
                .filter(goal::Column::PlanId.eq(plan.id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|g| (g.id, g.parent_id))
                .collect();
            if validation::creates_cycle(id, parent, |g| parents.get(&g).copied().flatten()) {
                return Err(AppError::refused(
                    ErrorCode::Cycle,
                    "目标不能放在它自己或它的子目标之下，请另选上级目标",
                    "a goal cannot be placed under itself or one of its sub-goals",
                ));
            }
        }
        let lead_unit_id = changes.lead_unit_id.unwrap_or(current.lead_unit_id);
        check_units(
            &txn,
            lead_unit_id,
            changes.supporting_unit_ids.as_deref().unwrap_or(&[]),
        )
        .await?;

        let mut active: goal::ActiveModel = current.clone().into();
        active.parent_id = Set(parent_id);
        if let Some(title) = changes.title {
            active.title = Set(text::required(Field::GoalTitle, &title)?);
        }
        if let Some(code) = changes.code {
            active.code = Set(text::optional(Field::GoalCode, code)?);
        }
        if let Some(category) = changes.category {
            active.category = Set(text::optional(Field::Category, category)?);
        }
        if let Some(v) = changes.responsible_leader {
            active.responsible_leader = Set(text::optional(Field::ResponsibleLeader, v)?);
        }
        if let Some(v) = changes.responsible_person {
            active.responsible_person = Set(text::optional(Field::ResponsiblePerson, v)?);
        }
        if let Some(v) = changes.original_text {
            active.original_text = Set(text::optional(Field::OriginalText, v)?);
        }
        if let Some(v) = changes.previous_year_value {
            active.previous_year_value = Set(previous_year_value(v)?);
        }
        if let Some(v) = changes.remarks {
            active.remarks = Set(text::optional(Field::Remarks, v)?);
        }
        if let Some(v) = changes.supporting_text {
            active.supporting_text = Set(text::optional(Field::SupportingText, v)?);
        }
        active.subset = Set(subset);
        active.ongoing = Set(ongoing);
        active.measure_unit = Set(shape.measure_unit);
        active.target_value = Set(shape.target);
        active.baseline_value = Set(shape.baseline);
        active.direction = Set(shape.direction.into());
        active.weight = Set(shape.weight);
        active.deadline = Set(shape.deadline);
        active.monthly_plan = Set(shape.monthly_plan.map(curve_json));
        active.lead_unit_id = Set(lead_unit_id);
        active.updated_at = Set(now());
        let updated = active.update(&txn).await?;
        if let Some(ids) = changes.supporting_unit_ids {
            replace_supporting(&txn, &updated, &ids).await?;
        }
        Ok(updated)
    }
    .await;
    finish(txn, author, result).await
}

/// Archives a goal created by mistake, with its whole subtree: archived
/// goals drop out of every roll-up and refuse new reports.
pub async fn archive(db: &DatabaseConnection, author: &Audit, id: i64) -> AppResult<goal::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        // A closed year is read-only, archiving included.
        plans::find_open(&txn, current.plan_id).await?;
        let all = goal::Entity::find()
            .filter(goal::Column::PlanId.eq(current.plan_id))
            .filter(goal::Column::ArchivedAt.is_null())
            .all(&txn)
            .await?;
        let mut subtree = vec![id];
        let mut i = 0;
        while i < subtree.len() {
            let parent = subtree[i];
            subtree.extend(
                all.iter()
                    .filter(|g| g.parent_id == Some(parent))
                    .map(|g| g.id),
            );
            i += 1;
        }
        let stamp = now();
        goal::Entity::update_many()
            .col_expr(
                goal::Column::ArchivedAt,
                sea_orm::sea_query::Expr::value(stamp),
            )
            .col_expr(
                goal::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(stamp),
            )
            .filter(goal::Column::Id.is_in(subtree))
            .exec(&txn)
            .await?;
        let archived = goal::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("goal", id))?;
        Ok(archived)
    }
    .await;
    finish(txn, author, result).await
}
