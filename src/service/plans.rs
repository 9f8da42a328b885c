use chrono::NaiveDate;
use entity::{assignment, goal, milestone, plan, report};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{find_active, now, units};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use chrono::{DateTime, Utc};
use domain::text::{self, Field};

use crate::error::{AppError, AppResult, ErrorCode};
use domain::{
    PlanState, ReportingCycle, Thresholds, TimeProgressMode, dates, schedule, validation,
};

pub struct NewPlan {
    pub name: String,
    pub year: i32,
    pub owner_unit_id: i64,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub time_zone: Option<String>,
    pub score_cap: Option<f64>,
    pub settings: JudgementSettings,
}

/// Settings that judge progress and set the reporting calendar; `None`
/// keeps the default (on create) or the current value (on update).
#[derive(Default, Clone)]
pub struct JudgementSettings {
    pub time_progress_mode: Option<TimeProgressMode>,
    pub yellow_gap: Option<f64>,
    pub red_gap: Option<f64>,
    pub rate_yellow_floor: Option<f64>,
    pub reporting_cycle: Option<ReportingCycle>,
    pub report_due_day: Option<i32>,
    /// 遇节假日顺延 (on by default).
    pub report_due_postponed: Option<bool>,
    /// Whether reports count only once approved.
    pub require_approval: Option<bool>,
}

#[derive(Default)]
pub struct PlanChanges {
    pub name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub time_zone: Option<String>,
    pub score_cap: Option<f64>,
    pub settings: JudgementSettings,
    /// The 注 rows of the plan's 分解表; `Some(None)` clears them.
    pub remarks: Option<Option<String>>,
}

/// The plan's light bands as stored.
pub fn thresholds_of(plan: &plan::Model) -> Thresholds {
    Thresholds {
        yellow_gap: plan.yellow_gap,
        red_gap: plan.red_gap,
        rate_yellow_floor: plan.rate_yellow_floor,
    }
}

/// Applies the given settings over `base`, validating the result as a whole.
fn apply_settings(
    plan: &mut plan::ActiveModel,
    base: Thresholds,
    s: JudgementSettings,
) -> AppResult<()> {
    let t = validation::thresholds(Thresholds {
        yellow_gap: s.yellow_gap.unwrap_or(base.yellow_gap),
        red_gap: s.red_gap.unwrap_or(base.red_gap),
        rate_yellow_floor: s.rate_yellow_floor.unwrap_or(base.rate_yellow_floor),
    })?;
    plan.yellow_gap = Set(t.yellow_gap);
    plan.red_gap = Set(t.red_gap);
    plan.rate_yellow_floor = Set(t.rate_yellow_floor);
    if let Some(mode) = s.time_progress_mode {
        plan.time_progress_mode = Set(mode.into());
    }
    if let Some(cycle) = s.reporting_cycle {
        plan.reporting_cycle = Set(cycle.into());
    }
    if let Some(required) = s.require_approval {
        plan.require_approval = Set(required);
    }
    if let Some(day) = s.report_due_day {
        plan.report_due_day = Set(validation::report_due_day(day)?);
    }
    if let Some(postponed) = s.report_due_postponed {
        plan.report_due_postponed = Set(postponed);
    }
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<plan::Model> {
    find_active::<plan::Entity, _>(db, "plan", id, |p| p.archived_at).await
}

/// A plan whose targets may still change: not archived, not CLOSED.
pub async fn find_open<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<plan::Model> {
    let plan = find(db, id).await?;
    require_open(&plan)?;
    Ok(plan)
}

/// A plan that accepts reports and milestone completions: ACTIVE.
pub async fn find_taking_reports<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<plan::Model> {
    let plan = find(db, id).await?;
    require_taking_reports(&plan)?;
    Ok(plan)
}

/// [`find_open`]'s rule for a plan already loaded (and not archived).
fn require_open(plan: &plan::Model) -> AppResult<()> {
    if PlanState::from(plan.state) == PlanState::Closed {
        return Err(AppError::refused(
            ErrorCode::PlanClosed,
            format!(
                "“{}”已关闭，不能再修改或填报；如确需修改，请目标办（管理员）先重新开启",
                plan.name
            ),
            format!("{} is closed; an ADMIN must reopen it first", plan.name),
        ));
    }
    Ok(())
}

/// [`find_taking_reports`]'s rule for a plan already loaded (and not
/// archived).
pub fn require_taking_reports(plan: &plan::Model) -> AppResult<()> {
    require_open(plan)?;
    if PlanState::from(plan.state) == PlanState::Draft {
        return Err(AppError::refused(
            ErrorCode::PlanNotActive,
            format!("“{}”还是草稿，尚未启用；启用后才能填报", plan.name),
            format!(
                "{} is still a draft; it takes reports once activated",
                plan.name
            ),
        ));
    }
    Ok(())
}

/// Moves a plan along its lifecycle: DRAFT → ACTIVE (activate), ACTIVE →
/// CLOSED (close), CLOSED → ACTIVE (reopen).
pub async fn transition(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    from: PlanState,
    to: PlanState,
    now: DateTime<Utc>,
) -> AppResult<plan::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find(&txn, id).await?;
        let state = PlanState::from(current.state);
        if state != from {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                format!(
                    "“{}”目前是{}状态；只有{}状态的计划才能改为{}状态",
                    current.name,
                    state_in_chinese(state),
                    state_in_chinese(from),
                    state_in_chinese(to)
                ),
                format!(
                    "{} is {state}; only a {from} plan can become {to}",
                    current.name
                ),
            ));
        }
        let mut active: plan::ActiveModel = current.into();
        active.state = Set(to.into());
        active.updated_at = Set(now);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// A plan's state as the office says it.
fn state_in_chinese(state: PlanState) -> &'static str {
    match state {
        PlanState::Draft => "草稿",
        PlanState::Active => "执行中",
        PlanState::Closed => "已关闭",
    }
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<plan::Model>> {
    Ok(plan::Entity::find()
        .filter(plan::Column::ArchivedAt.is_null())
        .order_by_desc(plan::Column::Year)
        .order_by_asc(plan::Column::Id)
        .all(db)
        .await?)
}

/// An optional deadline of a goal or assignment, which must lie in the plan period.
pub fn deadline_within(
    plan: &plan::Model,
    deadline: Option<NaiveDate>,
) -> AppResult<Option<NaiveDate>> {
    deadline
        .map(|d| {
            validation::within_plan(
                domain::Rule::DeadlineOutsidePlan,
                "deadline",
                d,
                plan.start_date,
                plan.end_date,
            )
        })
        .transpose()
        .map_err(AppError::from)
}

fn check_period(year: i32, start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    if start > end {
        return Err(AppError::refused(
            ErrorCode::InvalidPlanPeriod,
            format!("计划开始日期 {start} 晚于结束日期 {end}，请核对"),
            format!("the plan starts {start}, after it ends {end}"),
        ));
    }
    if dates::year_of(start) != year || (end - start).num_days() > 365 {
        return Err(AppError::refused(
            ErrorCode::InvalidPlanPeriod,
            format!("{year} 年度的计划须在 {year} 年内开始，计划期不超过一年"),
            format!("a {year} plan must start in {year} and last at most a year"),
        ));
    }
    Ok(())
}

fn check_time_zone(zone: &str) -> AppResult<String> {
    dates::parse_time_zone(zone)
        .map(|_| zone.to_string())
        .ok_or_else(|| {
            AppError::refused(
                ErrorCode::InvalidTimeZone,
                format!("无法识别时区“{zone}”，请填写 IANA 时区名，如 Asia/Shanghai"),
                format!("unknown time zone {zone:?}; use an IANA name like Asia/Shanghai"),
            )
        })
}

fn check_score_cap(cap: f64) -> AppResult<f64> {
    let cap = validation::finite("scoreCap", cap)?;
    if !(1.0..=2.0).contains(&cap) {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "得分上限须在 1.0（即 100%）到 2.0 之间",
            "scoreCap is a fraction between 1.0 (100 %) and 2.0",
        ));
    }
    Ok(cap)
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewPlan,
) -> AppResult<plan::Model> {
    create_with(db, author, input, None).await
}

/// `create` with the 注 rows of the plan's 分解表 (`remarks`).
pub async fn create_with(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewPlan,
    remarks: Option<String>,
) -> AppResult<plan::Model> {
    let txn = begin_write(db).await?;
    let result = create_full_in(&txn, input, remarks).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (the spreadsheet import
/// creates a whole plan in one).
pub async fn create_in<C: ConnectionTrait>(txn: &C, input: NewPlan) -> AppResult<plan::Model> {
    create_full_in(txn, input, None).await
}

/// `create_with` inside the caller's transaction (copying a plan to
/// another year).
pub async fn create_full_in<C: ConnectionTrait>(
    txn: &C,
    input: NewPlan,
    remarks: Option<String>,
) -> AppResult<plan::Model> {
    let name = text::required(Field::PlanName, &input.name)?;
    let remarks = text::optional(Field::Remarks, remarks)?;
    validation::plan_year(input.year)?;
    let (year_start, year_end) = dates::calendar_year(input.year).ok_or_else(|| {
        AppError::refused(
            ErrorCode::InvalidPlanPeriod,
            format!("{} 不是可用的年度", input.year),
            format!("{} is not a usable year", input.year),
        )
    })?;
    let start = input.start_date.unwrap_or(year_start);
    let end = input.end_date.unwrap_or(year_end);
    check_period(input.year, start, end)?;
    let time_zone = check_time_zone(
        input
            .time_zone
            .as_deref()
            .unwrap_or(dates::DEFAULT_TIME_ZONE),
    )?;
    let score_cap = check_score_cap(input.score_cap.unwrap_or(1.0))?;

    let stamp = now();
    let mut new_plan = plan::ActiveModel {
        owner_unit_id: Set(input.owner_unit_id),
        name: Set(name),
        year: Set(input.year),
        start_date: Set(start),
        end_date: Set(end),
        time_zone: Set(time_zone),
        score_cap: Set(score_cap),
        state: Set(PlanState::Draft.into()),
        time_progress_mode: Set(TimeProgressMode::default().into()),
        reporting_cycle: Set(ReportingCycle::default().into()),
        report_due_day: Set(5),
        report_due_postponed: Set(true),
        require_approval: Set(false),
        archived_at: Set(None),
        created_at: Set(stamp),
        updated_at: Set(stamp),
        remarks: Set(remarks),
        ..Default::default()
    };
    apply_settings(&mut new_plan, Thresholds::default(), input.settings)?;
    units::find(txn, input.owner_unit_id).await?;
    let created = new_plan.insert(txn).await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    changes: PlanChanges,
) -> AppResult<plan::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
    let current = find_open(&txn, id).await?;
    let start = changes.start_date.unwrap_or(current.start_date);
    let end = changes.end_date.unwrap_or(current.end_date);
    check_period(current.year, start, end)?;
    if (start, end) != (current.start_date, current.end_date) {
        ensure_dates_fit(&txn, id, start, end).await?;
        let months_changed = schedule::months_through(start, end)
            != schedule::months_through(current.start_date, current.end_date);
        let curves = goal::Entity::find()
            .filter(goal::Column::PlanId.eq(id))
            .filter(goal::Column::ArchivedAt.is_null())
            .filter(goal::Column::MonthlyPlan.is_not_null())
            .count(&txn)
            .await?;
        if months_changed && curves > 0 {
            return Err(AppError::refused(
                ErrorCode::InvalidPlanPeriod,
                format!(
                    "有 {curves} 项目标按现在的月份设了月度计划，请先修改这些月度计划，再调整计划期"
                ),
                format!(
                    "{curves} goals carry a monthly plan curve for the current months; change them first"
                ),
            ));
        }
    }
    let base = thresholds_of(&current);
    let mut active: plan::ActiveModel = current.into();
    apply_settings(&mut active, base, changes.settings)?;
    if let Some(name) = changes.name {
        active.name = Set(text::required(Field::PlanName, &name)?);
    }
    if let Some(zone) = changes.time_zone {
        active.time_zone = Set(check_time_zone(&zone)?);
    }
    if let Some(cap) = changes.score_cap {
        active.score_cap = Set(check_score_cap(cap)?);
    }
    if let Some(remarks) = changes.remarks {
        active.remarks = Set(text::optional(Field::Remarks, remarks)?);
    }
    active.start_date = Set(start);
    active.end_date = Set(end);
    active.updated_at = Set(now());
    let updated = active.update(&txn).await?;
    Ok(updated)
    }
    .await;
    finish(txn, author, result).await
}

/// A plan's period can only shrink while every dated row still fits in it.
async fn ensure_dates_fit<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> AppResult<()> {
    let outside_goals = goal::Entity::find()
        .filter(goal::Column::PlanId.eq(plan_id))
        .filter(goal::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(goal::Column::Deadline.lt(start))
                .add(goal::Column::Deadline.gt(end)),
        )
        .count(db)
        .await?;
    let outside_assignments = assignment::Entity::find()
        .filter(assignment::Column::PlanId.eq(plan_id))
        .filter(assignment::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(assignment::Column::Deadline.lt(start))
                .add(assignment::Column::Deadline.gt(end)),
        )
        .count(db)
        .await?;
    let outside_milestones = milestone::Entity::find()
        .filter(milestone::Column::PlanId.eq(plan_id))
        .filter(milestone::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(milestone::Column::DueDate.lt(start))
                .add(milestone::Column::DueDate.gt(end)),
        )
        .count(db)
        .await?;
    let outside_reports = report::Entity::find()
        .filter(report::Column::PlanId.eq(plan_id))
        .filter(
            Condition::any()
                .add(report::Column::AsOf.lt(start))
                .add(report::Column::AsOf.gt(end)),
        )
        .count(db)
        .await?;
    let outside = outside_goals + outside_assignments + outside_milestones + outside_reports;
    if outside > 0 {
        return Err(AppError::refused(
            ErrorCode::InvalidPlanPeriod,
            format!(
                "有 {outside} 个完成时限、节点或填报记录将落在 {start} 至 {end} 之外，请先调整它们"
            ),
            format!(
                "{outside} deadlines, milestones or reports would fall outside {start} to {end}"
            ),
        ));
    }
    Ok(())
}

pub async fn archive(db: &DatabaseConnection, author: &Audit, id: i64) -> AppResult<plan::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let current = find_open(&txn, id).await?;
        let mut active: plan::ActiveModel = current.into();
        let stamp = now();
        active.archived_at = Set(Some(stamp));
        active.updated_at = Set(stamp);
        let archived = active.update(&txn).await?;
        Ok(archived)
    }
    .await;
    finish(txn, author, result).await
}
