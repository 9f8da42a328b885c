//! `importPlan`: a 目标任务分解表 uploaded as a multipart request (the
//! GraphQL multipart request spec), imported all or nothing by an ADMIN.
use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};

use super::context::RequestContext;
use super::inputs::{parse_id, parse_opt_id};
use super::objects::{GoalKind, Plan};
use super::scalars::Date;
use crate::error::{AppError, ErrorCode};
use crate::import::limits::ImportTiming;
use crate::service::import::{self, ImportOutcome, ImportRequest, PlanTarget};
use crate::service::plans;

#[derive(InputObject)]
pub struct ImportPlanInput {
    /// The .xlsx workbook or .csv file.
    pub file: Upload,
    /// An existing plan without goals. Give this or `year`.
    pub plan_id: Option<ID>,
    /// The open plan of this year; if there is none, a new DRAFT plan.
    pub year: Option<i32>,
    /// The new plan's name (default: the sheet's title, else "2026年度目标任务").
    pub plan_name: Option<String>,
    /// The new plan's owner unit (default: the one top-level unit).
    pub owner_unit_id: Option<ID>,
    /// On an empty database with `createUnknownUnits`: the park to create
    /// as the plan's owner (default: the name before the year in the
    /// sheet's title).
    pub owner_name: Option<String>,
    /// The sheet to read (default: the one named …分解…, else the first).
    pub sheet: Option<String>,
    /// Check and report what would be created, without creating it.
    #[graphql(default)]
    pub dry_run: bool,
    /// Create units the sheet names that do not exist yet, under the plan's
    /// owner unit, instead of refusing the sheet.
    #[graphql(default)]
    pub create_unknown_units: bool,
}

/// One unit's assignment as imported. The API's type keeps its name.
#[derive(SimpleObject)]
#[graphql(name = "ImportedShare")]
pub struct ImportedAssignment {
    pub unit: String,
    pub target_value: Option<f64>,
    /// The unit's own 完成时限, when it differs from the goal's.
    pub deadline: Option<Date>,
}

#[derive(SimpleObject)]
pub struct ImportedMilestone {
    pub title: String,
    pub due_date: Date,
    pub weight: f64,
}

/// A goal as imported (or as a dry run would import it).
#[derive(SimpleObject)]
pub struct ImportedGoal {
    /// The sheet row (1-based) the goal starts on.
    pub row: i32,
    pub code: Option<String>,
    pub parent_code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub kind: GoalKind,
    pub target_value: Option<f64>,
    pub measure_unit: Option<String>,
    pub deadline: Option<Date>,
    pub lead_unit: Option<String>,
    // The API's field keeps its name.
    #[graphql(name = "shares")]
    pub assignments: Vec<ImportedAssignment>,
    pub milestones: Vec<ImportedMilestone>,
    /// Depth in the tree as it will be stored: 0 for a top-level goal.
    pub depth: i32,
    /// Points (分值): the goal's weight.
    pub weight: f64,
    /// A 其中 row: shown under its parent, never added into it.
    pub subset: bool,
    /// 上年完成.
    pub previous_year_value: Option<f64>,
    /// No unit was given a part, so the 牵头单位 carries the whole target.
    pub lead_by_default: bool,
    /// 配合单位 written as words that name no unit.
    pub supporting_text: Option<String>,
}

/// What an import created, or in a dry run would create.
#[derive(SimpleObject)]
pub struct ImportResult {
    pub dry_run: bool,
    /// The plan imported into; null in a dry run that would create it.
    pub plan_id: Option<ID>,
    pub plan_name: String,
    /// Whether the import made a new plan (or, in a dry run, would).
    pub plan_created: bool,
    pub sheet_name: String,
    pub goal_count: i32,
    pub assignment_count: i32,
    pub milestone_count: i32,
    /// Units made because the sheet named them (createUnknownUnits).
    pub created_units: Vec<String>,
    /// Columns that were not read, as "K 备注".
    pub ignored_columns: Vec<String>,
    /// Columns that were read, as "C 目标值".
    pub used_columns: Vec<String>,
    /// The 注 rows under the table, kept as the plan's remarks.
    pub plan_remarks: Option<String>,
    pub goals: Vec<ImportedGoal>,
    /// The plan as it now stands (null in a dry run).
    pub plan: Option<Plan>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl ImportResult {
    fn new(outcome: ImportOutcome, plan: Option<Plan>) -> Self {
        ImportResult {
            dry_run: outcome.dry_run,
            plan_id: outcome.plan_id.map(ID::from),
            goal_count: count(outcome.goals.len()),
            assignment_count: count(outcome.assignment_count()),
            milestone_count: count(outcome.milestone_count()),
            plan_name: outcome.plan_name,
            plan_created: outcome.plan_created,
            sheet_name: outcome.sheet_name,
            created_units: outcome.created_units,
            ignored_columns: outcome.ignored_columns,
            used_columns: outcome.used_columns,
            plan_remarks: outcome.plan_remarks,
            goals: outcome
                .goals
                .into_iter()
                .map(|g| ImportedGoal {
                    row: count(g.row as usize),
                    code: g.code,
                    parent_code: g.parent_code,
                    title: g.title,
                    category: g.category,
                    kind: g.kind.into(),
                    target_value: g.target_value,
                    measure_unit: g.measure_unit,
                    deadline: g.deadline.map(Date),
                    lead_unit: g.lead_unit,
                    depth: count(g.depth),
                    weight: g.weight,
                    subset: g.subset,
                    previous_year_value: g.previous_year_value,
                    lead_by_default: g.lead_by_default,
                    supporting_text: g.supporting_text,
                    assignments: g
                        .assignments
                        .into_iter()
                        .map(|s| ImportedAssignment {
                            unit: s.unit,
                            target_value: s.target_value,
                            deadline: s.deadline.map(Date),
                        })
                        .collect(),
                    milestones: g
                        .milestones
                        .into_iter()
                        .map(|m| ImportedMilestone {
                            title: m.title,
                            due_date: Date(m.due_date),
                            weight: m.weight,
                        })
                        .collect(),
                })
                .collect(),
            plan,
        }
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports a 目标任务分解表 (.xlsx or .csv) into a plan, ADMIN only. All
    /// or nothing: a sheet with problems imports nothing and fails with
    /// SHEET_INVALID, listing the first 200 problems (row, column, cell,
    /// header, code, message) in `extensions.problems` and counting the
    /// rest in `extensions.moreProblems`. A file past the import limits
    /// fails with SHEET_TOO_LARGE naming the limit; while another import
    /// runs, IMPORT_BUSY after 10 s.
    async fn import_plan(&self, ctx: &Context<'_>, input: ImportPlanInput) -> Result<ImportResult> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let target = match (&input.plan_id, input.year) {
            (Some(id), None) => PlanTarget::Id(parse_id("plan", id)?),
            (None, Some(year)) => PlanTarget::Year {
                year,
                name: input.plan_name.clone(),
                owner_unit_id: parse_opt_id("unit", &input.owner_unit_id)?,
            },
            _ => {
                return Err(AppError::refused(
                    ErrorCode::InvalidValue,
                    "请指定导入的计划：填写计划编号（planId）或年度（year），二者选其一",
                    "give either planId or year",
                )
                .into());
            }
        };
        let (_, file) = read_upload(ctx, &input.file, u64::MAX)?;
        let outcome = import::import(
            &rc.db,
            ImportRequest {
                target,
                file,
                sheet: input.sheet,
                dry_run: input.dry_run,
                create_unknown_units: input.create_unknown_units,
                now: rc.now,
                timing: *ctx.data::<ImportTiming>()?,
                author: super::audit::author(ctx)?,
                // A session is the /import page: hints name its checkbox.
                via: if rc.signed_in().is_some() {
                    import::Interface::Web
                } else {
                    import::Interface::Api
                },
                owner_name: input.owner_name,
            },
        )
        .await?;
        let plan = match (outcome.dry_run, outcome.plan_id) {
            (false, Some(id)) => {
                rc.forget_plans().await;
                Some(Plan(plans::find(&rc.db, id).await?))
            }
            _ => None,
        };
        Ok(ImportResult::new(outcome, plan))
    }
}

/// The name and bytes of an uploaded file (at most `limit` + 1 bytes are
/// read, so the caller can tell one over its limit), or BAD_REQUEST when
/// the request carried none.
pub(super) fn read_upload(
    ctx: &Context<'_>,
    file: &Upload,
    limit: u64,
) -> Result<(String, Vec<u8>), AppError> {
    let upload = file.value(ctx).map_err(|_| {
        AppError::refused(
            ErrorCode::BadRequest,
            "没有收到文件（file），请以 multipart/form-data 方式上传",
            "no file arrived for `file`; send the request as multipart/form-data",
        )
    })?;
    let name = upload.filename.clone();
    let mut bytes = Vec::new();
    upload
        .into_read()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(AppError::internal)?;
    Ok((name, bytes))
}
