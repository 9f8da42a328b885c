//! Importing a 目标任务分解表 into a plan: all or nothing. The sheet is read
//! (`import::breakdown`), its units resolved, and every goal, assignment and
//! milestone created through the same service functions the API uses, in
//! one transaction. Any problem — in the sheet, or a rule a service applies —
//! is collected with its cell and the whole import rolls back. A dry run
//! does everything and then rolls back, so it reports exactly what an
//! import would create. Imports take turns, one per process, and the file
//! and its layout are read on the blocking pool within the limits and the
//! time budget of `import::limits`.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{goal, plan, unit};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::{assignments, goals, milestones, plans, units};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::import::breakdown::{self, At, Draft, DraftGoal, UnitName, unit_key};
use crate::import::grid::{self, ReadError};
use crate::import::limits::{Budget, ImportTiming, MAX_PROBLEMS, Turn, off_the_workers, take_turn};
use domain::text::{self, Field};
use domain::wording::Collective;
use domain::{GoalKind, Lang, Message};

/// Which plan the sheet goes into.
#[derive(Clone, Debug)]
pub enum PlanTarget {
    /// An existing plan with no goals yet.
    Id(i64),
    /// The one open plan of the year; when there is none, a new DRAFT plan
    /// named `name` (else after the sheet's title) owned by `owner_unit_id`
    /// (else the one top-level unit).
    Year {
        year: i32,
        name: Option<String>,
        owner_unit_id: Option<i64>,
    },
}

pub struct ImportRequest {
    pub target: PlanTarget,
    pub file: Vec<u8>,
    /// The workbook sheet to read; by default the one named 分解 or the first.
    pub sheet: Option<String>,
    pub dry_run: bool,
    /// Create units the sheet names that do not exist (under the plan's
    /// owner unit) instead of reporting them.
    pub create_unknown_units: bool,
    /// The request's clock: the assignments' creation time.
    pub now: DateTime<Utc>,
    /// How long the read may take and how long to wait for the turn.
    pub timing: ImportTiming,
    /// Who imports it, for the plan's audit row.
    pub author: crate::db::audit::Audit,
    /// Where the request came from, so a hint names that interface's option.
    pub via: Interface,
    /// The park to create as the new plan's owner when the database has no
    /// units at all (with `create_unknown_units`); by default the name in
    /// the sheet's title before its year ("洞庭产业开发区2025年…").
    pub owner_name: Option<String>,
}

/// The interface an import came through: its hints name its own options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interface {
    /// GraphQL (`importPlan`) and the upload endpoint, with a token.
    Api,
    /// The /import page (GraphQL with a session): its checkbox, not the
    /// API's argument.
    Web,
    /// `mubiao import`.
    Cli,
}

impl Interface {
    /// How to ask for the units a sheet names and the database lacks to
    /// be created, in Chinese and in English: "导入时{zh}" / "import {en}".
    fn create_units_option(self) -> (&'static str, &'static str) {
        match self {
            Interface::Api => ("加上 createUnknownUnits", "with createUnknownUnits"),
            Interface::Web => (
                "勾选“表中有系统里没有的责任单位时，自动新建”",
                "ticking “create the units the sheet names”",
            ),
            Interface::Cli => ("加上 --create-units", "with --create-units"),
        }
    }

    /// How to name the park that owns a new plan: "请{zh}" / "name one {en}".
    fn owner_option(self) -> (&'static str, &'static str) {
        match self {
            Interface::Api => ("导入时用 ownerUnitId 指明其中一个", "with ownerUnitId"),
            Interface::Web => ("在“所属园区”中选择其中一个", "in “所属园区” (the park)"),
            Interface::Cli => ("导入时用 --owner 指明其中一个", "with --owner"),
        }
    }
}

/// An assignment as imported.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedAssignment {
    pub unit: String,
    pub target_value: Option<f64>,
    /// The unit's own 完成时限, when it differs from the goal's.
    pub deadline: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportedMilestone {
    pub title: String,
    pub due_date: NaiveDate,
    pub weight: f64,
}

/// A goal as imported (or, in a dry run, as it would be).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedGoal {
    /// 1-based sheet row.
    pub row: u32,
    pub code: Option<String>,
    pub parent_code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub kind: GoalKind,
    pub target_value: Option<f64>,
    pub measure_unit: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub lead_unit: Option<String>,
    pub assignments: Vec<ImportedAssignment>,
    pub milestones: Vec<ImportedMilestone>,
    /// Depth in the tree: 0 for a top-level goal.
    pub depth: usize,
    /// Points (分值): the goal's weight.
    pub weight: f64,
    pub subset: bool,
    pub previous_year_value: Option<f64>,
    /// No unit was given a part, so the 牵头单位 carries the whole target.
    pub lead_by_default: bool,
    /// 配合单位 that are words, not units.
    pub supporting_text: Option<String>,
}

pub struct ImportOutcome {
    pub dry_run: bool,
    /// The plan imported into; `None` in a dry run that would create it.
    pub plan_id: Option<i64>,
    pub plan_name: String,
    pub plan_created: bool,
    pub sheet_name: String,
    pub goals: Vec<ImportedGoal>,
    pub created_units: Vec<String>,
    pub ignored_columns: Vec<String>,
    /// Columns read, as "C 目标值".
    pub used_columns: Vec<String>,
    /// The 注 rows, kept as the plan's remarks.
    pub plan_remarks: Option<String>,
}

impl ImportOutcome {
    pub fn assignment_count(&self) -> usize {
        self.goals.iter().map(|g| g.assignments.len()).sum()
    }

    pub fn milestone_count(&self) -> usize {
        self.goals.iter().map(|g| g.milestones.len()).sum()
    }
}

/// Every problem, sorted; the first [`MAX_PROBLEMS`] are listed and the rest
/// counted (a sheet of 10,000 bad rows would otherwise answer with a list
/// of megabytes).
pub(super) fn sheet_invalid(mut problems: Vec<Problem>) -> AppError {
    breakdown::sort_problems(&mut problems);
    let more = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    AppError::Sheet { problems, more }
}

pub(super) fn read_refused(err: ReadError) -> AppError {
    match err {
        ReadError::Unreadable(m) => AppError::refused(ErrorCode::UnreadableFile, m.zh, m.en),
        ReadError::TooLarge(m) => AppError::refused(ErrorCode::SheetTooLarge, m.zh, m.en),
    }
}

/// Imports (or, in a dry run, checks) the sheet in `request.file`. Waits
/// for its turn (`IMPORT_BUSY` after `request.timing.wait`); a file past a limit
/// is `SHEET_TOO_LARGE`, one that is not a sheet `UNREADABLE_FILE`, a sheet
/// with problems `SHEET_INVALID`.
pub async fn import(
    db: &DatabaseConnection,
    mut request: ImportRequest,
) -> AppResult<ImportOutcome> {
    let turn = take_turn(request.timing.wait).await?;
    let budget = Budget::new(request.timing.read);
    let file = std::mem::take(&mut request.file);
    let sheet = request.sheet.clone();
    let grid = off_the_workers(&turn, move || {
        crate::import::read(&file, sheet.as_deref(), budget)
    })
    .await?
    .map_err(read_refused)?;
    let txn = begin_write(db).await?;
    let result = import_in(&txn, &request, grid, &turn).await;
    match result {
        Ok((outcome, plan)) if !request.dry_run => finish(txn, &request.author, Ok(plan))
            .await
            .map(|_| outcome),
        other => {
            // A dry run, or a refusal: nothing stays.
            if let Err(err) = txn.rollback().await {
                tracing::warn!(error = %err, "rollback after an import failed");
            }
            other.map(|(outcome, _)| outcome)
        }
    }
}

/// The plan the sheet goes into, or what to create.
enum Destination {
    Existing(plan::Model),
    New {
        year: i32,
        name: Option<String>,
        /// `None`: no unit exists yet; the park is created from the sheet.
        owner_unit_id: Option<i64>,
    },
}

async fn destination<C: ConnectionTrait>(
    txn: &C,
    request: &ImportRequest,
    all_units: &HashMap<i64, unit::Model>,
) -> AppResult<Destination> {
    let target = &request.target;
    let plan = match target {
        PlanTarget::Id(id) => plans::find_open(txn, *id).await?,
        PlanTarget::Year {
            year,
            name,
            owner_unit_id,
        } => {
            let open: Vec<plan::Model> = plan::Entity::find()
                .filter(plan::Column::Year.eq(*year))
                .filter(plan::Column::ArchivedAt.is_null())
                .filter(plan::Column::State.ne(entity::enums::PlanState::Closed))
                .filter(match owner_unit_id {
                    Some(owner) => plan::Column::OwnerUnitId.eq(*owner),
                    None => plan::Column::Id.is_not_null(),
                })
                .all(txn)
                .await?;
            match open.as_slice() {
                [one] => one.clone(),
                [] => {
                    let owner = match owner_unit_id {
                        Some(id) => Some(*id),
                        // An empty database: the park comes from the sheet.
                        None if request.create_unknown_units
                            && all_units.values().all(|u| u.archived_at.is_some()) =>
                        {
                            None
                        }
                        None => Some(only_top_level_unit(all_units, request.via)?),
                    };
                    return Ok(Destination::New {
                        year: *year,
                        name: name.clone(),
                        owner_unit_id: owner,
                    });
                }
                several => {
                    let ids: Vec<String> = several.iter().map(|p| p.id.to_string()).collect();
                    return Err(AppError::refused(
                        ErrorCode::AmbiguousPlan,
                        format!(
                            "{year} 年度有 {} 个未关闭的计划（编号 {}），请按计划编号导入",
                            several.len(),
                            ids.join("、")
                        ),
                        format!(
                            "{} open plans are for {year} (ids {}); import by plan id",
                            several.len(),
                            ids.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let goals = goal::Entity::find()
        .filter(goal::Column::PlanId.eq(plan.id))
        .filter(goal::Column::ArchivedAt.is_null())
        .count(txn)
        .await?;
    if goals > 0 {
        return Err(AppError::refused(
            ErrorCode::PlanNotEmpty,
            format!(
                "“{}”中已有 {goals} 项目标任务；请导入到新的计划，或先将原有目标归档",
                plan.name
            ),
            format!(
                "{} already has {goals} goals; import into a new plan, or archive its goals first",
                plan.name
            ),
        ));
    }
    Ok(Destination::Existing(plan))
}

fn only_top_level_unit(all_units: &HashMap<i64, unit::Model>, via: Interface) -> AppResult<i64> {
    let mut tops: Vec<&unit::Model> = all_units
        .values()
        .filter(|u| u.parent_id.is_none() && u.archived_at.is_none())
        .collect();
    tops.sort_by_key(|u| u.id);
    match tops.as_slice() {
        [one] => Ok(one.id),
        [] => Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!(
                "新的年度目标需要所属园区，但还没有任何单位；请先添加园区，或导入时{}（园区名取自表格标题）",
                via.create_units_option().0
            ),
            format!(
                "a new plan needs its owner unit (the park) and no unit exists yet; add the park first, or import {} (the park is named after the sheet's title)",
                via.create_units_option().1
            ),
        )),
        _ => {
            let names: Vec<&str> = tops.iter().map(|u| u.name.as_str()).collect();
            let (option_zh, option_en) = via.owner_option();
            Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!(
                    "新的年度目标需要指定所属园区：现有 {} 个顶级单位（{}），请{option_zh}",
                    tops.len(),
                    names.join("、")
                ),
                format!(
                    "a new plan needs its owner unit (the park): {} top-level units exist ({}); name one {option_en}",
                    tops.len(),
                    names.join(", ")
                ),
            ))
        }
    }
}

/// Units by normalised name, live ones only.
fn units_by_key(all_units: &HashMap<i64, unit::Model>) -> HashMap<String, Vec<i64>> {
    let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
    for u in all_units.values().filter(|u| u.archived_at.is_none()) {
        by_key.entry(unit_key(&u.name)).or_default().push(u.id);
    }
    for ids in by_key.values_mut() {
        ids.sort_unstable();
    }
    by_key
}

/// Names close to `name`, for "did you mean": sharing most of its characters.
fn similar<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let wanted: HashSet<char> = name.chars().collect();
    let mut close: Vec<&String> = known
        .filter(|k| {
            let have: HashSet<char> = k.chars().collect();
            let shared = wanted.intersection(&have).count();
            shared * 3 >= wanted.len().max(have.len()) * 2
        })
        .collect();
    close.sort();
    close.truncate(3);
    close
}

async fn import_in(
    txn: &DatabaseTransaction,
    request: &ImportRequest,
    grid: grid::Grid,
    turn: &Turn,
) -> AppResult<(ImportOutcome, plan::Model)> {
    let all_units = units::all(txn).await?;
    let destination = destination(txn, request, &all_units).await?;
    let year = match &destination {
        Destination::Existing(plan) => plan.year,
        Destination::New { year, .. } => *year,
    };
    let by_key = units_by_key(&all_units);
    let known: HashSet<String> = by_key.keys().cloned().collect();
    let sheet_name = grid.sheet_name.clone();
    let (draft, mut problems) =
        off_the_workers(turn, move || breakdown::read(&grid, year, &known)).await?;
    // Units are only made for a sheet that is otherwise fit to import.
    let create_unknown_units = request.create_unknown_units && problems.is_empty();
    let via = request.via;

    let mut park_created = None;
    let (plan, plan_created) = match destination {
        Destination::Existing(plan) => (plan, false),
        Destination::New {
            year,
            name,
            owner_unit_id,
        } => {
            let name = name
                .or_else(|| {
                    draft
                        .title
                        .as_deref()
                        .map(|t| plan_name_from_title(t, year))
                })
                .unwrap_or_else(|| format!("{year}年度目标任务"));
            let owner_unit_id = match owner_unit_id {
                Some(id) => id,
                None => {
                    let park = create_park(txn, request, &draft).await?;
                    park_created = Some(park.name);
                    park.id
                }
            };
            let plan = plans::create_in(
                txn,
                plans::NewPlan {
                    name,
                    year,
                    owner_unit_id,
                    start_date: None,
                    end_date: None,
                    time_zone: None,
                    score_cap: None,
                    settings: Default::default(),
                },
            )
            .await?;
            (plan, true)
        }
    };

    // Resolve every unit the sheet names, creating the unknown ones if asked.
    let mut unit_ids: HashMap<String, i64> = HashMap::new();
    let mut created_units: Vec<String> = park_created.into_iter().collect();
    let mut created_under_owner: Vec<unit::Model> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for name in draft.goals.iter().flat_map(unit_names) {
        if !seen.insert(&name.name) {
            continue;
        }
        let collective = domain::wording::collective_units(&name.name);
        match by_key.get(&name.name).map(Vec::as_slice) {
            Some([id]) => {
                unit_ids.insert(name.name.clone(), *id);
            }
            Some(several) => problems.push(draft.problem_at(
                name.at,
                ErrorCode::UnknownUnit,
                Message::new(
                    format!(
                        "有 {} 个单位都叫“{}”（编号 {:?}），请改名其中一个，以便表格区分",
                        several.len(),
                        name.name,
                        several
                    ),
                    format!(
                        "{} units are named {} (ids {:?}); rename one so the sheet can tell them apart",
                        several.len(),
                        name.name,
                        several
                    ),
                ),
            )),
            // "各局办": every department of the park, found once all are.
            None if collective == Some(Collective::AllDepartments) => {}
            None if let Some(group) = collective => problems.push(draft.problem_at(
                name.at,
                ErrorCode::UnknownUnit,
                Message::new(
                    format!(
                        "“{}”（{}）不是具体单位：请写明负责的单位，协助的单位写在“配合单位”列",
                        name.name,
                        group.display().zh
                    ),
                    format!(
                        "{} ({}) names no unit: write the responsible units, and those who help under 配合单位",
                        name.name,
                        group.display().en
                    ),
                ),
            )),
            // "区发改局": the district's bureau, never made a department of
            // the park, whatever the sheet's other problems.
            None if domain::wording::outside_park(&name.name) => {
                problems.push(draft.problem_at(
                    name.at,
                    ErrorCode::UnknownUnit,
                    Message::new(
                        format!(
                            "“{}”是区（县、市）级单位，不是园区的部门，导入时不会自动新建它；如由它填报，请先添加该单位，否则写在“配合单位”列",
                            name.name
                        ),
                        format!(
                            "{} is a district (county, city) body, not a department of the park, so an import never creates it; add the unit first if it reports here, or write it under 配合单位",
                            name.name
                        ),
                    ),
                ));
            }
            // Asked to create units, but the sheet has problems: the units
            // would be made once it is fixed, so they are no problem of it
            // (listing them would bury the real ones).
            None if request.create_unknown_units && !create_unknown_units => {}
            None if create_unknown_units => {
                let created = units::create_in(
                    txn,
                    units::NewUnit {
                        name: name.name.clone(),
                        parent_id: Some(plan.owner_unit_id),
                    },
                )
                .await?;
                created_units.push(created.name.clone());
                unit_ids.insert(name.name.clone(), created.id);
                created_under_owner.push(created);
            }
            None => {
                let similar = similar(&name.name, by_key.keys());
                let (option_zh, option_en) = via.create_units_option();
                let message = if similar.is_empty() {
                    Message::new(
                        format!(
                            "没有名为“{}”的单位；请先添加该单位，或导入时{option_zh}",
                            name.name
                        ),
                        format!(
                            "no unit is named {}; add the unit first, or import {option_en}",
                            name.name
                        ),
                    )
                } else {
                    let names: Vec<&str> = similar.iter().map(|s| s.as_str()).collect();
                    Message::new(
                        format!(
                            "没有名为“{}”的单位；是否指 {}？",
                            name.name,
                            names.join(" 或 ")
                        ),
                        format!(
                            "no unit is named {}; did you mean {}?",
                            name.name,
                            names.join(" or ")
                        ),
                    )
                };
                problems.push(draft.problem_at(name.at, ErrorCode::UnknownUnit, message));
            }
        }
    }
    if !problems.is_empty() {
        return Err(sheet_invalid(problems));
    }
    let every_department = draft
        .goals
        .iter()
        .flat_map(unit_names)
        .any(|u| !unit_ids.contains_key(&u.name));
    let departments = if every_department {
        departments(
            all_units.values().chain(&created_under_owner),
            plan.owner_unit_id,
        )
    } else {
        Vec::new()
    };

    let mut created: Vec<Option<goal::Model>> = Vec::with_capacity(draft.goals.len());
    let mut imported = Vec::with_capacity(draft.goals.len());
    for g in &draft.goals {
        let parent_id = match g.parent {
            Some(p) => match &created[p] {
                Some(parent) => Some(parent.id),
                // Its parent was refused and reported; this goal waits for it.
                None => {
                    created.push(None);
                    continue;
                }
            },
            None => None,
        };
        let (supporting_unit_ids, supporting_text) = supporting(g, &unit_ids, &by_key);
        let new_goal = goals::NewGoal {
            plan_id: plan.id,
            parent_id,
            code: g.code.clone(),
            title: g.title.clone(),
            category: g.category.clone(),
            kind: g.kind,
            measure_unit: g.measure_unit.clone(),
            target_value: g.target,
            baseline_value: g.baseline,
            direction: Some(g.direction),
            weight: g.weight,
            deadline: g.deadline,
            monthly_plan: None,
            lead_unit_id: g
                .lead_unit
                .as_ref()
                .and_then(|u| unit_ids.get(&u.name).copied()),
            supporting_unit_ids,
            responsible_leader: g.leader.clone(),
            responsible_person: g.person.clone(),
            original_text: g.original_text.clone(),
        };
        let details = goals::GoalDetails {
            subset: g.subset,
            previous_year_value: g.previous_year,
            remarks: g.remarks.clone(),
            supporting_text,
            ongoing: g.ongoing,
        };
        let goal = match goals::create_full_in(txn, new_goal, details).await {
            Ok(goal) => goal,
            Err(err) => {
                let at = goal_cell(g, &err);
                problems.push(refusal(&draft, err, at)?);
                created.push(None);
                continue;
            }
        };
        let mut assignments = Vec::new();
        for assignment in &g.assignments {
            // A unit, or "各局办": each department of the park.
            let carriers: Vec<(String, i64)> = match unit_ids.get(&assignment.unit.name) {
                Some(id) => vec![(assignment.unit.name.clone(), *id)],
                None => departments.clone(),
            };
            let every_department = !unit_ids.contains_key(&assignment.unit.name);
            // Every department carrying the whole figure would count it
            // many times over: a figure is shared out by name.
            if every_department
                && matches!(
                    g.kind,
                    GoalKind::Cumulative | GoalKind::Rate | GoalKind::Rank
                )
            {
                problems.push(draft.problem_at(
                    assignment.unit.at,
                    ErrorCode::UnknownUnit,
                    Message::new(
                        format!(
                            "“{}”指园区各部门，不能各自承担同一个数值目标；请写明承担的单位及各自的分解值",
                            assignment.unit.name
                        ),
                        format!(
                            "{} means every department, and they cannot each carry the same figure; name the units and their shares",
                            assignment.unit.name
                        ),
                    ),
                ));
                continue;
            }
            if carriers.is_empty() {
                problems.push(draft.problem_at(
                    assignment.unit.at,
                    ErrorCode::UnknownUnit,
                    Message::new(
                        format!(
                            "“{}”指园区各部门，但园区还没有任何部门；请先添加部门",
                            assignment.unit.name
                        ),
                        format!(
                            "{} means every department of the park, and the park has none yet; add them first",
                            assignment.unit.name
                        ),
                    ),
                ));
            }
            for (unit, unit_id) in carriers {
                let new_assignment = assignments::NewAssignment {
                    goal_id: goal.id,
                    unit_id,
                    target_value: assignment.value,
                    deadline: assignment.deadline,
                    responsible_person: None,
                    created_at: request.now,
                };
                match assignments::create_in(txn, new_assignment).await {
                    Ok(a) => assignments.push(ImportedAssignment {
                        unit,
                        target_value: a.target_value,
                        deadline: a.deadline,
                    }),
                    Err(err) => problems.push(refusal(&draft, err, assignment.unit.at)?),
                }
            }
        }
        let mut milestone_rows = Vec::new();
        for m in &g.milestones {
            let new_milestone = milestones::NewMilestone {
                goal_id: goal.id,
                title: m.title.clone(),
                due_date: m.due,
                weight: m.weight,
            };
            match milestones::create_in(txn, new_milestone).await {
                Ok(made) => milestone_rows.push(ImportedMilestone {
                    title: made.title,
                    due_date: made.due_date,
                    weight: made.weight,
                }),
                Err(err) => problems.push(refusal(&draft, err, m.at)?),
            }
        }
        imported.push(ImportedGoal {
            row: g.row + 1,
            code: goal.code.clone(),
            parent_code: g.parent.and_then(|p| draft.goals[p].code.clone()),
            title: goal.title.clone(),
            category: goal.category.clone(),
            kind: g.kind,
            target_value: goal.target_value,
            measure_unit: goal.measure_unit.clone(),
            deadline: goal.deadline,
            lead_unit: g
                .lead_unit
                .as_ref()
                .filter(|u| unit_ids.contains_key(&u.name))
                .map(|u| u.name.clone()),
            assignments,
            milestones: milestone_rows,
            depth: depth_of(&draft, g),
            weight: goal.weight,
            subset: goal.subset,
            previous_year_value: goal.previous_year_value,
            lead_by_default: g.lead_by_default,
            supporting_text: goal.supporting_text.clone(),
        });
        created.push(Some(goal));
    }
    if !problems.is_empty() {
        return Err(sheet_invalid(problems));
    }
    let plan = if draft.remarks.is_empty() {
        plan
    } else {
        plan::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(plan.id),
            remarks: Set(Some(
                text::optional(Field::Remarks, Some(draft.remarks.join("\n")))?.unwrap_or_default(),
            )),
            ..Default::default()
        }
        .update(txn)
        .await?
    };
    let outcome = ImportOutcome {
        dry_run: request.dry_run,
        plan_id: (!(request.dry_run && plan_created)).then_some(plan.id),
        plan_name: plan.name.clone(),
        plan_created,
        sheet_name,
        goals: imported,
        created_units,
        ignored_columns: draft.ignored_columns,
        used_columns: draft.used_columns,
        plan_remarks: plan.remarks.clone(),
    };
    Ok((outcome, plan))
}

/// The plan's name from the sheet's title, in the plan's year: a 分解表
/// exported last year and imported as next year's says next year
/// ("洞庭产业开发区2025年目标任务分解表" as 2026 → "洞庭产业开发区2026年目标任务").
fn plan_name_from_title(title: &str, year: i32) -> String {
    let t = title.trim();
    let name = t
        .strip_suffix("分解表")
        .or_else(|| t.strip_suffix("责任分解表"))
        .or_else(|| t.strip_suffix("一览表"))
        .unwrap_or(t)
        .trim_end_matches("责任");
    match year_in(name) {
        Some((start, end)) => format!("{}{year}{}", &name[..start], &name[end..]),
        None => name.to_string(),
    }
}

/// Where the first year written as one ("2025年") sits in `text` (byte
/// range of its digits).
fn year_in(text: &str) -> Option<(usize, usize)> {
    domain::wording::years_in(text)
        .into_iter()
        .find(|(i, _)| text[i + 4..].starts_with('年'))
        .map(|(i, _)| (i, i + 4))
}

/// The park a sheet belongs to, named in its title before the year
/// ("洞庭产业开发区2025年目标任务分解表" → "洞庭产业开发区").
fn park_from_title(title: &str) -> Option<String> {
    let name = match year_in(title) {
        Some((start, _)) => &title[..start],
        None => title.split("目标").next().unwrap_or_default(),
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Creates the park that owns a plan imported into an empty database:
/// named by `owner_name`, else after the sheet's title.
async fn create_park(
    txn: &DatabaseTransaction,
    request: &ImportRequest,
    draft: &Draft,
) -> AppResult<unit::Model> {
    let name = request
        .owner_name
        .clone()
        .or_else(|| draft.title.as_deref().and_then(park_from_title))
        .ok_or_else(|| {
            AppError::refused(
                ErrorCode::InvalidValue,
                "表格没有标题可以确定园区名称，请指明所属园区（--owner）",
                "the sheet has no title to name the park after; name the owner unit (--owner)",
            )
        })?;
    let park = units::create_in(
        txn,
        units::NewUnit {
            name,
            parent_id: None,
        },
    )
    .await?;
    Ok(park)
}

/// The park's departments (its live child units), by name, oldest first:
/// who "各局办" in a 责任单位 cell means. `units`: those loaded before the
/// import and those it created, so no second query.
fn departments<'a>(
    units: impl Iterator<Item = &'a unit::Model>,
    park_id: i64,
) -> Vec<(String, i64)> {
    let mut children: Vec<&unit::Model> = units
        .filter(|u| u.parent_id == Some(park_id) && u.archived_at.is_none())
        .collect();
    children.sort_by_key(|u| u.id);
    children
        .into_iter()
        .map(|u| (u.name.clone(), u.id))
        .collect()
}

/// The units a goal must name: its lead and the units carrying its parts.
/// Supporting (配合) names are not among them: a name that is no unit
/// ("各局办", "潇湘科技要素大市场") stays words on the goal.
/// How deep a draft goal sits: 0 at the top.
fn depth_of(draft: &Draft, g: &DraftGoal) -> usize {
    std::iter::successors(g.parent, |p| draft.goals[*p].parent).count()
}

fn unit_names(g: &DraftGoal) -> impl Iterator<Item = &UnitName> {
    g.lead_unit
        .iter()
        .chain(g.assignments.iter().map(|s| &s.unit))
}

/// A goal's 配合单位: the ids of those that are units, and the rest as
/// words ("各局办" as the office means it: every department).
fn supporting(
    g: &DraftGoal,
    unit_ids: &HashMap<String, i64>,
    by_key: &HashMap<String, Vec<i64>>,
) -> (Vec<i64>, Option<String>) {
    let mut ids = Vec::new();
    let mut words = Vec::new();
    for u in &g.supporting_units {
        let known = unit_ids
            .get(&u.name)
            .copied()
            .or_else(|| match by_key.get(&u.name) {
                Some(ids) if ids.len() == 1 => Some(ids[0]),
                _ => None,
            });
        match (known, domain::wording::collective_units(&u.name)) {
            (Some(id), _) => ids.push(id),
            (None, Some(collective)) => words.push(collective.display().zh),
            (None, None) => words.push(u.name.clone()),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    (ids, (!words.is_empty()).then(|| words.join("、")))
}

/// Which of a goal's cells a refusal of the goal is about.
fn goal_cell(g: &DraftGoal, err: &AppError) -> At {
    let c = &g.cells;
    let fallback = c.title.or(c.code).unwrap_or(At {
        row: g.row,
        column: 0,
    });
    let message = err.to_string();
    let cell = match err.code() {
        ErrorCode::DeadlineOutsidePlan => c.deadline,
        ErrorCode::DirectionNotAllowed => c.direction.or(c.target),
        ErrorCode::MeasureUnitMismatch => c.measure_unit.or(c.target),
        ErrorCode::KindMismatch | ErrorCode::StructureConflict => c.kind.or(c.code),
        ErrorCode::InvalidValue if message.contains("weight") => c.weight,
        ErrorCode::InvalidValue if message.contains("baseline") => c.baseline,
        ErrorCode::InvalidTarget | ErrorCode::InvalidValue => c.target,
        _ => None,
    };
    cell.unwrap_or(fallback)
}

/// A service's refusal as a problem at `at`; an internal failure aborts.
fn refusal(draft: &Draft, err: AppError, at: At) -> AppResult<Problem> {
    match err {
        AppError::Internal(_) => Err(err),
        other => {
            let message = Message::new(other.message(Lang::Zh), other.message(Lang::En));
            Ok(draft.problem_at(at, other.code(), message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_is_named_in_its_own_year_and_a_park_after_its_title() {
        // Last year's exported 分解表 imported as next year's plan.
        assert_eq!(
            plan_name_from_title("洞庭产业开发区2025年度目标任务分解表", 2026),
            "洞庭产业开发区2026年度目标任务"
        );
        assert_eq!(
            plan_name_from_title("鹤城高新区2025年目标任务责任分解表", 2025),
            "鹤城高新区2025年目标任务"
        );
        // A number that is no year stays as it is.
        assert_eq!(
            plan_name_from_title("12025年度目标任务", 2026),
            "12025年度目标任务"
        );
        assert_eq!(
            plan_name_from_title("年度目标任务分解表", 2026),
            "年度目标任务"
        );
        assert_eq!(
            park_from_title("鹤城高新区2025年目标任务分解表").as_deref(),
            Some("鹤城高新区")
        );
        assert_eq!(
            park_from_title("临港经济开发区目标任务分解表").as_deref(),
            Some("临港经济开发区")
        );
        assert_eq!(park_from_title("2025年目标任务分解表"), None);
    }

    #[test]
    fn only_the_first_problems_are_listed_and_the_rest_counted() {
        let problem = |row: u32| Problem {
            row,
            column: Some("C".into()),
            header: None,
            code: ErrorCode::MissingTitle,
            message: Message::new("没有目标任务", "no 目标任务"),
        };
        let AppError::Sheet { problems, more } =
            sheet_invalid((1..=450).rev().map(problem).collect())
        else {
            panic!("not a sheet error")
        };
        assert_eq!((problems.len(), more), (MAX_PROBLEMS, 250));
        assert_eq!((problems[0].row, problems[199].row), (1, 200));
        let few = sheet_invalid(vec![problem(3)]);
        assert_eq!(
            few.to_string(),
            "the sheet has 1 problem(s) to fix; nothing was imported"
        );
    }
}
