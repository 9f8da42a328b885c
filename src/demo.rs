//! The demo: a 2025 plan of a development zone, built from the targets its
//! 2024 work report set for 2025 (签约项目20个以上, 合同引资额25亿元以上, 腾出厂房
//! 5万平方米以上, 处置三类低效用地, the 五好园区 building, 屋顶光伏二期 by March…),
//! broken down to its bureaus, with reports through October.
//!
//! The demo is data, in `demo/`, built into the binary:
//! - `dongting-2025-units.csv`: the units and their tree (the 分解表 names
//!   units but not who is under whom), and each unit's 责任人 for its assignments;
//! - `dongting-2025-breakdown.xlsx`: the 目标任务分解表, imported as
//!   `importPlan` / `mubiao import` import one (goals, assignments, milestones);
//! - `dongting-2025-reports.csv`: the units' monthly reports, submitted as
//!   `submitReport` submits them, at the time each was filed;
//! - `dongting-2025-milestones.csv`: the milestones completed, and when.
//!
//! Everything goes through the services, so the demo obeys the same rules
//! as any client, and the audit log names "demo" as its author.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use entity::{assignment, goal, milestone};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::db::audit::Audit;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::import::{self, ImportRequest, PlanTarget};
use crate::service::{
    accounts, assignments, milestones, plans, problems, reports, supervision, tokens, units,
};
use domain::PlanState;
use domain::access::Role;

const UNITS: &str = include_str!("../demo/dongting-2025-units.csv");
const BREAKDOWN: &[u8] = include_bytes!("../demo/dongting-2025-breakdown.xlsx");
const REPORTS: &str = include_str!("../demo/dongting-2025-reports.csv");
const MILESTONES: &str = include_str!("../demo/dongting-2025-milestones.csv");
const SUPERVISION: &str = include_str!("../demo/dongting-2025-supervision.csv");
const PROBLEMS: &str = include_str!("../demo/dongting-2025-problems.csv");

/// The plan's year, which the 分解表's deadlines ("12月31日") leave out.
const YEAR: i32 = 2025;
/// When the 分解表 was issued (09:00 on 10 January in Shanghai): the assignments'
/// creation time, from which the reporting calendar expects reports.
const ISSUED: &str = "2025-01-10T01:00:00Z";

/// The demo's well-known read-only token (for scripts and the tests).
/// Never load the demo into a real database: `serve` warns when one holds it.
pub const VIEWER_TOKEN: &str = "demo-viewer";
const VIEWER_TOKEN_NAME: &str = "演示大屏（只读）";

/// The demo's accounts, one per role, which `serve --demo` creates (and
/// only it; never in a real database). They do not have to change their
/// passwords:
///
/// | username | password | role | display name |
/// |---|---|---|---|
/// | `admin` | `mubiao-admin` | ADMIN | 目标办管理员 |
/// | `zhaoshang` | `mubiao-zhaoshang` | REPORTER of 招商合作局 (and 招商一局, 招商二局 below it) | 招商合作局填报员 |
/// | `leader` | `mubiao-leader` | VIEWER | 园区领导 |
pub const ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        username: "admin",
        password: "mubiao-admin",
        display_name: "目标办管理员",
        role: Role::Admin,
        unit: None,
    },
    DemoAccount {
        username: "zhaoshang",
        password: "mubiao-zhaoshang",
        display_name: "招商合作局填报员",
        role: Role::Reporter,
        unit: Some("招商合作局"),
    },
    DemoAccount {
        username: "leader",
        password: "mubiao-leader",
        display_name: "园区领导",
        role: Role::Viewer,
        unit: None,
    },
];

/// The accounts as the start-up log line lists them.
pub const ACCOUNTS_LINE: &str = "admin / mubiao-admin (ADMIN, 目标办管理员); \
     zhaoshang / mubiao-zhaoshang (REPORTER, 招商合作局填报员); \
     leader / mubiao-leader (VIEWER, 园区领导)";

/// One of the demo's accounts.
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// The unit a REPORTER reports for, by name (in `demo/dongting-2025-units.csv`).
    pub unit: Option<&'static str>,
}

/// Whether the demo was loaded into this database: it holds the demo's
/// published read-only token (and so, after `serve --demo`, accounts with
/// published passwords). `serve` without `--demo` warns about it.
pub async fn holds_demo(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(entity::api_token::Entity::find()
        .filter(entity::api_token::Column::TokenHash.eq(tokens::hash(VIEWER_TOKEN)))
        .filter(entity::api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// Creates the demo's accounts that do not exist yet (`serve --demo`, on
/// every start: an account someone changed or disabled is left as it is),
/// in a database the demo was loaded into (it holds the demo's read-only
/// token) and nowhere else: accounts with published passwords must never
/// reach a real database started with `--demo` by mistake. Whether they
/// are there.
pub async fn ensure_accounts(db: &DatabaseConnection) -> AppResult<bool> {
    if !holds_demo(db).await? {
        return Ok(false);
    }
    let author = Audit {
        actor_name: "demo".into(),
        actor_role: "ADMIN".into(),
        operation: "demo accounts".into(),
        input: serde_json::Value::Null,
        at: Utc::now(),
    };
    let all_units = units::list(db).await?;
    for demo in &ACCOUNTS {
        if accounts::find_by_key(db, &domain::text::key(demo.username))
            .await?
            .is_some()
        {
            continue;
        }
        let unit_id = match demo.unit {
            Some(name) => Some(
                all_units
                    .iter()
                    .find(|u| u.name == name)
                    .map(|u| u.id)
                    .ok_or_else(|| bad(format!("the demo account's unit {name} is missing")))?,
            ),
            None => None,
        };
        accounts::create(
            db,
            &author,
            accounts::NewAccount {
                username: demo.username.into(),
                display_name: demo.display_name.into(),
                role: demo.role,
                unit_id,
                password: demo.password.into(),
                must_change_password: false,
            },
            Utc::now(),
        )
        .await?;
    }
    Ok(true)
}

/// Loads the demo unless some plan already exists; returns the new plan's id.
pub async fn load_if_empty(db: &DatabaseConnection) -> AppResult<Option<i64>> {
    if !plans::list(db).await?.is_empty() {
        return Ok(None);
    }
    load(db).await.map(Some)
}

/// Loads the demo plan and returns its id; the audit log names "demo" as
/// the author of everything it creates.
pub async fn load(db: &DatabaseConnection) -> AppResult<i64> {
    let author = Audit {
        actor_name: "demo".into(),
        actor_role: "ADMIN".into(),
        operation: "demo".into(),
        input: serde_json::Value::Null,
        at: Utc::now(),
    };
    load_demo(db, &author).await
}

#[derive(Deserialize)]
struct UnitRow {
    #[serde(rename = "单位")]
    name: String,
    #[serde(rename = "上级单位")]
    parent: Option<String>,
    /// On every assignment of the unit.
    #[serde(rename = "责任人")]
    person: Option<String>,
}

#[derive(Deserialize)]
struct ReportRow {
    #[serde(rename = "序号")]
    code: String,
    #[serde(rename = "目标任务")]
    title: String,
    #[serde(rename = "责任单位")]
    unit: String,
    #[serde(rename = "截至日期")]
    as_of: NaiveDate,
    #[serde(rename = "累计值")]
    value: f64,
    #[serde(rename = "情况说明")]
    note: Option<String>,
    #[serde(rename = "存在问题")]
    problems: Option<String>,
    #[serde(rename = "下步打算")]
    next_steps: Option<String>,
    /// Local time in the plan's zone, "2025-11-03 09:00".
    #[serde(rename = "报送时间")]
    submitted_at: String,
    #[serde(rename = "填报人")]
    submitted_by: Option<String>,
}

#[derive(Deserialize)]
struct MilestoneRow {
    #[serde(rename = "序号")]
    code: String,
    #[serde(rename = "目标任务")]
    title: String,
    #[serde(rename = "节点")]
    milestone: String,
    #[serde(rename = "完成日期")]
    completed_on: NaiveDate,
}

/// One step of a supervision item (督办事项), in the order they happened;
/// the 交办 row carries the item.
#[derive(Deserialize)]
struct SupervisionRow {
    #[serde(rename = "事项")]
    item: String,
    #[serde(rename = "步骤")]
    step: String,
    /// Local time in the plan's zone, "2025-10-28 17:00".
    #[serde(rename = "时间")]
    at: String,
    #[serde(rename = "内容")]
    content: Option<String>,
    #[serde(rename = "来源")]
    source: Option<String>,
    #[serde(rename = "级别")]
    level: Option<String>,
    #[serde(rename = "牵头单位")]
    lead: Option<String>,
    #[serde(rename = "配合单位")]
    supporting: Option<String>,
    #[serde(rename = "责任领导")]
    leader: Option<String>,
    /// The deadline (交办) or the one asked for (申请延期).
    #[serde(rename = "时限")]
    deadline: Option<NaiveDate>,
    #[serde(rename = "序号")]
    code: Option<String>,
    #[serde(rename = "目标任务")]
    goal: Option<String>,
}

/// One step of a problem of the 问题台账, in the order they happened; the
/// 登记 row carries the problem.
#[derive(Deserialize)]
struct ProblemRow {
    #[serde(rename = "问题")]
    problem: String,
    #[serde(rename = "步骤")]
    step: String,
    /// Local time in the plan's zone.
    #[serde(rename = "时间")]
    at: String,
    #[serde(rename = "内容")]
    content: Option<String>,
    #[serde(rename = "类别")]
    category: Option<String>,
    #[serde(rename = "严重程度")]
    severity: Option<String>,
    #[serde(rename = "来源")]
    source: Option<String>,
    #[serde(rename = "企业名称")]
    enterprise: Option<String>,
    #[serde(rename = "位置")]
    location: Option<String>,
    #[serde(rename = "责任单位")]
    unit: Option<String>,
    #[serde(rename = "发现时间")]
    found_on: Option<NaiveDate>,
    #[serde(rename = "整改时限")]
    deadline: Option<NaiveDate>,
    #[serde(rename = "整改措施")]
    measures: Option<String>,
}

/// The rows of a demo table (an empty cell is `None`); a bad row is a bug
/// in the shipped files.
fn rows<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> AppResult<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::internal(format!("demo/{file}: {e}")))
}

fn bad(what: String) -> AppError {
    AppError::internal(format!("the demo files disagree: {what}"))
}

async fn load_demo(db: &DatabaseConnection, author: &Audit) -> AppResult<i64> {
    // The units, parents first.
    let mut unit_ids: HashMap<String, i64> = HashMap::new();
    let unit_rows: Vec<UnitRow> = rows("dongting-2025-units.csv", UNITS)?;
    for row in &unit_rows {
        let parent_id = match &row.parent {
            Some(p) => Some(
                *unit_ids
                    .get(p)
                    .ok_or_else(|| bad(format!("{p} is not listed before {}", row.name)))?,
            ),
            None => None,
        };
        let created = units::create(
            db,
            author,
            units::NewUnit {
                name: row.name.clone(),
                parent_id,
            },
        )
        .await;
        let created = match created {
            Err(e) if e.code() == ErrorCode::Duplicate && unit_ids.is_empty() => {
                return Err(AppError::refused(
                    ErrorCode::Duplicate,
                    "此数据库中已载入演示计划，无需再次载入",
                    "the demo plan is already loaded in this database",
                ));
            }
            other => other?,
        };
        unit_ids.insert(row.name.clone(), created.id);
    }
    // The park, the one unit without a parent, owns the plan.
    let owner = unit_rows
        .iter()
        .find(|u| u.parent.is_none())
        .map(|park| unit_ids[&park.name])
        .ok_or_else(|| bad("no top-level unit".into()))?;

    // The 分解表, imported as any other.
    let issued: DateTime<Utc> = ISSUED.parse().map_err(AppError::internal)?;
    let imported = import::import(
        db,
        ImportRequest {
            target: PlanTarget::Year {
                year: YEAR,
                name: None,
                owner_unit_id: Some(owner),
            },
            file: BREAKDOWN.to_vec(),
            sheet: None,
            dry_run: false,
            create_unknown_units: false,
            now: issued,
            timing: Default::default(),
            author: author.clone(),
            via: import::Interface::Api,
            owner_name: None,
        },
    )
    .await?;
    let plan_id = imported
        .plan_id
        .ok_or_else(|| bad("the import made no plan".into()))?;
    // The demo's year is under way: the plan is ACTIVE, so units report.
    let plan = plans::transition(
        db,
        author,
        plan_id,
        PlanState::Draft,
        PlanState::Active,
        Utc::now(),
    )
    .await?;
    let zone = domain::dates::parse_time_zone(&plan.time_zone)
        .ok_or_else(|| bad(format!("time zone {}", plan.time_zone)))?;

    // What the import made, by 序号 and unit.
    let goals: HashMap<String, goal::Model> = goal::Entity::find()
        .filter(goal::Column::PlanId.eq(plan_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|g| Some((g.code.clone()?, g)))
        .collect();
    let goal_of = |code: &str, title: &str| match goals.get(code) {
        Some(g) if g.title == title => Ok(g.id),
        _ => Err(bad(format!("no goal {code} {title} in the 分解表"))),
    };
    let assignments: BTreeMap<(i64, i64), i64> = assignment::Entity::find()
        .filter(assignment::Column::PlanId.eq(plan_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| ((a.goal_id, a.unit_id), a.id))
        .collect();

    // Each unit's 责任人 on its assignments.
    for row in unit_rows {
        let Some(person) = row.person else {
            continue;
        };
        let unit_id = unit_ids[&row.name];
        for (_, &assignment) in assignments.iter().filter(|((_, u), _)| *u == unit_id) {
            let changes = assignments::AssignmentChanges {
                responsible_person: Some(Some(person.clone())),
                ..Default::default()
            };
            assignments::update(db, author, assignment, changes).await?;
        }
    }

    // The monthly reports, in the order they were filed.
    for row in rows::<ReportRow>("dongting-2025-reports.csv", REPORTS)? {
        let goal_id = goal_of(&row.code, &row.title)?;
        let assignment = unit_ids
            .get(&row.unit)
            .and_then(|u| assignments.get(&(goal_id, *u)))
            .ok_or_else(|| bad(format!("{} has no assignment of {}", row.unit, row.title)))?;
        let local = NaiveDateTime::parse_from_str(&row.submitted_at, "%Y-%m-%d %H:%M")
            .map_err(|e| bad(format!("报送时间 {}: {e}", row.submitted_at)))?;
        let submitted_at = local
            .and_local_timezone(zone)
            .single()
            .ok_or_else(|| bad(format!("报送时间 {}", row.submitted_at)))?
            .with_timezone(&Utc);
        reports::submit(
            db,
            reports::NewReport {
                assignment_id: *assignment,
                as_of: row.as_of,
                value: row.value,
                note: row.note,
                problems: row.problems,
                next_steps: row.next_steps,
                submitted_at,
                submitted_by: row.submitted_by,
                idempotency: None,
                author: author.clone(),
                evidence: Default::default(),
            },
        )
        .await?;
    }

    // The milestones completed.
    let plan_milestones = milestone::Entity::find()
        .filter(milestone::Column::PlanId.eq(plan_id))
        .all(db)
        .await?;
    for row in rows::<MilestoneRow>("dongting-2025-milestones.csv", MILESTONES)? {
        let goal_id = goal_of(&row.code, &row.title)?;
        let m = plan_milestones
            .iter()
            .find(|m| m.goal_id == goal_id && m.title == row.milestone)
            .ok_or_else(|| bad(format!("{} has no milestone {}", row.title, row.milestone)))?;
        milestones::complete(db, author, m.id, row.completed_on).await?;
    }

    // The 督办 items, step by step at the times they happened.
    let mut items: HashMap<String, i64> = HashMap::new();
    let mut extension_requests: HashMap<String, i64> = HashMap::new();
    for row in rows::<SupervisionRow>("dongting-2025-supervision.csv", SUPERVISION)? {
        let local = NaiveDateTime::parse_from_str(&row.at, "%Y-%m-%d %H:%M")
            .map_err(|e| bad(format!("督办时间 {}: {e}", row.at)))?;
        let at = local
            .and_local_timezone(zone)
            .single()
            .ok_or_else(|| bad(format!("督办时间 {}", row.at)))?
            .with_timezone(&Utc);
        let unit = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| unit_ids.get(n).copied())
                .ok_or_else(|| bad(format!("{}: no unit {name:?}", row.item)))
        };
        let item_id = || {
            items
                .get(&row.item)
                .copied()
                .ok_or_else(|| bad(format!("{} is stepped before it is handed over", row.item)))
        };
        let text = || row.content.clone().unwrap_or_default();
        use supervision::Step;
        match row.step.as_str() {
            "交办" => {
                let goal_ids = match (&row.code, &row.goal) {
                    (Some(code), Some(title)) => vec![goal_of(code, title)?],
                    _ => vec![],
                };
                let supporting = match &row.supporting {
                    Some(_) => vec![unit(&row.supporting)?],
                    None => vec![],
                };
                let spelled = |value: &Option<String>| value.clone().unwrap_or_default();
                let created = supervision::create(
                    db,
                    author,
                    supervision::NewItem {
                        plan_id,
                        title: row.item.clone(),
                        content: row.content.clone(),
                        source: spelled(&row.source).parse().map_err(|e: String| bad(e))?,
                        level: spelled(&row.level).parse().map_err(|e: String| bad(e))?,
                        lead_unit_id: unit(&row.lead)?,
                        supporting_unit_ids: supporting,
                        responsible_leader: row.leader.clone(),
                        deadline: row
                            .deadline
                            .ok_or_else(|| bad(format!("{} has no 时限", row.item)))?,
                        goal_ids,
                    },
                    at,
                )
                .await?;
                items.insert(row.item.clone(), created.id);
            }
            "申请延期" => {
                let new_deadline = row
                    .deadline
                    .ok_or_else(|| bad(format!("{}: 申请延期 without 时限", row.item)))?;
                let request = supervision::request_extension(
                    db,
                    author,
                    item_id()?,
                    new_deadline,
                    &text(),
                    at,
                )
                .await?;
                extension_requests.insert(row.item.clone(), request.id);
            }
            "批准延期" => {
                let request = extension_requests
                    .get(&row.item)
                    .copied()
                    .ok_or_else(|| bad(format!("{}: nothing to approve", row.item)))?;
                supervision::decide_extension(db, author, request, true, row.content.clone(), at)
                    .await?;
            }
            other => {
                let step = match other {
                    "签收" => Step::Accept,
                    "反馈" => Step::Feedback(text()),
                    "申请办结" => Step::RequestClosure(text()),
                    "办结" => Step::Close,
                    "退回" => Step::Return(text()),
                    "催办" => Step::Urge,
                    _ => return Err(bad(format!("{}: unknown step {other}", row.item))),
                };
                supervision::step(db, author, item_id()?, step, &Default::default(), at).await?;
            }
        }
    }

    // The 问题台账: a problem in every state, one rechecked twice.
    let mut problem_ids: HashMap<String, i64> = HashMap::new();
    for row in rows::<ProblemRow>("dongting-2025-problems.csv", PROBLEMS)? {
        let local = NaiveDateTime::parse_from_str(&row.at, "%Y-%m-%d %H:%M")
            .map_err(|e| bad(format!("问题时间 {}: {e}", row.at)))?;
        let at = local
            .and_local_timezone(zone)
            .single()
            .ok_or_else(|| bad(format!("问题时间 {}", row.at)))?
            .with_timezone(&Utc);
        let missing = |what: &str| bad(format!("{}: no {what}", row.problem));
        let step = match row.step.as_str() {
            "登记" => {
                let spelled = |value: &Option<String>| value.clone().unwrap_or_default();
                let created = problems::record(
                    db,
                    author,
                    problems::NewProblem {
                        plan_id,
                        title: row.problem.clone(),
                        description: row.content.clone(),
                        category: row.category.clone().ok_or_else(|| missing("类别"))?,
                        severity: spelled(&row.severity).parse().map_err(|e: String| bad(e))?,
                        source: spelled(&row.source).parse().map_err(|e: String| bad(e))?,
                        found_on: row.found_on.ok_or_else(|| missing("发现时间"))?,
                        enterprise: row.enterprise.clone(),
                        location: row.location.clone(),
                        unit_id: row
                            .unit
                            .as_ref()
                            .and_then(|n| unit_ids.get(n).copied())
                            .ok_or_else(|| missing("责任单位"))?,
                        deadline: row.deadline.ok_or_else(|| missing("整改时限"))?,
                        measures: row.measures.clone(),
                    },
                    at,
                )
                .await?;
                problem_ids.insert(row.problem.clone(), created.id);
                continue;
            }
            "开始整改" => problems::ProblemStep::StartRectifying,
            "提交整改" => {
                problems::ProblemStep::SubmitRectification(row.content.clone().unwrap_or_default())
            }
            "复查通过" | "复查未通过" => problems::ProblemStep::Recheck {
                passed: row.step == "复查通过",
                note: row.content.clone(),
            },
            other => return Err(bad(format!("{}: unknown step {other}", row.problem))),
        };
        let id = problem_ids
            .get(&row.problem)
            .copied()
            .ok_or_else(|| bad(format!("{} is stepped before it is recorded", row.problem)))?;
        problems::step(db, author, id, step, &Default::default(), at).await?;
    }

    tokens::create_known(
        db,
        author,
        tokens::NewToken {
            name: VIEWER_TOKEN_NAME.into(),
            role: Role::Viewer,
            unit_id: None,
            expires_at: None,
        },
        VIEWER_TOKEN,
        Utc::now(),
    )
    .await?;

    Ok(plan_id)
}
