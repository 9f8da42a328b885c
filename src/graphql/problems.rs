//! 问题台账 in the API: record, rectify, recheck, escalate; the ledger and
//! its figures. REPORTERs act on and read the problems of their unit and
//! the units below it; VIEWERs read; ADMINs record, recheck and escalate.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::{problem, problem_event};

use super::attachments::{Attachment, evidence};
use super::audit::author;
use super::context::RequestContext;
use super::ids::id_of;
use super::inputs::{parse_id, parse_opt_id};
use super::objects::Unit;
use super::scalars::Date;
use super::supervision::{SupervisionItem, readable_item};
use crate::error::{AppError, ErrorCode};
use crate::service::attachments::Evidence;
use crate::service::problems::{self, NewProblem, ProblemStep};
use domain::access::{Role, is_within};
use domain::supervision::ProblemTally;

/// 待整改 → 整改中 → 待复查 → 已销号.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ProblemState", remote = "domain::supervision::ProblemState")]
pub enum ProblemState {
    Open,
    Rectifying,
    Recheck,
    Closed,
}

/// 一般 / 较大 / 重大.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(
    name = "ProblemSeverity",
    remote = "domain::supervision::ProblemSeverity"
)]
pub enum ProblemSeverity {
    General,
    Major,
    Serious,
}

/// 检查 / 巡查 / 信访 / 上级督查 / 自查.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ProblemSource", remote = "domain::supervision::ProblemSource")]
pub enum ProblemSource {
    Check,
    Patrol,
    Petition,
    HigherInspection,
    SelfCheck,
}

/// A problem of the ledger.
pub struct Problem {
    model: problem::Model,
    history: Arc<History>,
}

/// What happened to the problems of a list, and the files cited, by problem.
struct History {
    events: HashMap<i64, Vec<problem_event::Model>>,
    files: HashMap<i64, Vec<entity::attachment::Model>>,
}

#[Object]
impl Problem {
    async fn id(&self) -> ID {
        id_of(self.model.id)
    }
    async fn plan_id(&self) -> ID {
        id_of(self.model.plan_id)
    }
    async fn title(&self) -> &str {
        &self.model.title
    }
    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }
    /// 安全, 环保, 消防, 质量, 其他 — or a park's own word.
    async fn category(&self) -> &str {
        &self.model.category
    }
    async fn severity(&self) -> ProblemSeverity {
        domain::supervision::ProblemSeverity::from(self.model.severity).into()
    }
    async fn source(&self) -> ProblemSource {
        domain::supervision::ProblemSource::from(self.model.source).into()
    }
    async fn found_on(&self) -> Date {
        Date(self.model.found_on)
    }
    async fn enterprise(&self) -> Option<&str> {
        self.model.enterprise.as_deref()
    }
    async fn location(&self) -> Option<&str> {
        self.model.location.as_deref()
    }
    /// The unit that rectifies it.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Unit> {
        let id = self.model.unit_id;
        RequestContext::of(ctx)?
            .unit(id)
            .await?
            .map(Unit)
            .ok_or_else(|| AppError::not_found("unit", id).into())
    }
    async fn deadline(&self) -> Date {
        Date(self.model.deadline)
    }
    /// 整改措施.
    async fn measures(&self) -> Option<&str> {
        self.model.measures.as_deref()
    }
    async fn state(&self) -> ProblemState {
        domain::supervision::ProblemState::from(self.model.state).into()
    }
    async fn closed_on(&self) -> Option<Date> {
        self.model.closed_on.map(Date)
    }
    /// 按期销号: closed on or before its deadline; null while open.
    async fn closed_on_time(&self) -> Option<bool> {
        domain::supervision::problem_closed_on_time(self.model.deadline, self.model.closed_on)
    }
    /// Not closed by the date and past its deadline (default today).
    async fn overdue(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<bool> {
        let rc = RequestContext::of(ctx)?;
        let date = match as_of {
            Some(Date(d)) => d,
            None => rc.today_for(&rc.plan_data(self.model.plan_id).await?.plan),
        };
        Ok(domain::supervision::problem_overdue(
            self.model.deadline,
            self.model.closed_on,
            date,
        ))
    }
    /// The supervision item (整改督办单) it was escalated into.
    async fn escalated_item(&self, ctx: &Context<'_>) -> Result<Option<SupervisionItem>> {
        match self.model.escalated_item_id {
            Some(id) => Ok(Some(readable_item(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// What happened to it, oldest first.
    async fn events(&self) -> Vec<ProblemEvent> {
        let files = self.history.files.get(&self.model.id);
        self.history
            .events
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .cloned()
            .map(|event| ProblemEvent {
                files: files
                    .into_iter()
                    .flatten()
                    .filter(|f| f.event_id == Some(event.id))
                    .cloned()
                    .collect(),
                event,
            })
            .collect()
    }
    /// Every 佐证材料 its rectifications cited, oldest first.
    async fn attachments(&self) -> Vec<Attachment> {
        self.history
            .files
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .cloned()
            .map(Attachment)
            .collect()
    }
}

/// One thing that happened to a problem.
pub struct ProblemEvent {
    event: problem_event::Model,
    files: Vec<entity::attachment::Model>,
}

#[Object]
impl ProblemEvent {
    /// The files this rectification cited.
    async fn attachments(&self) -> Vec<Attachment> {
        self.files.iter().cloned().map(Attachment).collect()
    }
    /// RECORD, START, SUBMIT, RECHECK_PASSED, RECHECK_FAILED or ESCALATE.
    async fn kind(&self) -> &str {
        &self.event.kind
    }
    async fn content(&self) -> Option<&str> {
        self.event.content.as_deref()
    }
    async fn on_date(&self) -> Date {
        Date(self.event.on_date)
    }
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.event.at
    }
    async fn actor(&self) -> &str {
        &self.event.actor
    }
}

/// Problems found in a period and how many of them are closed by its end.
#[derive(SimpleObject)]
pub struct ProblemCount {
    /// The unit, category or severity counted ("" for the total).
    pub key: String,
    pub unit: Option<Unit>,
    pub found: u32,
    pub closed: u32,
    /// closed / found × 100; null with nothing found.
    pub closure_rate: Option<f64>,
}

/// The ledger's figures for a period.
#[derive(SimpleObject)]
pub struct ProblemStats {
    pub total: ProblemCount,
    pub by_unit: Vec<ProblemCount>,
    pub by_category: Vec<ProblemCount>,
    pub by_severity: Vec<ProblemCount>,
}

#[derive(InputObject)]
pub struct RecordProblemInput {
    pub plan_id: ID,
    pub title: String,
    pub description: Option<String>,
    /// 安全, 环保, 消防, 质量, 其他 (or a park's own).
    pub category: String,
    pub severity: ProblemSeverity,
    pub source: ProblemSource,
    pub found_on: Date,
    pub enterprise: Option<String>,
    pub location: Option<String>,
    /// The unit that rectifies it.
    pub unit_id: ID,
    pub deadline: Date,
    /// 整改措施.
    pub measures: Option<String>,
}

#[derive(InputObject)]
pub struct SubmitRectificationInput {
    pub problem_id: ID,
    /// 整改情况: what was done.
    pub content: String,
    /// 佐证材料 (from `uploadAttachment`): photos, the rectification report.
    #[graphql(default)]
    pub attachment_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct ImportProblemsInput {
    pub plan_id: ID,
    /// The 问题清单, .xlsx or CSV (multipart upload).
    pub file: async_graphql::Upload,
    /// The workbook sheet to read; by default the first.
    pub sheet: Option<String>,
    /// Check everything, write nothing.
    #[graphql(default)]
    pub dry_run: bool,
}

/// What an import of a problem list recorded (or, dry, would record).
#[derive(SimpleObject)]
pub struct ProblemImport {
    pub dry_run: bool,
    pub count: i32,
    /// The problems recorded, in the sheet's order (empty in a dry run).
    pub imported: Vec<Problem>,
    /// Every row as it was read, dry run or not: what to check before
    /// importing for real.
    pub preview: Vec<ProblemPreview>,
}

/// A row of a problem list as read.
#[derive(SimpleObject)]
pub struct ProblemPreview {
    /// The sheet's row number.
    pub row: i32,
    pub title: String,
    pub category: String,
    pub severity: ProblemSeverity,
    pub source: ProblemSource,
    pub found_on: Date,
    pub deadline: Date,
    pub enterprise: Option<String>,
    pub unit: Unit,
    /// What was read by a rule rather than as written ("整改时限“11月底前”按
    /// 2025-11-30 登记", "严重程度空白，按“一般”登记").
    pub notes: Vec<String>,
}

#[derive(InputObject)]
pub struct RecheckProblemInput {
    pub problem_id: ID,
    pub passed: bool,
    /// 复查意见.
    pub note: Option<String>,
}

/// Whether the caller may read (and, as a REPORTER, act on) a problem.
fn may_read(
    role: Role,
    own_unit: Option<i64>,
    p: &problem::Model,
    parents: &HashMap<i64, Option<i64>>,
) -> bool {
    domain::access::may_read_for_units(role, own_unit, std::iter::once(p.unit_id), parents)
}

async fn readable(ctx: &Context<'_>, list: Vec<problem::Model>) -> Result<Vec<Problem>> {
    let rc = RequestContext::of(ctx)?;
    let actor = rc.actor()?;
    let parents = rc.unit_parents().await?;
    let list: Vec<problem::Model> = list
        .into_iter()
        .filter(|p| may_read(actor.role, actor.unit_id, p, &parents))
        .collect();
    let history = Arc::new(History {
        events: problems::events_of(&rc.db, &list).await?,
        files: problems::files_of(&rc.db, &list).await?,
    });
    Ok(list
        .into_iter()
        .map(|model| Problem {
            model,
            history: history.clone(),
        })
        .collect())
}

async fn readable_problem(ctx: &Context<'_>, id: i64) -> Result<Problem> {
    let rc = RequestContext::of(ctx)?;
    let found = problems::find(&rc.db, id).await?;
    readable(ctx, vec![found])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("problem", id).into())
}

#[derive(Default)]
pub struct ProblemQuery;

#[Object]
impl ProblemQuery {
    /// The ledger: problems the caller may read, oldest first, narrowed by
    /// plan, unit (it or below), state, category and severity.
    async fn problems(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        unit_id: Option<ID>,
        state: Option<ProblemState>,
        category: Option<String>,
        severity: Option<ProblemSeverity>,
    ) -> Result<Vec<Problem>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let plan_id = parse_opt_id("plan", &plan_id)?;
        if let Some(plan) = plan_id {
            rc.readable_plan(plan).await?;
        }
        let unit_id = parse_opt_id("unit", &unit_id)?;
        let parents = rc.unit_parents().await?;
        let list: Vec<problem::Model> = problems::list(&rc.db, plan_id)
            .await?
            .into_iter()
            .filter(|p| unit_id.is_none_or(|u| is_within(p.unit_id, u, &parents)))
            .filter(|p| {
                state.is_none_or(|s| domain::supervision::ProblemState::from(p.state) == s.into())
            })
            .filter(|p| category.as_ref().is_none_or(|c| &p.category == c))
            .filter(|p| {
                severity.is_none_or(|s| {
                    domain::supervision::ProblemSeverity::from(p.severity) == s.into()
                })
            })
            .collect();
        readable(ctx, list).await
    }

    async fn problem(&self, ctx: &Context<'_>, id: ID) -> Result<Problem> {
        readable_problem(ctx, parse_id("problem", &id)?).await
    }

    /// Problems found from `from` to `to` (inclusive) and how many of them
    /// were closed by `to`, in all and by unit, category and severity.
    async fn problem_stats(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        from: Date,
        to: Date,
    ) -> Result<ProblemStats> {
        let rc = RequestContext::of(ctx)?;
        let plan_id = parse_id("plan", &plan_id)?;
        if from.0 > to.0 {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!("统计起始日 {} 晚于截止日 {}", from.0, to.0),
                format!("from {} is after to {}", from.0, to.0),
            )
            .into());
        }
        rc.readable_plan(plan_id).await?;
        let found = readable(ctx, problems::list(&rc.db, Some(plan_id)).await?).await?;
        let mut total = ProblemTally::default();
        let mut by_unit: Vec<(i64, ProblemTally)> = Vec::new();
        let mut by_category: Vec<(String, ProblemTally)> = Vec::new();
        let mut by_severity: Vec<(String, ProblemTally)> = Vec::new();
        fn tally<K: PartialEq>(list: &mut Vec<(K, ProblemTally)>, key: K, closed: bool) {
            match list.iter_mut().find(|(k, _)| *k == key) {
                Some((_, t)) => t.add(closed),
                None => {
                    let mut t = ProblemTally::default();
                    t.add(closed);
                    list.push((key, t));
                }
            }
        }
        for (p, closed) in found.iter().map(|p| &p.model).filter_map(|p| {
            domain::supervision::problem_in_period(p.found_on, p.closed_on, from.0, to.0)
                .map(|closed| (p, closed))
        }) {
            total.add(closed);
            tally(&mut by_unit, p.unit_id, closed);
            tally(&mut by_category, p.category.clone(), closed);
            tally(
                &mut by_severity,
                domain::supervision::ProblemSeverity::from(p.severity)
                    .as_str()
                    .to_string(),
                closed,
            );
        }
        let count = |key: String, unit: Option<Unit>, t: ProblemTally| ProblemCount {
            key,
            unit,
            found: t.found,
            closed: t.closed,
            closure_rate: t.closure_rate(),
        };
        let mut units = Vec::new();
        for (id, t) in by_unit {
            let unit = rc.unit(id).await?.map(Unit);
            units.push(count(id.to_string(), unit, t));
        }
        Ok(ProblemStats {
            total: count(String::new(), None, total),
            by_unit: units,
            by_category: by_category
                .into_iter()
                .map(|(k, t)| count(k, None, t))
                .collect(),
            by_severity: by_severity
                .into_iter()
                .map(|(k, t)| count(k, None, t))
                .collect(),
        })
    }
}

#[derive(Default)]
pub struct ProblemMutation;

/// A step by the problem's unit (or an ADMIN).
async fn unit_step(
    ctx: &Context<'_>,
    id: &ID,
    step: ProblemStep,
    evidence: Evidence,
) -> Result<Problem> {
    let rc = RequestContext::of(ctx)?;
    let id = parse_id("problem", id)?;
    let p = readable_problem(ctx, id).await?;
    rc.require_reporter_for_any(&[p.model.unit_id]).await?;
    problems::step(&rc.db, &author(ctx)?, id, step, &evidence, rc.now).await?;
    readable_problem(ctx, id).await
}

#[Object]
impl ProblemMutation {
    /// Records a problem (ADMIN): 待整改.
    async fn record_problem(
        &self,
        ctx: &Context<'_>,
        input: RecordProblemInput,
    ) -> Result<Problem> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let created = problems::record(
            &rc.db,
            &author(ctx)?,
            NewProblem {
                plan_id: parse_id("plan", &input.plan_id)?,
                title: input.title,
                description: input.description,
                category: input.category,
                severity: input.severity.into(),
                source: input.source.into(),
                found_on: input.found_on.0,
                enterprise: input.enterprise,
                location: input.location,
                unit_id: parse_id("unit", &input.unit_id)?,
                deadline: input.deadline.0,
                measures: input.measures,
            },
            rc.now,
        )
        .await?;
        readable_problem(ctx, created.id).await
    }

    /// 导入问题清单 (ADMIN): a sheet of problems found (问题, 责任单位, 发现时间,
    /// 整改时限; 类别, 严重程度, 来源, 企业名称, 位置, 整改措施 when given),
    /// recorded all or nothing. A sheet with problems is refused with
    /// SHEET_INVALID, each problem with its cell in `extensions.problems`.
    async fn import_problems(
        &self,
        ctx: &Context<'_>,
        input: ImportProblemsInput,
    ) -> Result<ProblemImport> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let plan_id = parse_id("plan", &input.plan_id)?;
        let (_, file) = super::import::read_upload(ctx, &input.file, u64::MAX)?;
        let done = problems::import_list(
            &rc.db,
            &author(ctx)?,
            problems::ListRequest {
                plan_id,
                file,
                sheet: input.sheet,
                dry_run: input.dry_run,
                timing: *ctx.data::<crate::import::limits::ImportTiming>()?,
                now: rc.now,
            },
        )
        .await?;
        let count = done.created.len() as i32;
        let mut preview = Vec::with_capacity(done.preview.len());
        for row in done.preview {
            let Some(unit) = rc.unit(row.problem.unit_id).await? else {
                continue;
            };
            preview.push(ProblemPreview {
                row: row.row as i32,
                title: row.problem.title,
                category: row.problem.category,
                severity: row.problem.severity.into(),
                source: row.problem.source.into(),
                found_on: Date(row.problem.found_on),
                deadline: Date(row.problem.deadline),
                enterprise: row.problem.enterprise,
                unit: Unit(unit),
                notes: row
                    .notes
                    .iter()
                    .map(|n| n.get(rc.lang()).to_string())
                    .collect(),
            });
        }
        let imported = if done.dry_run {
            Vec::new()
        } else {
            readable(ctx, done.created).await?
        };
        Ok(ProblemImport {
            dry_run: done.dry_run,
            count,
            imported,
            preview,
        })
    }

    /// 开始整改, by the problem's unit.
    async fn start_rectification(&self, ctx: &Context<'_>, id: ID) -> Result<Problem> {
        unit_step(ctx, &id, ProblemStep::StartRectifying, Evidence::default()).await
    }

    /// 提交整改 with what was done, by the problem's unit: 待复查.
    async fn submit_rectification(
        &self,
        ctx: &Context<'_>,
        input: SubmitRectificationInput,
    ) -> Result<Problem> {
        let evidence = evidence(ctx, &input.attachment_ids)?;
        unit_step(
            ctx,
            &input.problem_id,
            ProblemStep::SubmitRectification(input.content),
            evidence,
        )
        .await
    }

    /// 复查 (ADMIN): passed → 已销号; failed → back to 整改中.
    async fn recheck_problem(
        &self,
        ctx: &Context<'_>,
        input: RecheckProblemInput,
    ) -> Result<Problem> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let id = parse_id("problem", &input.problem_id)?;
        problems::step(
            &rc.db,
            &author(ctx)?,
            id,
            ProblemStep::Recheck {
                passed: input.passed,
                note: input.note,
            },
            &Evidence::default(),
            rc.now,
        )
        .await?;
        readable_problem(ctx, id).await
    }

    /// 升级为督办 (ADMIN): a supervision item for the problem's unit,
    /// linked to it; once per problem.
    async fn escalate_problem(&self, ctx: &Context<'_>, id: ID) -> Result<Problem> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let id = parse_id("problem", &id)?;
        problems::escalate(&rc.db, &author(ctx)?, id, rc.now).await?;
        readable_problem(ctx, id).await
    }
}
